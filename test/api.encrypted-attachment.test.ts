import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachmentPasswordOf } from '../src/channels/email/attachment.password';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { asKey } from './support/keyed.harness';

// mailparser ships no types; this is the part of its API the assertions use.
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<{ text?: string; attachments: { filename?: string; contentType: string; content: Buffer }[] }> };

const KEYS = ['agent:sealed-agent', 'admin:sealed-admin'];

/** Runs a poppler tool on the bytes; status and output. */
function poppler(tool: 'pdftotext' | 'pdfinfo', pdf: Buffer, args: string[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-sealed-'));
  try {
    const file = join(dir, 'a.pdf');
    writeFileSync(file, pdf);
    const run = spawnSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('encrypted PDF attachment', () => {
  let h: Harness;
  let agent: CommunicationClient;

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(','), ATTACHMENT_PASSWORD_FIELD: 'postalAddress.postalCode' } });
    agent = new CommunicationClient(asKey(h, 'sealed-agent'));
  });
  afterAll(() => h?.close());

  it('sends the statement AES-256 encrypted with the customer field as password, archives the original and both hashes', async () => {
    const invoice = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'invoice-available.json'), 'utf8'));
    const published = await asKey(h, 'sealed-admin').graphql<{ publishTemplate: { version: number } }>('mutation($d: JSON!) { publishTemplate(definition: $d) { version } }', { d: { ...invoice, encryptAttachment: true } });
    expect(published.body.errors).toBeUndefined();
    const { body: c } = await asKey(h, 'sealed-agent').graphql<{ customer: { postalAddress: { postalCode: string } } }>('{ customer(id: "C0000001") { postalAddress { postalCode } } }');
    const password = c.data!.customer.postalAddress.postalCode;
    expect(password).toMatch(/^\w+$/);

    const sent = await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'],
      data: { invoiceNumber: 'INV-SEALED-1', amountDue: { amount: '42.00', currency: 'EUR' }, dueDate: '2026-12-20' } });
    const done = await agent.settled(sent.id, 20_000);
    expect(done.status).toBe('DELIVERED');
    const mail = await simpleParser(h.smtp.messages.find((m) => m.messageId === done.deliveries[0].providerMessageId)!.raw);
    expect(mail.attachments).toHaveLength(1);
    const sealed = mail.attachments[0].content;
    expect(mail.attachments[0].contentType).toBe('application/pdf');

    // Opens with the password, not without; AES-256.
    expect(poppler('pdftotext', sealed, ['-upw', password]).out).toContain('INV-SEALED-1');
    const locked = poppler('pdftotext', sealed, []);
    expect(locked.status).not.toBe(0);
    expect(locked.out).not.toContain('INV-SEALED-1');
    expect(poppler('pdftotext', sealed, ['-upw', `${password}x`]).status).not.toBe(0);
    expect(poppler('pdfinfo', sealed, ['-upw', password]).out).toMatch(/Encrypted:\s+yes.*AES-256/);

    // The archive keeps the original, unencrypted; the timeline records both hashes.
    const document = done.documents[0];
    const u = new URL(document.downloadUrl);
    const original = Buffer.from(await (await fetch(`${h.url}${u.pathname}${u.search}`)).arrayBuffer());
    expect(poppler('pdfinfo', original, []).out).toMatch(/Encrypted:\s+no/);
    expect(poppler('pdftotext', original, []).out).toContain('INV-SEALED-1');
    expect(createHash('sha256').update(original).digest('hex')).toBe(document.sha256);
    const sealedSha = createHash('sha256').update(sealed).digest('hex');
    expect(sealedSha).not.toBe(document.sha256);
    const rendered = done.deliveries[0].events.find((e) => e.status === 'RENDERED')!;
    expect(rendered.detail).toBe(`email rendered, PDF attached encrypted (AES-256, 1 page; sha256 ${sealedSha}, archived original ${document.sha256})`);
    // The text of the two is the same letter.
    expect(poppler('pdftotext', sealed, ['-upw', password]).out).toBe(poppler('pdftotext', original, []).out);
    // Nothing of the password in the stored timeline.
    expect(JSON.stringify(done.deliveries)).not.toContain(`"${password}"`);
  });

  it('with attachmentPassword "sms", makes a password per communication and sends it by SMS, apart from the email', async () => {
    const invoice = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'invoice-available.json'), 'utf8'));
    const published = await asKey(h, 'sealed-admin').graphql('mutation($d: JSON!) { publishTemplate(definition: $d) { version } }', { d: { ...invoice, encryptAttachment: true, attachmentPassword: 'sms' } });
    expect(published.body.errors).toBeUndefined();
    const sent = await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'],
      data: { invoiceNumber: 'INV-SEALED-2', amountDue: { amount: '42.00', currency: 'EUR' }, dueDate: '2026-12-20' } });
    // The plan gained the SMS that carries the password.
    expect(sent.deliveries.map((d) => d.channel)).toEqual(['EMAIL', 'SMS']);
    const done = await agent.settled(sent.id, 20_000);
    expect(done.status).toBe('DELIVERED');
    const byChannel = (c: string) => done.deliveries.find((d) => d.channel === c)!;
    const sms = h.sms.messages.find((m) => m.sid === byChannel('SMS').providerMessageId)!;
    const password = /: ([A-Z2-9]{12}) is the password of the PDF in our email \(ref\. CCM-[A-Z0-9]{8}\)\.$/.exec(sms.body)?.[1];
    expect(password).toBeDefined();
    const mail = await simpleParser(h.smtp.messages.find((m) => m.messageId === byChannel('EMAIL').providerMessageId)!.raw);
    const sealed = mail.attachments[0].content;
    expect(poppler('pdftotext', sealed, ['-upw', password!]).out).toContain('INV-SEALED-2');
    expect(poppler('pdftotext', sealed, []).status).not.toBe(0);
    expect(mail.text).not.toContain(password!);
    // Another communication gets another password.
    const other = await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'],
      data: { invoiceNumber: 'INV-SEALED-3', amountDue: { amount: '1.00', currency: 'EUR' }, dueDate: '2026-12-20' } });
    const otherDone = await agent.settled(other.id, 20_000);
    const otherSms = h.sms.messages.find((m) => m.sid === otherDone.deliveries.find((d) => d.channel === 'SMS')!.providerMessageId)!;
    expect(otherSms.body).not.toContain(password!);
  });

  it('refuses such a send, writing nothing, when the customer cannot get the password by SMS', async () => {
    // invoice-available's active version sends the password by SMS (published in the test above).
    const gql = asKey(h, 'sealed-agent');
    let target: { id: string; contractId: string } | null = null;
    for (let n = 1; n <= 60 && !target; n++) {
      const id = `C${String(n).padStart(7, '0')}`;
      const { body } = await gql.graphql<{ customer: { email: string | null; phone: string | null; preferences: { consents: string[] }; contracts: { id: string; status: string }[] } | null }>(
        'query($id: ID!) { customer(id: $id) { email phone preferences { consents } contracts { id status } } }', { id });
      const c = body.data?.customer;
      const contract = c?.contracts.find((k) => k.status === 'ACTIVE');
      if (c && contract && c.email && c.preferences.consents.includes('EMAIL') && (!c.phone || !c.preferences.consents.includes('SMS'))) target = { id, contractId: contract.id };
    }
    if (!target) throw new Error('no customer with email but without SMS among the first 60');
    const before = await agent.totalCount();
    const { errors } = await agent.send({ customerId: target.id, templateKey: 'invoice-available', contractId: target.contractId, channelPolicy: 'EXPLICIT', channels: ['EMAIL'],
      data: { invoiceNumber: 'INV-SEALED-4', amountDue: { amount: '1.00', currency: 'EUR' }, dueDate: '2026-12-20' } });
    expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0]?.message).toMatch(/^channels: template invoice-available sends the attachment password by SMS, and SMS /);
    expect(await agent.totalCount()).toBe(before);
  });

  it('refuses a template that encrypts an attachment it does not attach', async () => {
    const welcome = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'welcome.json'), 'utf8'));
    const { body } = await asKey(h, 'sealed-admin').graphql('mutation($d: JSON!) { publishTemplate(definition: $d) { version } }', { d: { ...welcome, encryptAttachment: true } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toBe('definition: encryptAttachment: expected attachPdf: true alongside (there is no attachment to encrypt), got attachPdf false');
  });

  it('takes the password from the configured field as the customer knows it', () => {
    const customer = { id: 'C1', postalAddress: { postalCode: ' 69003 ' }, attributes: { birthDate: new Date('1980-02-29T00:00:00Z'), pin: 1234, empty: '' } } as never;
    expect(attachmentPasswordOf(customer, 'postalAddress.postalCode')).toBe('69003');
    expect(attachmentPasswordOf(customer, 'attributes.birthDate')).toBe('1980-02-29');
    expect(attachmentPasswordOf(customer, 'attributes.pin')).toBe('1234');
    expect(attachmentPasswordOf(customer, 'attributes.empty')).toBeNull();
    expect(attachmentPasswordOf(customer, 'attributes.missing')).toBeNull();
    expect(attachmentPasswordOf(customer, null)).toBeNull();
  });
});

