import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Channel, CommunicationStatus, DeliveryStatus } from '../src/domain';
import { allQueues, deliverQueueOf, QueueName } from '../src/jobs/queue.names';
import { settled, startPipeline, type Pipeline } from './jobs.harness';

// mailparser ships no types; this is the part of its API the assertions use.
interface ParsedMail {
  subject?: string;
  text?: string;
  messageId?: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
}
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<ParsedMail> };

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe.each(['sqlite', 'postgres'] as const)('render and deliver jobs on %s', (database) => {
  let p: Pipeline;
  let contractNumber: string;

  beforeAll(async () => {
    p = await startPipeline(`pipeline-${database}`, { database });
    const [contract] = await p.backoffice.contracts.getContracts(['K00000001']);
    contractNumber = contract!.number;
  });
  afterAll(() => p?.close());

  const pdfText = (pdf: Buffer): string => {
    const file = join(p.dir, `${sha256(pdf)}.pdf`);
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  };

  it('sends an EMAIL with the archived PDF attached, and ends SENT', async () => {
    const communication = await p.send({ chain: [Channel.EMAIL] });
    const done = await p.waitFor(communication.id, settled);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);

    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    expect(delivery).toMatchObject({ status: DeliveryStatus.SENT, attempts: 1, providerMessageId: `<${delivery.id}@bank.example>` });
    const [events] = await p.repository.eventsOf([delivery.id]);
    expect(events.map((e) => e.status)).toEqual([DeliveryStatus.PENDING, DeliveryStatus.RENDERED, DeliveryStatus.SENDING, DeliveryStatus.SENT]);

    const received = p.mail.messages.find((m) => m.messageId === `<${delivery.id}@bank.example>`);
    expect(received?.rcptTo).toEqual([delivery.recipient]);
    const mail = await simpleParser(received!.raw);
    expect(mail.subject).toContain('INV-2026-000123');
    expect(mail.attachments).toHaveLength(1);
    const attachment = mail.attachments[0];
    expect(attachment.contentType).toBe('application/pdf');
    const text = pdfText(attachment.content);
    expect(text).toContain('Claire Martin');
    expect(text).toContain(contractNumber);

    // What was sent is what was archived, and the delivery points at it.
    const [[document]] = await p.repository.documentsOf([communication.id]);
    expect(delivery.documentId).toBe(document.id);
    expect(document).toMatchObject({ mimeType: 'application/pdf', kind: 'invoice-available', sha256: sha256(attachment.content), sizeBytes: attachment.content.length });
    expect(document.pages).toBeGreaterThanOrEqual(1);
  });

  it('sends an SMS through the official Twilio client to the Twilio-compatible sink', async () => {
    const communication = await p.send({ chain: [Channel.SMS] });
    await p.waitFor(communication.id, settled);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    expect(delivery.status).toBe(DeliveryStatus.SENT);
    const message = p.sms.messages.find((m) => m.sid === delivery.providerMessageId);
    expect(message).toBeDefined();
    expect(message!.to).toBe(delivery.recipient);
    expect(message!.body).toContain('INV-2026-000123');
    expect(message!.body.length).toBeLessThanOrEqual(3 * 153);
  });

  it('spools a LETTER whose PDF is the archived one (matching sha256), and ends DELIVERED', async () => {
    const communication = await p.send({ chain: [Channel.LETTER] });
    await p.waitFor(communication.id, settled);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    expect(delivery).toMatchObject({ status: DeliveryStatus.DELIVERED, providerMessageId: `spool:${delivery.id}` });

    const spooled = readFileSync(p.letters.pathOf(delivery.id, 'pdf'));
    const ticket = JSON.parse(readFileSync(p.letters.pathOf(delivery.id, 'json'), 'utf8')) as { sha256: string; name: string; pages: number };
    const archived = await p.archive.read(delivery.documentId!);
    expect(archived).not.toBeNull();
    expect(sha256(spooled)).toBe(archived!.entity.sha256);
    expect(ticket).toMatchObject({ sha256: archived!.entity.sha256, name: 'Claire Martin', pages: archived!.entity.pages });
  });

  it('renders one PDF for all channels of a communication and shares it', async () => {
    const created = await p.repository.create({
      callerId: 'jobs-test', idempotencyKey: null, customerId: 'C0000001', contractId: 'K00000001', templateKey: 'invoice-available',
      channelPolicy: 'EXPLICIT' as never, requestedChannels: [Channel.EMAIL, Channel.PORTAL, Channel.LETTER], data: { invoiceNumber: 'INV-SHARED', amountDue: { amount: '10.00', currency: 'EUR' }, dueDate: '2026-12-01' },
      priority: 'HIGH' as never, scheduledAt: null,
      plans: [{ chain: [Channel.EMAIL], recipient: 'claire.martin@example.com' }, { chain: [Channel.PORTAL], recipient: 'portal:C0000001' }, { chain: [Channel.LETTER], recipient: '69003 Lyon, FR' }],
    });
    await p.dispatcher.dispatch(created.communication.id, { priority: created.communication.priority });
    await p.repository.markQueued(created.communication.id);
    await p.waitFor(created.communication.id, settled);
    const [deliveries] = await p.repository.deliveriesOf([created.communication.id]);
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([
      [Channel.EMAIL, DeliveryStatus.SENT],
      [Channel.PORTAL, DeliveryStatus.DELIVERED],
      [Channel.LETTER, DeliveryStatus.DELIVERED],
    ]);
    const [documents] = await p.repository.documentsOf([created.communication.id]);
    expect(documents).toHaveLength(1);
    expect(new Set(deliveries.map((d) => d.documentId))).toEqual(new Set([documents[0].id]));
    expect(deliveries[1].providerMessageId).toBe(`portal:${documents[0].id}`);
  });

  it('reports queue counts per queue', async () => {
    // A job is marked completed just after its delivery is recorded: wait for BullMQ to catch up with the store.
    const deadline = Date.now() + 5_000;
    let counts = await p.dispatcher.queueCounts();
    while (counts[deliverQueueOf(Channel.EMAIL)].active > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      counts = await p.dispatcher.queueCounts();
    }
    expect(Object.keys(counts).sort()).toEqual(allQueues(Object.values(Channel)).sort());
    expect(counts[QueueName.RENDER].completed).toBeGreaterThanOrEqual(1);
    expect(counts[deliverQueueOf(Channel.EMAIL)].active).toBe(0);
  });
});
