import nodemailer from 'nodemailer';
import twilio from 'twilio';
import type { Queue } from 'bullmq';
import type { QueueId } from '../src/jobs/queue.names';
import type { CrmCustomer } from '../backoffice/wire.types';
import type { CommunicationView, DeliveryView } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { signHs256 } from './support/tokens';

/*
 * The customer's choice at the moment of sending: paperless planning, a STOP
 * that arrives while an SMS waits in its queue, quiet hours on an injected
 * clock (held as a BullMQ delayed job, sent when they end, URGENT not held).
 */

const SECRET = 'preferences-delivery-secret-0123456789';
const bearer = (claims: Record<string, unknown>): Record<string, string> => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = bearer({ sub: 'agent-3', role: 'agent' });
const portalOf = (customerId: string): Record<string, string> => bearer({ sub: `portal-${customerId}`, role: 'portal', customerId });

const VIEW = 'id status deliveries { id channel status error fallbackChannels events { at status detail } }';
const SEND = `mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { ${VIEW} } }`;
const GET = `query($id: ID!) { communication(id: $id) { ${VIEW} } }`;
const UPDATE = 'mutation($id: ID!, $input: PreferencesInput!) { updatePreferences(customerId: $id, input: $input) { id preferences { paperless quietHours { start end } timeZone } } }';
const HISTORY = 'query($id: ID!) { customer(id: $id) { id email postalAddress { city } preferenceHistory(first: 10) { edges { node { source actor field from to reason } } } } }';
const SETTLED = new Set(['DELIVERED', 'PARTIALLY_DELIVERED', 'FAILED', 'CANCELLED']);

/** An RFC 3464 report as a receiving MTA sends it back to the envelope sender: a hard bounce. */
function dsn(verp: string, recipient: string): string {
  return [
    `To: ${verp}`, 'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>', 'Subject: Undelivered Mail Returned to Sender', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'Your message could not be delivered.',
    '--b1', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.net', '', `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 user unknown', '--b1--', '',
  ].join('\r\n');
}

