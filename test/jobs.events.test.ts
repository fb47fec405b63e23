import { Channel, CommunicationStatus, DeliveryStatus } from '../src/domain';
import { applyProviderOutcome } from '../src/jobs/provider-outcome';
import { createRedisStatusEvents, type StatusEvents } from '../src/jobs/status.events';
import { statusChangeOf, type StatusChange } from '../src/services/status.feed';
import { freshPrefix, redisUrl, settled, startPipeline, type Pipeline } from './jobs.harness';
import { until } from './support/until';

describe('status events over Redis pub/sub', () => {
  const channel = `${freshPrefix('events')}:status`;
  let a: StatusEvents;
  let b: StatusEvents;
  beforeAll(() => {
    a = createRedisStatusEvents({ redisUrl: redisUrl(), channel });
    b = createRedisStatusEvents({ redisUrl: redisUrl(), channel });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const event: StatusChange = {
    deliveryId: 'd-1',
    communicationId: 'c-1',
    customerId: 'C0000001',
    channel: Channel.SMS,
    status: DeliveryStatus.SENT,
    communicationStatus: CommunicationStatus.DELIVERED,
    detail: 'accepted',
    at: '2026-11-22T09:30:00.123Z',
  };

  it('fans an event published by one instance out to the listeners of every instance', async () => {
    const inA: StatusChange[] = [];
    const inB: StatusChange[] = [];
    const inB2: StatusChange[] = [];
    const offA = a.subscribe((e) => inA.push(e));
    const offB = b.subscribe((e) => inB.push(e));
    const offB2 = b.subscribe((e) => inB2.push(e));
    await Promise.all([a.ready(), b.ready()]);

    await a.publish(event);
    await until(() => (inA.length && inB.length && inB2.length ? true : undefined), 5_000);
    expect(inB).toEqual([event]);
    expect(inB2).toEqual([event]);
    expect(inA).toEqual([event]);

    offB();
    await b.publish({ ...event, status: DeliveryStatus.DELIVERED });
    await until(() => (inA.length === 2 && inB2.length === 2 ? true : undefined), 5_000);
    expect(inB).toHaveLength(1);
    offA();
    offB2();
  });

  it('keeps other listeners going when one throws', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const c = createRedisStatusEvents({ redisUrl: redisUrl(), channel, onError: (e) => errors.push(e) });
    try {
      c.subscribe(() => {
        throw new Error('listener bug');
      });
      c.subscribe((e) => seen.push(e.deliveryId));
      await c.ready();
      await a.publish({ ...event, deliveryId: 'd-2' });
      await until(() => (seen.length ? true : undefined), 5_000);
      expect(seen).toEqual(['d-2']);
      expect(errors).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});

describe('status events from the pipeline and provider outcomes', () => {
  let p: Pipeline;
  let watcher: StatusEvents;
  const seen: StatusChange[] = [];

  beforeAll(async () => {
    p = await startPipeline('outcomes');
    // Another process's view: its own connections, the pipeline's channel.
    watcher = createRedisStatusEvents({ redisUrl: p.redisUrl, channel: `${p.prefix}:delivery-status` });
    watcher.subscribe((e) => seen.push(e));
    await watcher.ready();
  });
  afterAll(async () => {
    await watcher?.close();
    await p?.close();
  });

  const eventsOf = (deliveryId: string) => seen.filter((e) => e.deliveryId === deliveryId);
  // What the API process has at hand when a webhook arrives.
  const outcomeDeps = () => ({ repository: p.repository, events: p.events, dispatcher: p.dispatcher, backoffice: p.backoffice, channels: p.channels });

  it('publishes every transition of the render and deliver jobs, in order, with millisecond times', async () => {
    const communication = await p.send({ chain: [Channel.SMS] });
    await p.waitFor(communication.id, settled);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    const events = await until(() => (eventsOf(delivery.id).length >= 3 ? eventsOf(delivery.id) : undefined), 5_000);
    expect(events.map((e) => [e.status, e.communicationStatus])).toEqual([
      [DeliveryStatus.RENDERED, CommunicationStatus.RENDERING],
      [DeliveryStatus.SENDING, CommunicationStatus.DELIVERING],
      [DeliveryStatus.SENT, CommunicationStatus.DELIVERED],
    ]);
    expect(events[2]).toMatchObject({ communicationId: communication.id, customerId: 'C0000001', channel: Channel.SMS, detail: expect.any(String) });
    for (const e of events) expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('applies a provider report once, ignores its replay and a late regression', async () => {
    const communication = await p.send({ chain: [Channel.SMS] });
    await p.waitFor(communication.id, settled);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);

    const delivered = await applyProviderOutcome(outcomeDeps(), { deliveryId: delivery.id, status: DeliveryStatus.DELIVERED, detail: 'twilio: delivered' });
    expect(delivered.result.changed).toBe(true);
    expect(delivered.fallback).toBeNull();
    const replay = await applyProviderOutcome(outcomeDeps(), { deliveryId: delivery.id, status: DeliveryStatus.DELIVERED, detail: 'twilio: delivered' });
    const late = await applyProviderOutcome(outcomeDeps(), { deliveryId: delivery.id, status: DeliveryStatus.SENT, detail: 'twilio: sent' });
    expect([replay.result.changed, late.result.changed]).toEqual([false, false]);

    await until(() => (eventsOf(delivery.id).some((e) => e.status === DeliveryStatus.DELIVERED) ? true : undefined), 5_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsOf(delivery.id).filter((e) => e.status === DeliveryStatus.DELIVERED)).toEqual([
      expect.objectContaining({ detail: 'twilio: delivered', communicationStatus: CommunicationStatus.DELIVERED }),
    ]);
    expect(statusChangeOf(delivered.result, 'x')).toMatchObject({ deliveryId: delivery.id, status: DeliveryStatus.DELIVERED, detail: 'x' });
  });

  it('falls back to the next channel when a provider reports the message undelivered after SENT', async () => {
    const communication = await p.send({ chain: [Channel.SMS, Channel.LETTER] });
    await p.waitFor(communication.id, settled);
    const [[sms]] = await p.repository.deliveriesOf([communication.id]);
    expect(sms.status).toBe(DeliveryStatus.SENT);

    const { result, fallback } = await applyProviderOutcome(outcomeDeps(), { deliveryId: sms.id, status: DeliveryStatus.FAILED, detail: 'twilio: undelivered (30003)' });
    expect(result.delivery).toMatchObject({ status: DeliveryStatus.FAILED, error: 'twilio: undelivered (30003)' });
    expect(fallback).toMatchObject({ channel: Channel.LETTER, previousDeliveryId: sms.id, recipient: expect.stringMatching(/Lyon, FR$/) });

    const done = await p.waitFor(communication.id, (s) => s === CommunicationStatus.DELIVERED);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
    const [, letter] = (await p.repository.deliveriesOf([communication.id]))[0];
    expect(letter).toMatchObject({ id: fallback!.id, status: DeliveryStatus.DELIVERED });
    await until(() => (eventsOf(letter.id).some((e) => e.status === DeliveryStatus.PENDING && e.detail === 'fallback SMS→LETTER') ? true : undefined), 5_000);
  });
});
