import { createHash } from 'node:crypto';
import type { TwilioSink } from '../backoffice/sinks/twilio.sink';
import { CANCEL, CommunicationClient, pdfText, RETRY, timelineOf, type CommunicationView, type DeliveryView, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { startSmsSink, twilioEnvOf } from './support/sms.sink';

// mailparser ships no types; this is the part of its API the assertions use.
interface ParsedMail { subject?: string; attachments: { filename?: string; contentType: string; content: Buffer }[] }
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<ParsedMail> };

interface CustomerView { id: string; displayName: string; email: string | null; phone: string | null; contracts: { id: string; number: string; status: string }[] }

const sha256 = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const words = (text: string): string => text.replace(/\s+/g, ' ');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const invoice = (invoiceNumber: string): Record<string, unknown> => ({ invoiceNumber, amountDue: { amount: '84.20', currency: 'EUR' }, dueDate: '2026-08-15' });
const codeOf = (errors: GraphqlError[]): unknown => errors[0]?.extensions?.code;
const only = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0];
};

describe('communications over HTTP with the worker running', () => {
  let h: Harness;
  let api: CommunicationClient;
  // Our own Twilio-compatible sink, so a test can make the provider reject one number (error 21211).
  let sms: TwilioSink;
  const rejectedNumbers = new Set<string>();

  beforeAll(async () => {
    sms = await startSmsSink({ invalidNumber: (to) => rejectedNumbers.has(to) });
    h = await startHarness({ env: twilioEnvOf(sms) });
    api = new CommunicationClient(h);
  });
  afterAll(async () => {
    await h?.close();
    await sms?.close();
  });

  const customer = async (id: string): Promise<CustomerView> => {
    const { body } = await h.graphql<{ customer: CustomerView }>('query($id: ID!) { customer(id: $id) { id displayName email phone contracts { id number status } } }', { id });
    if (!body.data?.customer) throw new Error(`customer ${id}: ${JSON.stringify(body.errors)}`);
    return body.data.customer;
  };
  const activeContract = (c: CustomerView): { id: string; number: string } => {
    const found = c.contracts.find((k) => k.status === 'ACTIVE');
    if (!found) throw new Error(`customer ${c.id}: expected an active contract`);
    return found;
  };

  it.each([
    ['invoice-available', 'C0000001', invoice('INV-2026-004711')],
    ['contract-renewal', 'C0000002', { renewalDate: '2026-10-01', termMonths: 12 }],
  ])('emails %s to %s with the archived PDF attached', async (templateKey, customerId, data) => {
    const person = await customer(customerId);
    const contract = activeContract(person);
    const sent = await api.sendOk({ customerId, templateKey, contractId: contract.id, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data });
    expect(['QUEUED', 'RENDERING', 'DELIVERING', 'DELIVERED']).toContain(sent.status);

    const done = await api.settled(sent.id);
    // SMTP acceptance is SENT (a bounce may still come); a communication whose deliveries all succeeded is DELIVERED.
    expect(done.status).toBe('DELIVERED');
    const delivery = only(done.deliveries);
    expect(delivery).toMatchObject({ channel: 'EMAIL', status: 'SENT', recipient: person.email, attempts: 1, error: null });
    expect(timelineOf(delivery)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'SENT']);

    const received = h.smtp.messages.find((m) => m.messageId === delivery.providerMessageId);
    expect(received?.rcptTo).toEqual([person.email]);
    const mail = await simpleParser(received!.raw);
    const attachment = only(mail.attachments);
    expect(attachment.contentType).toBe('application/pdf');
    const text = words(pdfText(attachment.content));
    expect(text).toContain(person.displayName);
    expect(text).toContain(contract.number);

    const document = only(done.documents);
    expect(document).toMatchObject({ kind: templateKey, mimeType: 'application/pdf', sha256: sha256(attachment.content), sizeBytes: attachment.content.length });
  });

  it('sends an SMS through the twilio client, and the signed status callbacks make it DELIVERED', async () => {
    const person = await customer('C0000001');
    const sent = await api.sendOk({ customerId: person.id, templateKey: 'invoice-available', contractId: activeContract(person).id, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: invoice('INV-2026-SMS-01') });
    const message = await sms.waitFor((m) => m.to === person.phone && m.body.includes('INV-2026-SMS-01'));
    const done = await api.waitFor(sent.id, (c) => c.deliveries[0]?.status === 'DELIVERED');
    expect(done.status).toBe('DELIVERED');
    const delivery = only(done.deliveries);
    expect(delivery).toMatchObject({ channel: 'SMS', recipient: person.phone, providerMessageId: message.sid, attempts: 1 });
    expect(timelineOf(delivery)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'SENT', 'DELIVERED']);
  });

  it('archives a LETTER whose signed download link serves the same bytes, and refuses a tampered link', async () => {
    const person = await customer('C0000005');
    const sent = await api.sendOk({ customerId: person.id, templateKey: 'invoice-available', contractId: activeContract(person).id, channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: invoice('INV-2026-LTR-01') });
    const done = await api.settled(sent.id);
    expect(done.status).toBe('DELIVERED');
    expect(timelineOf(only(done.deliveries))).toEqual(['PENDING', 'RENDERED', 'SENDING', 'DELIVERED']);
    const document = only(done.documents);
    expect(document.pages).toBeGreaterThanOrEqual(1);

    const response = await fetch(document.downloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(document.sizeBytes);
    expect(sha256(bytes)).toBe(document.sha256);
    expect(words(pdfText(bytes))).toContain(person.displayName);

    const { body } = await h.graphql<{ document: { sha256: string; downloadUrl: string } }>('query($id: ID!) { document(id: $id) { sha256 downloadUrl } }', { id: document.id });
    expect(body.data?.document.sha256).toBe(document.sha256);

    const link = new URL(document.downloadUrl);
    expect(link.origin).toBe(h.url);
    const tamper = (param: 'sig' | 'expires'): string => {
      const copy = new URL(link);
      const value = copy.searchParams.get(param)!;
      const last = value.slice(-1);
      copy.searchParams.set(param, value.slice(0, -1) + (last === '1' ? '2' : '1'));
      return copy.toString();
    };
    for (const url of [tamper('sig'), tamper('expires')]) {
      const refused = await fetch(url);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).not.toBe('application/pdf');
    }
  });

  it('falls back to the next channel of the chain when the SMS number is rejected for good', async () => {
    const person = await customer('C0000007');
    rejectedNumbers.add(person.phone!);
    const sent = await api.sendOk({ customerId: person.id, templateKey: 'invoice-available', contractId: activeContract(person).id, channelPolicy: 'PREFERRED', channels: ['SMS', 'LETTER'], data: invoice('INV-2026-FBK-01') });
    expect(only(sent.deliveries)).toMatchObject({ channel: 'SMS', fallbackChannels: ['LETTER'] });

    const done = await api.settled(sent.id);
    expect(done.status).toBe('DELIVERED');
    expect(done.deliveries.map((d) => [d.channel, d.status])).toEqual([['SMS', 'FAILED'], ['LETTER', 'DELIVERED']]);
    const [smsDelivery, letter] = done.deliveries as [DeliveryView, DeliveryView];
    expect(smsDelivery.error).toMatch(/21211/);
    // The failed delivery's timeline ends with where it went on; the letter's starts there.
    expect(timelineOf(smsDelivery)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'FAILED', 'FAILED']);
    expect(smsDelivery.events.at(-1)!.detail).toBe('fallback SMS→LETTER');
    expect(timelineOf(letter)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'DELIVERED']);
    expect(letter.events[0].detail).toBe('fallback SMS→LETTER');
    // The letter comes after the SMS failed, in time as well as in the list.
    expect(Date.parse(letter.events[0].at)).toBeGreaterThanOrEqual(Date.parse(smsDelivery.events.at(-1)!.at));
    expect(sms.messages.some((m) => m.to === person.phone)).toBe(false);

    // Once the number works again, an agent can retry the failed SMS; the chain does not run twice.
    rejectedNumbers.delete(person.phone!);
    const retried = await api.mutate<DeliveryView>(RETRY, smsDelivery.id);
    expect(retried.errors).toEqual([]);
    expect(retried.data).toMatchObject({ id: smsDelivery.id, status: 'PENDING', error: null });
    const after = await api.waitFor(sent.id, (c) => c.deliveries[0].status === 'DELIVERED');
    expect(after.deliveries.map((d) => [d.channel, d.status])).toEqual([['SMS', 'DELIVERED'], ['LETTER', 'DELIVERED']]);
    expect(after.deliveries[0].attempts).toBe(2);
    expect(timelineOf(after.deliveries[0]).slice(5)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'SENT', 'DELIVERED']);
    expect(after.status).toBe('DELIVERED');
    expect(sms.messages.filter((m) => m.to === person.phone)).toHaveLength(1);
  });

  it('sends once for two concurrent requests with the same idempotency key', async () => {
    const person = await customer('C0000004');
    const before = await api.totalCount(person.id);
    const input = { customerId: person.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], idempotencyKey: `welcome-${person.id}-1` };
    const [first, second] = await Promise.all([api.sendOk(input), api.sendOk(input)]);
    expect(second.id).toBe(first.id);
    await api.settled(first.id);
    const again = await api.sendOk(input);
    expect(again.id).toBe(first.id);
    await sleep(300);
    expect(await api.totalCount(person.id)).toBe(before + 1);
    expect(h.smtp.messages.filter((m) => m.rcptTo.includes(person.email!))).toHaveLength(1);
  });

  it('holds a scheduled send until its time, and never sends a cancelled one', async () => {
    const [held, dropped] = await Promise.all([customer('C0000008'), customer('C0000010')]);
    const at = new Date(Date.now() + 3_000);
    const scheduled = await api.sendOk({ customerId: held.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], scheduledAt: at.toISOString() });
    expect(scheduled.status).toBe('SCHEDULED');
    expect(Date.parse(scheduled.scheduledAt!)).toBe(at.getTime());
    const toCancel = await api.sendOk({ customerId: dropped.id, templateKey: 'invoice-available', contractId: activeContract(dropped).id, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: invoice('INV-2026-CNL-01'), scheduledAt: at.toISOString() });
    expect(toCancel.status).toBe('SCHEDULED');

    const cancelled = await api.mutate<CommunicationView>(CANCEL, toCancel.id);
    expect(cancelled.errors).toEqual([]);
    expect(cancelled.data?.status).toBe('CANCELLED');
    expect(cancelled.data?.deliveries.map((d) => d.status)).toEqual(['CANCELLED']);

    // Well before the time (a slow machine must not turn this into an after-the-time check).
    await sleep(Math.max(0, at.getTime() - Date.now() - 1_500));
    expect((await api.get(scheduled.id))?.status).toBe('SCHEDULED');
    expect(h.smtp.messages.some((m) => m.rcptTo.includes(held.email!))).toBe(false);

    const done = await api.settled(scheduled.id);
    expect(done.status).toBe('DELIVERED');
    const mail = await h.smtp.waitFor((m) => m.rcptTo.includes(held.email!));
    expect(mail.receivedAt.getTime()).toBeGreaterThanOrEqual(at.getTime());

    await sleep(500);
    const still = await api.get(toCancel.id);
    expect(still?.status).toBe('CANCELLED');
    expect(timelineOf(only(still!.deliveries))).toEqual(['PENDING', 'CANCELLED']);
    expect(sms.messages.some((m) => m.to === dropped.phone)).toBe(false);
  });

  it('answers CONFLICT for cancelling a delivered communication or retrying a delivery that did not fail, NOT_FOUND for unknown ids', async () => {
    const person = await customer('C0000003');
    const sent = await api.sendOk({ customerId: person.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'] });
    const done = await api.settled(sent.id);
    expect(done.status).toBe('DELIVERED');

    const cancel = await api.mutate<CommunicationView>(CANCEL, sent.id);
    expect(codeOf(cancel.errors)).toBe('CONFLICT');
    expect(cancel.errors[0].message).toMatch(/cancelCommunication/);
    const retry = await api.mutate<DeliveryView>(RETRY, done.deliveries[0].id);
    expect(codeOf(retry.errors)).toBe('CONFLICT');
    expect(retry.errors[0].message).toMatch(/retryDelivery/);
    expect((await api.get(sent.id))?.status).toBe('DELIVERED');

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(codeOf((await api.mutate(CANCEL, unknown)).errors)).toBe('NOT_FOUND');
    expect(codeOf((await api.mutate(RETRY, unknown)).errors)).toBe('NOT_FOUND');
    expect(codeOf((await api.mutate(CANCEL, 'not-a-uuid')).errors)).toBe('NOT_FOUND');
    expect(await api.get(unknown)).toBeNull();
  });

  const BAD_INPUTS: [string, Record<string, unknown>, string, RegExp][] = [
    ['an unknown template', { customerId: 'C0000001', templateKey: 'no-such-template', channelPolicy: 'EXPLICIT', channels: ['EMAIL'] }, 'BAD_USER_INPUT', /templateKey.*no-such-template/],
    ['a channel the template does not support', { customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['SMS'] }, 'BAD_USER_INPUT', /SMS is not supported by the template/],
    ['EXPLICIT without channels', { customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT' }, 'BAD_USER_INPUT', /channels: expected at least one channel/],
    ['EXPLICIT SMS for a customer without a phone', { customerId: 'C0000004', templateKey: 'invoice-available', contractId: 'CONTRACT_OF_C0000004', channelPolicy: 'EXPLICIT', channels: ['SMS'], data: invoice('INV-X') }, 'BAD_USER_INPUT', /SMS needs a phone number/],
    ['scheduledAt in the past', { customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], scheduledAt: new Date(Date.now() - 3_600_000).toISOString() }, 'BAD_USER_INPUT', /scheduledAt: expected a time in the future/],
    ['data over 16 KiB', { customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: { advisorName: 'x', notes: 'y'.repeat(17 * 1024) } }, 'BAD_USER_INPUT', /data: expected at most 16384 bytes/],
    ['data missing what the template requires', { customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: {} }, 'BAD_USER_INPUT', /invoiceNumber/],
    ['an unknown customer', { customerId: 'C9999999', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'] }, 'NOT_FOUND', /C9999999/],
  ];

  it.each(BAD_INPUTS)('refuses %s, saying why, and writes nothing', async (_what, input, code, message) => {
    const contractOf4 = activeContract(await customer('C0000004')).id;
    const request = input.contractId === 'CONTRACT_OF_C0000004' ? { ...input, contractId: contractOf4 } : input;
    const [all, ofCustomer] = await Promise.all([api.totalCount(), api.totalCount(String(input.customerId))]);
    const sentBefore = h.smtp.messages.length + sms.messages.length;
    const { data, errors } = await api.send(request);
    expect(data).toBeNull();
    expect(codeOf(errors)).toBe(code);
    expect(errors[0].message).toMatch(message);
    expect(await api.totalCount()).toBe(all);
    expect(await api.totalCount(String(input.customerId))).toBe(ofCustomer);
    expect(h.smtp.messages.length + sms.messages.length).toBe(sentBefore);
  });

  it('lists Customer.communications and Customer.documents newest first, page by page', async () => {
    const customerId = 'C0000009';
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await api.sendOk({ customerId, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: { advisorName: `Advisor ${i}` } })).id);
    }
    const settled = await Promise.all(ids.map((id) => api.settled(id)));
    const documentIds = settled.map((c) => only(c.documents).id);

    type Page<T> = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: T }[] };
    const pages = async <T>(field: 'communications' | 'documents', nodeFields: string): Promise<{ nodes: T[]; totals: number[]; sizes: number[] }> => {
      const nodes: T[] = [];
      const totals: number[] = [];
      const sizes: number[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard += 1) {
        const response: { body: { data?: { customer: Record<string, Page<T>> } | null; errors?: GraphqlError[] } } = await h.graphql(
          `query($id: ID!, $after: String) { customer(id: $id) { ${field}(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${nodeFields} } } } } }`,
          { id: customerId, after },
        );
        expect(response.body.errors).toBeUndefined();
        const page: Page<T> = response.body.data!.customer[field];
        nodes.push(...page.edges.map((e) => e.node));
        totals.push(page.totalCount);
        sizes.push(page.edges.length);
        if (!page.pageInfo.hasNextPage) break;
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
        after = page.pageInfo.endCursor;
      }
      return { nodes, totals, sizes };
    };

    const history = await pages<{ id: string; createdAt: string }>('communications', 'id createdAt');
    expect(history.sizes).toEqual([2, 2, 1]);
    expect(history.totals).toEqual([5, 5, 5]);
    expect(history.nodes.map((n) => n.id)).toEqual([...ids].reverse());

    const archive = await pages<{ id: string; createdAt: string; kind: string }>('documents', 'id createdAt kind');
    expect(archive.sizes).toEqual([2, 2, 1]);
    expect(archive.totals).toEqual([5, 5, 5]);
    expect(new Set(archive.nodes.map((n) => n.id))).toEqual(new Set(documentIds));
    expect(archive.nodes.every((n) => n.kind === 'welcome')).toBe(true);
    const times = archive.nodes.map((n) => Date.parse(n.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