let sequence = 0;
const sid = (): string => `SM${Date.now().toString(16)}${(sequence += 1).toString(16).padStart(8, '0')}`.padEnd(34, '0');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(['sqlite', 'postgres'] as const)('the customer\'s choice at send time on %s', (database) => {
  let h: Harness;
  let candidates: CrmCustomer[];
  let contractOf: (id: string) => string;
  /** Added to the real time by the workers' clock: lets a test stand just before the end of a quiet window. */
  let clockOffsetMs = 0;

  const pick = (accept: (c: CrmCustomer) => boolean = () => true): CrmCustomer => {
    const index = candidates.findIndex(accept);
    if (index < 0) throw new Error('expected a matching seeded customer');
    return candidates.splice(index, 1)[0];
  };
  const gql = async <T>(query: string, variables: Record<string, unknown>, headers = agent): Promise<T> => {
    const { body } = await h.graphql<T>(query, variables, headers);
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const send = (customerId: string, input: Record<string, unknown>) =>
    h.graphql<{ sendCommunication: CommunicationView }>(SEND, {
      input: {
        customerId,
        contractId: contractOf(customerId),
        templateKey: 'invoice-available',
        data: { invoiceNumber: `INV-PD-${(sequence += 1)}`, amountDue: { amount: '25.00', currency: 'EUR' }, dueDate: '2027-02-01' },
        ...input,
      },
    }, agent);
  const sendOk = async (customerId: string, input: Record<string, unknown>): Promise<CommunicationView> => {
    const { body } = await send(customerId, input);
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data!.sendCommunication;
  };
  const waitFor = async (id: string, done: (c: CommunicationView) => boolean, timeoutMs = 15_000): Promise<CommunicationView> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { communication } = await gql<{ communication: CommunicationView }>(GET, { id });
      if (done(communication)) return communication;
      if (Date.now() > deadline) throw new Error(`communication ${id}: not as expected within ${timeoutMs} ms, last ${JSON.stringify(communication)}`);
      await sleep(100);
    }
  };
  /** The SMS deliver queue, paused for every worker (a worker's own pause may still take the job it is waiting for). */
  const smsQueue = (): Queue => h.gateway.parts.dispatcher.queue('deliver-sms' as QueueId);
  const waitForJob = async (queue: Queue): Promise<void> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'prioritized');
      if ((counts.waiting ?? 0) + (counts.prioritized ?? 0) > 0) return;
      if (Date.now() > deadline) throw new Error('expected a job waiting in the paused SMS queue within 5 s');
      await sleep(50);
    }
  };
  const inbound = async (from: string, body: string): Promise<number> => {
    const url = `${h.config.publicUrl}/webhooks/twilio/inbound`;
    const params = { MessageSid: sid(), AccountSid: h.sms.accountSid, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    const response = await fetch(`${h.url}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(h.sms.authToken, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    return response.status;
  };

  beforeAll(async () => {
    const databaseUrl = database === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `preferences_delivery_${process.pid}`) : undefined;
    h = await startHarness({
      databaseUrl,
      env: { AUTH_JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' },
      gateway: { workers: { clock: () => new Date(Date.now() + clockOffsetMs) } },
    });
    const withContract = new Map(h.backoffice.data.contracts.map((row) => [row.CUST_REF, row.CNTR_ID]));
    contractOf = (id) => withContract.get(id)!;
    const mobiles = new Map<string, number>();
    for (const c of h.backoffice.data.customers) if (c.contact.mobile) mobiles.set(c.contact.mobile, (mobiles.get(c.contact.mobile) ?? 0) + 1);
    candidates = h.backoffice.data.customers.filter(
      (c) => c.contact.mobile && mobiles.get(c.contact.mobile) === 1 && c.contact.email && c.communication.consents.email && c.communication.consents.sms && c.address && withContract.has(c.customerId),
    );
  }, 60_000);
  afterAll(() => h?.close());

  it('plans no letter for a customer who went paperless in the portal, and a letter again for a notice that must be on paper', async () => {
    const customer = pick();
    const id = customer.customerId;
    await gql(UPDATE, { id, input: { paperless: true } }, portalOf(id));

    const preferred = await sendOk(id, { channelPolicy: 'PREFERRED', channels: ['SMS', 'EMAIL', 'LETTER'] });
    expect(preferred.deliveries).toHaveLength(1);
    const planned = [preferred.deliveries[0].channel, ...preferred.deliveries[0].fallbackChannels];
    expect(planned).toEqual(expect.arrayContaining(['SMS', 'EMAIL']));
    expect(planned).not.toContain('LETTER');
    const all = await sendOk(id, { channelPolicy: 'ALL_CONSENTED' });
    expect(all.deliveries.map((d) => d.channel)).not.toContain('LETTER');
    const explicit = await send(id, { channelPolicy: 'EXPLICIT', channels: ['LETTER'] });
    expect(explicit.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('LETTER is not used: the customer is paperless'), extensions: { code: 'BAD_USER_INPUT' } });

    // contract-renewal is marked paperRequired: its letter stays in the chain.
    const renewal = await h.graphql<{ sendCommunication: CommunicationView }>(SEND, {
      input: { customerId: id, contractId: contractOf(id), templateKey: 'contract-renewal', channelPolicy: 'PREFERRED', channels: ['EMAIL', 'LETTER'], data: { renewalDate: '2027-03-01' } },
    }, agent);
    expect(renewal.body.errors).toBeUndefined();
    const chain = renewal.body.data!.sendCommunication.deliveries[0];
    expect([chain.channel, ...chain.fallbackChannels]).toContain('LETTER');
  });

  it('skips an SMS whose consent was withdrawn by STOP while it waited in its queue, and the fallback delivers', async () => {
    const customer = pick((c) => c.communication.preferredChannel === 'sms');
    const id = customer.customerId;
    const queue = smsQueue();
    await queue.pause();
    let view: CommunicationView;
    try {
      const sent = await sendOk(id, { channelPolicy: 'PREFERRED', channels: ['SMS', 'EMAIL'] });
      expect(sent.deliveries.map((d) => d.channel)).toEqual(['SMS']);
      // Handed to the SMS queue (its only delivery: straight to its deliver job), where nothing takes it while the worker is paused.
      await waitForJob(queue);
      expect((await waitFor(sent.id, () => true)).deliveries[0].status).toBe('PENDING');
      expect(await inbound(customer.contact.mobile!, 'STOP')).toBe(200);
      await h.sms.waitFor((m) => m.to === customer.contact.mobile && m.body.length > 0, 5_000); // the confirmation
      await queue.resume();
      view = await waitFor(sent.id, (c) => SETTLED.has(c.status));
    } finally {
      await queue.resume();
    }
    const [sms, email] = view.deliveries as [DeliveryView, DeliveryView];
    expect(sms).toMatchObject({ channel: 'SMS', status: 'SKIPPED', error: expect.stringContaining('consent withdrawn') });
    expect(email.channel).toBe('EMAIL');
    expect(['SENT', 'DELIVERED']).toContain(email.status);
    expect(view.status).toBe('DELIVERED');
    // Only the STOP confirmation went to that number: the invoice SMS never left.
    expect(h.sms.messages.filter((m) => m.to === customer.contact.mobile && m.body.includes('INV-PD-'))).toEqual([]);
    await h.smtp.waitFor((m) => m.rcptTo.includes(customer.contact.email!), 10_000);
  });

  it('holds an SMS during the customer\'s quiet hours and sends it when they end; URGENT is not held', async () => {
    const quiet = pick();
    const urgent = pick();
    for (const customer of [quiet, urgent]) {
      await gql(UPDATE, { id: customer.customerId, input: { quietHours: { start: '22:00', end: '08:00' }, timeZone: 'UTC' } });
    }
    // The workers' clock stands three seconds before 08:00 UTC: quiet time for a few more seconds.
    const eight = new Date();
    eight.setUTCHours(8, 0, 0, 0);
    clockOffsetMs = eight.getTime() - 3_000 - Date.now();
    try {
      const started = Date.now();
      const held = await sendOk(quiet.customerId, { channelPolicy: 'EXPLICIT', channels: ['SMS'] });
      const now = await sendOk(urgent.customerId, { channelPolicy: 'EXPLICIT', channels: ['SMS'], priority: 'URGENT' });

      const urgentDone = await waitFor(now.id, (c) => SETTLED.has(c.status));
      expect(urgentDone.deliveries[0].events.map((e) => e.detail ?? '').join('\n')).not.toContain('quiet hours');
      const urgentSms = await h.sms.waitFor((m) => m.to === urgent.contact.mobile, 5_000);
      expect(urgentSms.dateCreated.getTime() - started).toBeLessThan(2_500);

      const waiting = await waitFor(held.id, (c) => c.deliveries[0].events.some((e) => (e.detail ?? '').startsWith('held for quiet hours')));
      // Held before anything is claimed: it is rendered, from the data of that moment, when the hold ends.
      expect(waiting.deliveries[0].status).toBe('PENDING');
      expect(waiting.deliveries[0].events.map((e) => e.detail)).toContain(`held for quiet hours (22:00-08:00) until ${eight.toISOString().slice(0, 10)} 08:00 UTC`);
      expect(h.sms.messages.filter((m) => m.to === quiet.contact.mobile)).toEqual([]);

      const sms = await h.sms.waitFor((m) => m.to === quiet.contact.mobile, 15_000);
      // Not before the window's end (three seconds on the workers' clock, less the time the request took).
      expect(sms.dateCreated.getTime() - started).toBeGreaterThanOrEqual(2_000);
      const done = await waitFor(held.id, (c) => SETTLED.has(c.status));
      expect(done.status).toBe('DELIVERED');
    } finally {
      clockOffsetMs = 0;
    }
  }, 40_000);

  it('marks a hard-bounced email address and a returned letter\'s address unusable until the CRM gives new ones', async () => {
    const customer = pick((c) => c.communication.consents.email);
    const id = customer.customerId;
    const email = await sendOk(id, { channelPolicy: 'EXPLICIT', channels: ['EMAIL'] });
    await waitFor(email.id, (c) => c.deliveries[0].status === 'SENT');
    const message = await h.smtp.waitFor((m) => m.rcptTo.includes(customer.contact.email!), 10_000);
    const bounceUrl = new URL(h.gateway.bounceUrl!);
    const mta = nodemailer.createTransport({ host: bounceUrl.hostname, port: Number(bounceUrl.port), secure: false, ignoreTLS: true });
    await mta.sendMail({ envelope: { from: '', to: message.mailFrom }, raw: dsn(message.mailFrom, customer.contact.email!) });
    mta.close();
    await waitFor(email.id, (c) => c.deliveries[0].status === 'BOUNCED');

    const afterBounce = await gql<{ customer: { email: string | null; preferenceHistory: { edges: { node: Record<string, string | null> }[] } } }>(HISTORY, { id });
    expect(afterBounce.customer.email).toBeNull();
    expect(afterBounce.customer.preferenceHistory.edges.map((e) => e.node)).toContainEqual(expect.objectContaining({ source: 'BOUNCE', field: 'emailAddress', from: 'usable', to: 'unusable' }));
    const again = await send(id, { channelPolicy: 'EXPLICIT', channels: ['EMAIL'] });
    expect(again.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('EMAIL needs an email address'), extensions: { code: 'BAD_USER_INPUT' } });

    const letter = await sendOk(id, { channelPolicy: 'EXPLICIT', channels: ['LETTER'] });
    const spooled = await waitFor(letter.id, (c) => c.deliveries[0].status === 'DELIVERED');
    const returned = await h.graphql<{ registerReturnedMail: { status: string } }>(
      'mutation($id: ID!, $reason: String!) { registerReturnedMail(deliveryId: $id, reason: $reason) { status } }', { id: spooled.deliveries[0].id, reason: 'addressee unknown' }, agent);
    expect(returned.body.data?.registerReturnedMail.status).toBe('BOUNCED');
    const afterReturn = await gql<{ customer: { postalAddress: unknown; preferenceHistory: { edges: { node: Record<string, string | null> }[] } } }>(HISTORY, { id });
    expect(afterReturn.customer.postalAddress).toBeNull();
    expect(afterReturn.customer.preferenceHistory.edges.map((e) => e.node)).toContainEqual(expect.objectContaining({ source: 'RETURNED_MAIL', field: 'postalAddress', to: 'unusable', reason: 'returned mail: addressee unknown' }));
    const noLetter = await send(id, { channelPolicy: 'EXPLICIT', channels: ['LETTER'] });
    expect(noLetter.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('LETTER needs a postal address'), extensions: { code: 'BAD_USER_INPUT' } });
  }, 40_000);
});
