import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { webhookSecretFor } from '../src/channels/webhook/webhook.http';
import { Channel, CommunicationStatus, DeliveryStatus } from '../src/domain';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { startPipeline, WEBHOOK_KEY, type Pipeline } from './jobs.harness';

/** A document endpoint as a receiving system runs one: checks the Standard Webhooks signature and timestamp window. */
interface Receiver {
  readonly url: string;
  readonly accepted: Map<string, { customerId: string; body: Record<string, unknown> }>;
  readonly attempts: Map<string, number>;
  readonly rejectedSignatures: number;
  answer(customerId: string, statuses: number[]): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const scripted = new Map<string, number[]>();
  const accepted = new Map<string, { customerId: string; body: Record<string, unknown> }>();
  const attempts = new Map<string, number>();
  let rejectedSignatures = 0;
  let base = '';
  const read = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const customerId = (req.url ?? '/').slice(1);
    const id = String(req.headers['webhook-id']);
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    try {
      // verify() checks the HMAC and that the timestamp is within five minutes of now.
      new Webhook(webhookSecretFor(WEBHOOK_KEY, `${base}/${customerId}`)).verify(body, req.headers as Record<string, string>);
    } catch {
      rejectedSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    const status = scripted.get(customerId)?.shift() ?? 200;
    if (status >= 200 && status < 300 && !accepted.has(id)) accepted.set(id, { customerId, body: JSON.parse(body) as Record<string, unknown> });
    res.writeHead(status, status === 503 ? { 'retry-after': '1' } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    accepted,
    attempts,
    get rejectedSignatures() {
      return rejectedSignatures;
    },
    answer: (customerId, statuses) => scripted.set(customerId, [...statuses]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Polls an async condition until it holds. */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finished = (s: CommunicationStatus): boolean => [CommunicationStatus.DELIVERED, CommunicationStatus.PARTIALLY_DELIVERED, CommunicationStatus.FAILED].includes(s);
const invoice = { invoiceNumber: 'INV-2026-000777', amountDue: { amount: '12.40', currency: 'EUR' }, dueDate: '2026-12-15' };

describe('WHATSAPP and WEBHOOK channels', () => {
  let p: Pipeline;
  let receiver: Receiver;
  const optedOut = new Set<string>();
  const contractOf = (customerId: string): string => p.bo.data.contracts.find((c) => c.CUST_REF === customerId)!.CNTR_ID;
  const deliveriesOf = async (communicationId: string) => (await p.repository.deliveriesOf([communicationId]))[0];

  beforeAll(async () => {
    receiver = await startReceiver();
    p = await startPipeline('new-channels', {
      webhookBaseUrl: receiver.url,
      twilio: { whatsappOptedIn: (number) => !optedOut.has(number) },
      jobOptions: { 'deliver-webhook': { backoff: { type: 'provider', delay: 200 } } },
    });
  });
  afterAll(async () => {
    await p?.close();
    await receiver?.close();
  });

  it('sends WhatsApp free-form text through the official client, whatsapp: addressed', async () => {
    const communication = await p.send({ customerId: 'C0000008', contractId: contractOf('C0000008'), templateKey: 'payment-reminder', chain: [Channel.WHATSAPP], data: invoice });
    await p.waitFor(communication.id, (s) => s !== CommunicationStatus.QUEUED && s !== CommunicationStatus.RENDERING, 15_000);
    const [delivery] = await deliveriesOf(communication.id);
    await until(async () => (await p.repository.getDelivery(delivery.id))?.status === DeliveryStatus.SENT);
    const message = await p.sms.waitFor((m) => m.to === 'whatsapp:+447554868160');
    expect(message).toMatchObject({ from: 'whatsapp:+15005550006', contentSid: null });
    expect(message.body).toMatch(/INV-2026-000777/);
    expect((await p.repository.getDelivery(delivery.id))?.providerMessageId).toBe(message.sid);
  });

  it('uses the Content template the template declares for the language, with its variables', async () => {
    const communication = await p.send({ customerId: 'C0000013', contractId: contractOf('C0000013'), templateKey: 'invoice-available', chain: [Channel.WHATSAPP], data: invoice });
    const message = await p.sms.waitFor((m) => m.to === 'whatsapp:+32495402841', 15_000);
    expect(message.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
    const variables = JSON.parse(message.contentVariables ?? '{}') as Record<string, string>;
    expect(variables['2']).toBe('INV-2026-000777');
    expect(Object.keys(variables).sort()).toEqual(['1', '2', '3', '4']);
    const [delivery] = await deliveriesOf(communication.id);
    await until(async () => (await p.repository.getDelivery(delivery.id))?.status === DeliveryStatus.SENT);
  });

  it('falls back when the number has not opted in to WhatsApp (a permanent refusal)', async () => {
    optedOut.add('+447696080815');
    const communication = await p.send({ customerId: 'C0000022', contractId: contractOf('C0000022'), templateKey: 'payment-reminder', chain: [Channel.WHATSAPP, Channel.EMAIL], data: invoice });
    await until(async () => (await deliveriesOf(communication.id)).length === 2 && (await deliveriesOf(communication.id))[1].status === DeliveryStatus.SENT, 15_000);
    const [whatsapp, email] = await deliveriesOf(communication.id);
    expect(whatsapp).toMatchObject({ channel: Channel.WHATSAPP, status: DeliveryStatus.FAILED });
    expect(whatsapp.error).toMatch(/not opted in/);
    expect(email.channel).toBe(Channel.EMAIL);
    expect(p.sms.messages.some((m) => m.to === 'whatsapp:+447696080815')).toBe(false);
  });

  it('delivers the signed document to the endpoint once, after a 503 and a retry', async () => {
    receiver.answer('C0000017', [503, 200]);
    const communication = await p.send({ customerId: 'C0000017', contractId: contractOf('C0000017'), templateKey: 'invoice-available', chain: [Channel.WEBHOOK], data: invoice });
    const done = await p.waitFor(communication.id, finished, 20_000);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
    const [delivery] = await deliveriesOf(communication.id);
    expect(delivery).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2, recipient: `${receiver.url}/C0000017` });
    expect(receiver.attempts.get(delivery.id)).toBe(2);
    expect(receiver.rejectedSignatures).toBe(0);
    const received = receiver.accepted.get(delivery.id)!;
    const data = received.body.data as { communicationId: string; templateKey: string; document: { sha256: string; content: string; mimeType: string } };
    expect(received.body.type).toBe('communication.document');
    expect(data).toMatchObject({ communicationId: communication.id, templateKey: 'invoice-available', document: { mimeType: 'application/pdf' } });
    const pdf = Buffer.from(data.document.content, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await p.archive.read(delivery.documentId!))?.entity.sha256).toBe(data.document.sha256);
  });

  it('takes the next channel when the endpoint answers 410', async () => {
    receiver.answer('C0000045', [410]);
    const communication = await p.send({ customerId: 'C0000045', contractId: contractOf('C0000045'), templateKey: 'invoice-available', chain: [Channel.WEBHOOK, Channel.LETTER], data: invoice });
    await p.waitFor(communication.id, finished, 20_000);
    const [webhook, letter] = await deliveriesOf(communication.id);
    expect(webhook).toMatchObject({ channel: Channel.WEBHOOK, status: DeliveryStatus.FAILED, attempts: 1 });
    expect(webhook.error).toMatch(/refused the document with 410/);
    expect(letter).toMatchObject({ channel: Channel.LETTER, status: DeliveryStatus.DELIVERED });
  });
});

describe('WEBHOOK targets', () => {
  let p: Pipeline;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    p = await startPipeline('webhook-ssrf', { webhookBaseUrl: receiver.url.replace('http:', 'https:'), webhookAllowPrivate: false });
  });
  afterAll(async () => {
    await p?.close();
    await receiver?.close();
  });

  it('refuses a loopback endpoint unless private targets are allowed, and falls back', async () => {
    const contract = p.bo.data.contracts.find((c) => c.CUST_REF === 'C0000017')!.CNTR_ID;
    const communication = await p.send({ customerId: 'C0000017', contractId: contract, templateKey: 'invoice-available', chain: [Channel.WEBHOOK, Channel.LETTER], data: invoice });
    await p.waitFor(communication.id, finished, 20_000);
    const [webhook, letter] = (await p.repository.deliveriesOf([communication.id]))[0];
    expect(webhook).toMatchObject({ channel: Channel.WEBHOOK, status: DeliveryStatus.FAILED });
    expect(webhook.error).toMatch(/non-public address/);
    expect(letter.status).toBe(DeliveryStatus.DELIVERED);
    expect(receiver.attempts.size).toBe(0);
  });
});

