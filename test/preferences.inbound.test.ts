import twilio from 'twilio';
import type { CrmCustomer } from '../backoffice/wire.types';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';

const PREFS = 'preferences { consents source }';
const HISTORY = `query($id: ID!) { customer(id: $id) { id ${PREFS} preferenceHistory(first: 10) { totalCount edges { node { source actor field from to reason } } } } }`;
interface HistoryAnswer { customer: { preferences: { consents: string[]; source: string }; preferenceHistory: { totalCount: number; edges: { node: Record<string, string | null> }[] } } }

let sequence = 0;
const sid = (): string => `SM${Date.now().toString(16)}${(sequence += 1).toString(16).padStart(8, '0')}`.padEnd(34, '0');

describe.each(['sqlite', 'postgres'] as const)('inbound SMS webhook on %s', (database) => {
  let h: Harness;
  let candidates: CrmCustomer[];
  let contractOf: (id: string) => string;
  const pick = (accept: (c: CrmCustomer) => boolean): CrmCustomer => {
    const index = candidates.findIndex(accept);
    if (index < 0) throw new Error('expected a matching seeded customer');
    return candidates.splice(index, 1)[0];
  };
  const inboundUrl = (): string => `${h.config.publicUrl}/webhooks/twilio/inbound`;
  const post = (params: Record<string, string>, signature: string | null = twilio.getExpectedTwilioSignature(h.sms.authToken, inboundUrl(), params)) =>
    fetch(`${h.url}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(params).toString(),
    });
  const inbound = (from: string, body: string, messageSid = sid()) => ({ MessageSid: messageSid, AccountSid: h.sms.accountSid, From: from, To: '+15005550006', Body: body, NumMedia: '0' });
  const history = async (id: string) => (await h.graphql<HistoryAnswer>(HISTORY, { id })).body.data!.customer;
  const repliesTo = (number: string) => h.sms.messages.filter((m) => m.to === number);
  const send = (id: string, policy: string, channels: string[]) => h.graphql<{ sendCommunication: { id: string; deliveries: { id: string; channel: string }[] } }>(
    `mutation($c: ID!, $k: ID!, $p: ChannelPolicy!, $ch: [Channel!]) { sendCommunication(input: { customerId: $c, contractId: $k, templateKey: "invoice-available", channelPolicy: $p, channels: $ch,
      data: { invoiceNumber: "INV-IN-1", amountDue: { amount: "10.00", currency: "EUR" }, dueDate: "2027-01-15" } }) { id deliveries { id channel } } }`,
    { c: id, k: contractOf(id), p: policy, ch: channels });

  beforeAll(async () => {
    const databaseUrl = database === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `preferences_inbound_${process.pid}`) : undefined;
    h = await startHarness({ databaseUrl });
    const withContract = new Map(h.backoffice.data.contracts.map((row) => [row.CUST_REF, row.CNTR_ID]));
    contractOf = (id) => withContract.get(id)!;
    const mobiles = new Map<string, number>();
    for (const c of h.backoffice.data.customers) if (c.contact.mobile) mobiles.set(c.contact.mobile, (mobiles.get(c.contact.mobile) ?? 0) + 1);
    candidates = h.backoffice.data.customers.filter(
      (c) => c.contact.mobile && mobiles.get(c.contact.mobile) === 1 && c.contact.email && c.communication.consents.email && c.communication.consents.sms && withContract.has(c.customerId) && c.address,
    );
  }, 60_000);
  afterAll(() => h?.close());

  it('STOP withdraws the SMS consent, is confirmed once, and a replay changes nothing twice', async () => {
    const customer = pick((c) => c.communication.preferredChannel === 'sms' && c.preferredLanguage === 'fr');
    const number = customer.contact.mobile!;
    const message = inbound(number, '  stop ');
    expect((await post(message)).status).toBe(200);
    const reply = await h.sms.waitFor((m) => m.to === number, 5_000);
    expect(reply.body).toContain('vous ne recevrez plus de messages');

    const after = await history(customer.customerId);
    expect(after.preferences.consents).not.toContain('SMS');
    expect(after.preferences.source).toBe('INBOUND_SMS');
    expect(after.preferenceHistory.edges[0].node).toMatchObject({ source: 'INBOUND_SMS', actor: number, field: 'consents', reason: 'STOP received on SMS' });

    // The same inbound message again: no second change, no second confirmation.
    expect((await post(message)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesTo(number)).toHaveLength(1);
    expect((await history(customer.customerId)).preferenceHistory.totalCount).toBe(1);

    // EXPLICIT [SMS] is refused with the reason; PREFERRED (SMS first) takes the next channel.
    const refused = await send(customer.customerId, 'EXPLICIT', ['SMS']);
    expect(refused.body.errors?.[0]).toMatchObject({ message: expect.stringContaining("SMS needs the customer's consent to SMS"), extensions: { code: 'BAD_USER_INPUT' } });
    const preferred = await send(customer.customerId, 'PREFERRED', ['SMS', 'EMAIL']);
    expect(preferred.body.errors).toBeUndefined();
    expect(preferred.body.data!.sendCommunication.deliveries.map((d) => d.channel)).toEqual(['EMAIL']);

    // START gives it back, confirmed; HELP is answered in the customer's language.
    expect((await post(inbound(number, 'START'))).status).toBe(200);
    await h.sms.waitFor((m) => m.to === number && m.body.includes('de nouveau'), 5_000);
    expect((await history(customer.customerId)).preferences.consents).toContain('SMS');
    expect((await post(inbound(number, 'aide'))).status).toBe(200);
    await h.sms.waitFor((m) => m.to === number && m.body.includes('répondez STOP pour vous désabonner'), 5_000);
  });

  it('refuses a forged or unsigned inbound message with 403 and changes nothing', async () => {
    const customer = pick((c) => true);
    const number = customer.contact.mobile!;
    const message = inbound(number, 'STOP');
    const forged = twilio.getExpectedTwilioSignature(`${h.sms.authToken}x`, inboundUrl(), message);
    expect((await post(message, forged)).status).toBe(403);
    expect((await post(message, null)).status).toBe(403);
    // Signed for other parameters: the body was changed after signing.
    const signedOther = twilio.getExpectedTwilioSignature(h.sms.authToken, inboundUrl(), { ...message, Body: 'hello' });
    expect((await post(message, signedOther)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesTo(number)).toHaveLength(0);
    const after = await history(customer.customerId);
    expect(after.preferences.consents).toContain('SMS');
    expect(after.preferenceHistory.totalCount).toBe(0);
    expect(await h.gateway.store.preferences.findInbound(message.MessageSid)).toBeNull();
  });

  it('answers and records an unknown number, and rejects a malformed body with 400', async () => {
    const stranger = '+33799999999';
    expect(h.backoffice.data.customers.some((c) => c.contact.mobile === stranger)).toBe(false);
    const message = inbound(stranger, 'STOP');
    expect((await post(message)).status).toBe(200);
    const reply = await h.sms.waitFor((m) => m.to === stranger, 5_000);
    expect(reply.body).toContain('no more messages');
    expect(await h.gateway.store.preferences.findInbound(message.MessageSid)).toMatchObject({ customerId: null, sender: stranger, kind: 'STOP' });
    const other = inbound(stranger, 'who is this?');
    expect((await post(other)).status).toBe(200);
    await h.sms.waitFor((m) => m.to === stranger && m.body.includes('could not match'), 5_000);
    expect((await post({ ...inbound(stranger, 'x'), From: 'not-a-number' })).status).toBe(400);
  });

  it('keeps other text as an inbound message linked to the customer and to the last message sent to that number', async () => {
    const customer = pick((c) => true);
    const number = customer.contact.mobile!;
    const sent = await send(customer.customerId, 'EXPLICIT', ['SMS']);
    expect(sent.body.errors).toBeUndefined();
    const deliveryId = sent.body.data!.sendCommunication.deliveries[0].id;
    await h.sms.waitFor((m) => m.to === number, 15_000);
    const message = inbound(number, 'Can I pay next week instead?');
    expect((await post(message)).status).toBe(200);
    expect(await h.gateway.store.preferences.findInbound(message.MessageSid)).toMatchObject({
      customerId: customer.customerId, inReplyToDeliveryId: deliveryId, kind: 'MESSAGE', body: 'Can I pay next week instead?', channel: 'SMS',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesTo(number)).toHaveLength(1); // the invoice notice only: no automatic answer to a customer's text
    expect((await history(customer.customerId)).preferenceHistory.totalCount).toBe(0);
  });
});