describe('encrypted PDF attachment asked for by the request', () => {
  let h: Harness;
  let agent: CommunicationClient;
  const invoice = (n: string) => ({ invoiceNumber: n, amountDue: { amount: '42.00', currency: 'EUR' }, dueDate: '2026-12-20' });

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(','), ATTACHMENT_PASSWORD_FIELD: 'postalAddress.postalCode' } });
    agent = new CommunicationClient(asKey(h, 'sealed-agent'));
  });
  afterAll(() => h?.close());

  const sealedOf = async (providerMessageId: string | null): Promise<Buffer> => (await simpleParser(h.smtp.messages.find((m) => m.messageId === providerMessageId)!.raw)).attachments[0].content;

  it('encrypts the attachment of a template that does not, with the password by SMS or from the customer field; the archive keeps the original', async () => {
    const bySms = await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice('INV-REQ-SMS'), encryptAttachment: 'SMS' });
    expect(bySms.deliveries.map((d) => d.channel)).toEqual(['EMAIL', 'SMS']);
    const done = await agent.settled(bySms.id, 20_000);
    expect(done.status).toBe('DELIVERED');
    const sms = h.sms.messages.find((m) => m.sid === done.deliveries.find((d) => d.channel === 'SMS')!.providerMessageId)!;
    const password = /: ([A-Z2-9]{12}) is the password of the PDF in our email/.exec(sms.body)?.[1];
    expect(password).toBeDefined();
    const sealed = await sealedOf(done.deliveries.find((d) => d.channel === 'EMAIL')!.providerMessageId);
    expect(poppler('pdftotext', sealed, ['-upw', password!]).out).toContain('INV-REQ-SMS');
    expect(poppler('pdftotext', sealed, []).status).not.toBe(0);
    const u = new URL(done.documents[0].downloadUrl);
    const original = Buffer.from(await (await fetch(`${h.url}${u.pathname}${u.search}`)).arrayBuffer());
    expect(poppler('pdfinfo', original, []).out).toMatch(/Encrypted:\s+no/);
    const { body } = await asKey(h, 'sealed-agent').graphql<{ communication: { attachmentPassword: string | null } }>('query($id: ID!) { communication(id: $id) { attachmentPassword } }', { id: bySms.id });
    expect(body.data?.communication.attachmentPassword).toBe('SMS');

    const byField = await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice('INV-REQ-FIELD'), encryptAttachment: 'CUSTOMER_FIELD' });
    expect(byField.deliveries.map((d) => d.channel)).toEqual(['EMAIL']);
    const fieldDone = await agent.settled(byField.id, 20_000);
    const { body: c } = await asKey(h, 'sealed-agent').graphql<{ customer: { postalAddress: { postalCode: string } } }>('{ customer(id: "C0000001") { postalAddress { postalCode } } }');
    const fieldSealed = await sealedOf(fieldDone.deliveries[0].providerMessageId);
    expect(poppler('pdftotext', fieldSealed, ['-upw', c.data!.customer.postalAddress.postalCode]).out).toContain('INV-REQ-FIELD');
    expect(poppler('pdftotext', fieldSealed, []).status).not.toBe(0);

    // Without the flag the same template still sends the PDF as it is.
    const plain = await agent.settled((await agent.sendOk({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice('INV-REQ-PLAIN') })).id, 20_000);
    expect(poppler('pdftotext', await sealedOf(plain.deliveries[0].providerMessageId), []).out).toContain('INV-REQ-PLAIN');
  });

  it('previews the plan the flag makes (the password SMS included)', async () => {
    const { body } = await asKey(h, 'sealed-agent').graphql<{ previewCommunication: { plan: string[][] } }>('query($input: SendCommunicationInput!) { previewCommunication(input: $input) { plan } }', {
      input: { customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice('INV-REQ-PREVIEW'), encryptAttachment: 'SMS' },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.previewCommunication.plan).toEqual([['EMAIL'], ['SMS']]);
  });

  it('refuses a flag that cannot work, writing nothing', async () => {
    const before = await agent.totalCount();
    const welcome = await agent.send({ customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], encryptAttachment: 'SMS' });
    expect(welcome.errors[0]).toMatchObject({ message: 'encryptAttachment: template welcome attaches no PDF to an email, so there is nothing to encrypt', extensions: { code: 'BAD_USER_INPUT', field: 'encryptAttachment' } });
    expect(await agent.totalCount()).toBe(before);
  });

  it('refuses CUSTOMER_FIELD where no field is configured', async () => {
    const bare = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(',') } });
    try {
      const client = new CommunicationClient(asKey(bare, 'sealed-agent'));
      const { errors } = await client.send({ customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice('INV-REQ-NOFIELD'), encryptAttachment: 'CUSTOMER_FIELD' });
      expect(errors[0]).toMatchObject({ message: 'encryptAttachment: CUSTOMER_FIELD needs ATTACHMENT_PASSWORD_FIELD, which this gateway does not set; use SMS', extensions: { code: 'BAD_USER_INPUT' } });
      expect(await client.totalCount()).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