describe('WhatsApp over the API, with Twilio status callbacks', () => {
  let h: Harness;
  let api: CommunicationClient;

  beforeAll(async () => {
    h = await startHarness();
    api = new CommunicationClient(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reaches DELIVERED through the signed status webhook, like SMS', async () => {
    const customer = h.backoffice.data.customers.find((c) => c.communication.consents.whatsapp && c.contact.mobile && !c.contact.mobile.endsWith('99'))!;
    const contract = h.backoffice.data.contracts.find((c) => c.CUST_REF === customer.customerId)!;
    const sent = await api.sendOk({
      customerId: customer.customerId, templateKey: 'payment-reminder', contractId: contract.CNTR_ID, channelPolicy: 'EXPLICIT', channels: ['WHATSAPP'],
      data: { invoiceNumber: 'INV-2026-000778', amountDue: { amount: '12.40', currency: 'EUR' }, dueDate: '2026-12-15' },
    });
    expect(sent.deliveries[0]).toMatchObject({ channel: 'WHATSAPP', recipient: `whatsapp:${customer.contact.mobile}` });
    const done = await api.waitFor(sent.id, (c) => c.deliveries[0]?.status === 'DELIVERED', 20_000);
    const statuses = done.deliveries[0].events.map((e) => e.status);
    expect(statuses).toEqual(['PENDING', 'RENDERED', 'SENDING', 'SENT', 'DELIVERED']);
    expect(h.sms.messages.find((m) => m.sid === done.deliveries[0].providerMessageId)?.to).toBe(`whatsapp:${customer.contact.mobile}`);
  });
});
