import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentDeliveryError, TransientDeliveryError, type RenderedMessage } from '../src/channels/channel';
import type { EmailContent } from '../src/channels/email/email.smtp';
import { Channel } from '../src/domain';
import { memoryDocuments } from './support/documents';
import { SmtpEmailProvider } from '../src/channels/email/email.smtp';
import { startSmtpSink, type SmtpSink } from '../backoffice/sinks/smtp.sink';

// mailparser ships no types; this is the part of its API the assertions use.
interface ParsedMail {
  subject?: string;
  text?: string;
  html?: string | false;
  messageId?: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
}
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<ParsedMail> };

const FROM = 'Customer Service <service@bank.example>';
const pdf = Buffer.from('%PDF-1.7\n% a tiny stand-in for a rendered letter\n%%EOF\n');

const documents = memoryDocuments();
documents.put('doc-1', pdf);

function email(deliveryId: string, to = 'claire.martin@example.fr'): RenderedMessage<EmailContent> {
  return {
    channel: Channel.EMAIL,
    deliveryId,
    communicationId: 'comm-1',
    customerId: 'C0000001',
    documentId: 'doc-1',
    content: {
      to,
      subject: 'Your invoice',
      html: '<p>Dear Claire, your invoice is attached.</p>',
      text: 'Dear Claire, your invoice is attached.',
      attachment: { documentId: 'doc-1', filename: 'invoice.pdf' },
    },
  };
}

describe('SmtpEmailProvider against a real SMTP server', () => {
  let dir: string;
  let sink: SmtpSink;
  let provider: SmtpEmailProvider;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-smtp-'));
    sink = await startSmtpSink({ dir, rejectRecipients: (address) => address.startsWith('nobody@') });
    provider = new SmtpEmailProvider({ url: sink.url, from: FROM, documents });
  });

  afterAll(async () => {
    await provider.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the message with a stable Message-ID, a VERP sender and the attachment', async () => {
    const result = await provider.send(email('d-0001'));
    expect(result).toEqual({ providerMessageId: '<d-0001@bank.example>', final: false, detail: expect.stringMatching(/^250 /) });

    const received = await sink.waitFor((m) => m.messageId === '<d-0001@bank.example>');
    expect(received.mailFrom).toBe('bounces+d-0001@bank.example');
    expect(received.rcptTo).toEqual(['claire.martin@example.fr']);
    expect(readFileSync(received.file!)).toEqual(received.raw);

    const parsed = await simpleParser(received.raw);
    expect(parsed.subject).toBe('Your invoice');
    expect(parsed.messageId).toBe('<d-0001@bank.example>');
    expect(parsed.text?.trim()).toBe('Dear Claire, your invoice is attached.');
    expect(parsed.html).toContain('<p>Dear Claire');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf' });
    expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
  });

  it('sends a resend as recognisably the same message', async () => {
    await provider.send(email('d-0002'));
    await provider.send(email('d-0002'));
    const copies = sink.messages.filter((m) => m.messageId === '<d-0002@bank.example>');
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((m) => m.mailFrom))).toEqual(new Set(['bounces+d-0002@bank.example']));
  });

  it('reads the delivery id back from a bounce address', () => {
    expect(SmtpEmailProvider.deliveryIdFromBounceAddress('bounces+d-0001@bank.example')).toBe('d-0001');
    expect(SmtpEmailProvider.deliveryIdFromBounceAddress('postmaster@bank.example')).toBeNull();
  });

  it('turns a 550 for the recipient into a PermanentDeliveryError', async () => {
    const before = sink.messages.length;
    const error = await provider.send(email('d-0003', 'nobody@example.fr')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ providerCode: '550', message: expect.stringContaining('Recipient address rejected') });
    expect((error as Error).message).not.toContain('nobody@example.fr');
    expect(sink.messages.length).toBe(before);
  });

  it('turns a 4xx into a TransientDeliveryError', async () => {
    // A sink that cannot store what it received answers 451, "try again later".
    const brokenDir = mkdtempSync(join(tmpdir(), 'ccm-smtp-broken-'));
    const broken = await startSmtpSink({ dir: brokenDir });
    const client = new SmtpEmailProvider({ url: broken.url, from: FROM, documents });
    rmSync(brokenDir, { recursive: true, force: true });
    try {
      const error = await client.send(email('d-0004')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDeliveryError);
      expect((error as Error).message).toMatch(/deferred the message with 451/);
    } finally {
      await client.close();
      await broken.close();
    }
  });

  it('turns an unreachable server into a TransientDeliveryError', async () => {
    const gone = await startSmtpSink();
    await gone.close();
    const client = new SmtpEmailProvider({ url: gone.url, from: FROM, timeoutMs: 2_000, documents });
    try {
      const error = await client.send(email('d-0005')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDeliveryError);
      expect((error as Error).message).toMatch(/SMTP connection problem/);
    } finally {
      await client.close();
    }
  });

  it('verifies the server for readiness checks', async () => {
    await expect(provider.check()).resolves.toBeUndefined();
  });

  it('refuses a message without an email part and an unsafe delivery id', async () => {
    const { content: _omitted, ...bare } = email('d-0006');
    await expect(provider.send(bare as RenderedMessage<EmailContent>)).rejects.toThrow('expected an email part, got none');
    await expect(provider.send(email('../d-0007'))).rejects.toThrow(/deliveryId: expected letters, digits/);
  });

  it('refuses unusable settings at construction', () => {
    expect(() => new SmtpEmailProvider({ url: 'http://mail.example', from: FROM })).toThrow(/expected smtp:\/\/… or smtps:\/\/…/);
    expect(() => new SmtpEmailProvider({ url: sink.url, from: 'nobody' })).toThrow(/from: expected an address/);
  });

  it('keeps received messages as .eml files', () => {
    expect(sink.messages.length).toBeGreaterThan(0);
    for (const message of sink.messages) expect(existsSync(message.file!)).toBe(true);
  });
});
