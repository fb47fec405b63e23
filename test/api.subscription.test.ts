import type { Client } from 'graphql-ws';
import type { TwilioSink } from '../backoffice/sinks/twilio.sink';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { startSmsSink, twilioEnvOf } from './support/sms.sink';
import { roundTrip, subscribe, wsClient, type Subscription } from './support/subscription.client';
import { environmentOf, startWorkerProcess, type WorkerProcess } from './support/worker.process';

interface Change {
  id: string;
  channel: string;
  status: string;
  providerMessageId: string | null;
  updatedAt: string;
  events: { status: string }[];
  communication: { id: string; status: string };
}

const CHANGES = `subscription($customerId: ID, $communicationId: ID) {
  deliveryStatusChanged(customerId: $customerId, communicationId: $communicationId) {
    id channel status providerMessageId updatedAt events { status } communication { id status } } }`;
const SMS_SEQUENCE = ['PENDING', 'RENDERED', 'SENDING', 'SENT', 'DELIVERED'];
const invoice = { invoiceNumber: 'INV-2026-WS-01', amountDue: { amount: '19.90', currency: 'EUR' }, dueDate: '2026-08-15' };

/** Pub/sub keeps order per publisher only; across processes the timeline time orders the changes. */
const inTimelineOrder = (changes: readonly Change[]): Change[] => [...changes].sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));

/** Subscribes to one customer, sends them an SMS, and returns what the subscription saw of it. */
async function watchSms(h: Harness, sms: TwilioSink, client: Client, customerId: string, contractId: string): Promise<{ changes: Change[]; communicationId: string }> {
  const watch: Subscription<Change> = subscribe<Change>(client, CHANGES, { customerId }, 'deliveryStatusChanged');
  try {
    // Everything sent on the socket before this answer has been read by the server: the subscription is live.
    await roundTrip(client);
    const sent = await new CommunicationClient(h).sendOk({ customerId, templateKey: 'invoice-available', contractId, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: invoice });
    const mine = (all: readonly Change[]): Change[] => all.filter((c) => c.communication.id === sent.id);
    await watch.until((all) => mine(all).some((c) => c.status === 'DELIVERED'), 15_000);
    expect(watch.errors).toEqual([]);
    const delivered = mine(watch.received).find((c) => c.status === 'DELIVERED')!;
    expect(sms.messages.find((m) => m.sid === delivered.providerMessageId)?.body).toContain(invoice.invoiceNumber);
    return { changes: mine(watch.received), communicationId: sent.id };
  } finally {
    watch.dispose();
  }
}

function expectSmsSequence(changes: readonly Change[], communicationId: string): void {
  const ordered = inTimelineOrder(changes);
  expect(ordered.map((c) => c.status)).toEqual(SMS_SEQUENCE);
  expect(new Set(ordered.map((c) => c.id)).size).toBe(1);
  expect(ordered.every((c) => c.channel === 'SMS' && c.communication.id === communicationId)).toBe(true);
  // Each change carries the state as of that change: the last one sees the whole timeline and the derived status.
  const last = ordered.at(-1)!;
  expect(last.events.map((e) => e.status)).toEqual(SMS_SEQUENCE);
  expect(last.communication.status).toBe('DELIVERED');
}

describe('deliveryStatusChanged over graphql-ws, API and worker in one process', () => {
  let h: Harness;
  let sms: TwilioSink;
  let client: Client;
  beforeAll(async () => {
    sms = await startSmsSink();
    h = await startHarness({ role: 'all', env: twilioEnvOf(sms) });
    client = wsClient(h.url);
  });
  afterAll(async () => {
    await client?.dispose();
    await h?.close();
    await sms?.close();
  });

  it('pushes every status of an SMS up to DELIVERED', async () => {
    const { changes, communicationId } = await watchSms(h, sms, client, 'C0000001', 'K00000001');
    expectSmsSequence(changes, communicationId);
  });

  it('refuses a subscription without communicationId and customerId with BAD_USER_INPUT', async () => {
    const watch = subscribe<Change>(client, CHANGES, {}, 'deliveryStatusChanged');
    await watch.ended;
    expect(watch.received).toEqual([]);
    expect(watch.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(watch.errors[0]?.message).toMatch(/communicationId or customerId/);
  });
});

describe('deliveryStatusChanged across processes: API here, worker in its own process', () => {
  let h: Harness;
  let sms: TwilioSink;
  let worker: WorkerProcess | null = null;
  let client: Client;
  beforeAll(async () => {
    // Processes share one PostgreSQL and one Redis, as when the API and the workers are scaled out.
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `api_subscription_${process.pid}`);
    sms = await startSmsSink();
    h = await startHarness({ role: 'api', databaseUrl, env: twilioEnvOf(sms) });
    worker = await startWorkerProcess(environmentOf(h.config), h.config.dataDir);
    client = wsClient(h.url);
  }, 30_000);
  afterAll(async () => {
    await client?.dispose();
    await worker?.stop();
    await h?.close();
    await sms?.close();
  });

  it('receives in the API process the statuses the worker process produces', async () => {
    expect(h.gateway.bounceUrl).toBeNull(); // no workers in this process
    const { changes, communicationId } = await watchSms(h, sms, client, 'C0000001', 'K00000001');
    expectSmsSequence(changes, communicationId);
    expect(worker!.output()).not.toMatch(/"level":(50|60)/);
  });
});
