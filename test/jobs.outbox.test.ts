import { Worker } from 'bullmq';
import { Channel, CommunicationStatus, DeliveryStatus, Priority } from '../src/domain';
import { Dispatcher } from '../src/jobs/dispatcher';
import { bullPriority, checkPrefix, deliverQueueOf, QueueName } from '../src/jobs/queue.names';
import { settled, startPipeline, freshPrefix, redisUrl, type Pipeline } from './jobs.harness';

describe('queue names and priorities', () => {
  it('maps URGENT to the smallest BullMQ priority and never uses 0', () => {
    const order = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW].map(bullPriority);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(4);
    expect(Math.min(...order)).toBeGreaterThan(0);
  });

  it('insists on a Redis Cluster hash tag in the prefix', () => {
    expect(checkPrefix('{ccm}')).toBe('{ccm}');
    expect(() => checkPrefix('ccm')).toThrow(/^prefix: expected a Redis Cluster hash tag such as "\{ccm\}" \(no ":"\), got "ccm"$/);
    expect(() => checkPrefix('{a}:{b}')).toThrow(/hash tag/);
  });

  it('serves URGENT render jobs before NORMAL and LOW ones in a real queue', async () => {
    const prefix = freshPrefix('priority');
    const dispatcher = new Dispatcher({ connection: redisUrl(), prefix });
    const seen: string[] = [];
    try {
      await dispatcher.dispatch('comm-low', { priority: Priority.LOW });
      await dispatcher.dispatch('comm-normal', { priority: Priority.NORMAL });
      await dispatcher.dispatch('comm-urgent', { priority: Priority.URGENT });
      await dispatcher.dispatch('comm-urgent', { priority: Priority.URGENT }); // same id: ignored
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const worker = new Worker(QueueName.RENDER, async (job) => {
        seen.push(job.id!);
        if (seen.length === 3) finish();
      }, { connection: { url: redisUrl(), maxRetriesPerRequest: null }, prefix, concurrency: 1 });
      await done;
      await worker.close();
      expect(seen).toEqual(['comm-urgent', 'comm-normal', 'comm-low']);
    } finally {
      await dispatcher.close();
    }
  });
});

describe('scheduled sends and the outbox sweeper', () => {
  let p: Pipeline;
  let rejecting = false;

  beforeAll(async () => {
    p = await startPipeline('outbox', {
      sweepIntervalMs: 150,
      worker: { sweepGraceMs: 300 },
      smtp: { rejectRecipients: (address) => rejecting && address === 'claire.martin@example.com' },
    });
  });
  afterAll(() => p?.close());

  const deliveriesOf = async (communicationId: string) => (await p.repository.deliveriesOf([communicationId]))[0];

  it('holds a scheduled communication in a delayed job until its time', async () => {
    const scheduledAt = new Date(Date.now() + 1_500);
    const communication = await p.send({ chain: [Channel.EMAIL], scheduledAt });
    expect(communication.status).toBe(CommunicationStatus.SCHEDULED);
    const job = await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id);
    expect(await job!.getState()).toBe('delayed');

    await new Promise((r) => setTimeout(r, 1_000));
    expect((await p.repository.get(communication.id))!.status).toBe(CommunicationStatus.SCHEDULED);
    const [delivery] = await deliveriesOf(communication.id);
    expect(delivery.status).toBe(DeliveryStatus.PENDING);
    expect(p.mail.messages.some((m) => m.messageId === `<${delivery.id}@bank.example>`)).toBe(false);

    await p.waitFor(communication.id, settled);
    const [events] = await p.repository.eventsOf([delivery.id]);
    const rendered = events.find((e) => e.status === DeliveryStatus.RENDERED)!;
    expect(rendered.at.getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
  });

  it('drops the delayed render job of a cancelled communication', async () => {
    const communication = await p.send({ chain: [Channel.EMAIL], scheduledAt: new Date(Date.now() + 60_000) });
    expect(await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id)).toBeDefined();
    expect((await p.repository.cancel(communication.id)).outcome).toBe('cancelled');
    await p.dispatcher.cancel(communication.id);
    expect(await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id)).toBeUndefined();
  });

  it('renders nothing when a render job runs for a cancelled communication anyway', async () => {
    const communication = await p.send({ chain: [Channel.EMAIL], scheduledAt: new Date(Date.now() + 60_000) });
    expect((await p.repository.cancel(communication.id)).outcome).toBe('cancelled');
    // The job was not dropped (say the queue was unreachable then) and comes due.
    const job = await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id);
    await job!.promote();
    const deadline = Date.now() + 5_000;
    while ((await job!.getState()) !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect((await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id))!.returnvalue).toBe('cancelled');
    const [delivery] = await deliveriesOf(communication.id);
    expect(delivery.status).toBe(DeliveryStatus.CANCELLED);
    expect((await p.repository.documentsOf([communication.id]))[0]).toEqual([]);
  });

  it('re-dispatches a communication that was written but never queued', async () => {
    const communication = await p.send({ chain: [Channel.SMS] }, { enqueue: false });
    expect(await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id)).toBeUndefined();
    const done = await p.waitFor(communication.id, settled, 5_000);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
    expect(done.queuedAt).not.toBeNull();
  });

  it('re-dispatches a scheduled communication as a delayed job, not at once', async () => {
    const scheduledAt = new Date(Date.now() + 1_200);
    const communication = await p.send({ chain: [Channel.LETTER], scheduledAt }, { enqueue: false });
    const deadline = Date.now() + 3_000;
    while (!(await p.repository.get(communication.id))!.queuedAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const job = await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id);
    expect(job!.opts.priority).toBe(bullPriority(Priority.NORMAL));
    if (Date.now() < scheduledAt.getTime() - 100) expect(await job!.getState()).toBe('delayed');
    await p.waitFor(communication.id, settled);
    const [delivery] = await deliveriesOf(communication.id);
    const [events] = await p.repository.eventsOf([delivery.id]);
    expect(events.find((e) => e.status === DeliveryStatus.RENDERED)!.at.getTime()).toBeGreaterThanOrEqual(scheduledAt.getTime());
  });

  it('creates and sends the fallback a crash left undone', async () => {
    const communication = await p.send({ chain: [Channel.SMS, Channel.EMAIL] }, { enqueue: false });
    await p.repository.markQueued(communication.id);
    const [sms] = await deliveriesOf(communication.id);
    await p.repository.transition(sms.id, DeliveryStatus.FAILED, { error: 'refused before a crash' });

    const done = await p.waitFor(communication.id, settled, 5_000);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
    const deliveries = await deliveriesOf(communication.id);
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([
      [Channel.SMS, DeliveryStatus.FAILED],
      [Channel.EMAIL, DeliveryStatus.SENT],
    ]);
  });

  it('hands a delivery reset by retryDelivery over again: by the sweeper, or at once without a generation', async () => {
    rejecting = true;
    const first = await p.send({ chain: [Channel.EMAIL] });
    const second = await p.send({ chain: [Channel.EMAIL] });
    await p.waitFor(first.id, settled);
    await p.waitFor(second.id, settled);
    rejecting = false;
    const [a] = await deliveriesOf(first.id);
    const [b] = await deliveriesOf(second.id);
    expect([a.status, b.status]).toEqual([DeliveryStatus.FAILED, DeliveryStatus.FAILED]);

    // Reset and not queued: the sweeper finds it.
    expect((await p.repository.resetForRetry(a.id)).outcome).toBe('reset');
    // Reset and handed over the way the API does it, without knowing a generation.
    const reset = await p.repository.resetForRetry(b.id);
    expect(reset.outcome).toBe('reset');
    await p.dispatcher.dispatchDelivery(b.id, Channel.EMAIL, { priority: Priority.NORMAL });
    await p.repository.markDeliveryQueued(b.id);

    for (const id of [first.id, second.id]) expect((await p.waitFor(id, settled, 5_000)).status).toBe(CommunicationStatus.DELIVERED);
    for (const id of [a.id, b.id]) expect(p.mail.messages.filter((m) => m.messageId === `<${id}@bank.example>`)).toHaveLength(1);
  });

  it('lets one sweeper per interval do the work', async () => {
    const sweeper = p.workers.sweeper!;
    const results = await Promise.all([sweeper.sweepIfLeader(), sweeper.sweepIfLeader(), sweeper.sweepIfLeader()]);
    expect(results.filter((r) => r !== null).length).toBeLessThanOrEqual(1);
  });
});

describe('a delivery that keeps losing its job', () => {
  let p: Pipeline;

  beforeAll(async () => {
    // The sweeper exists but never ticks by itself: the test sweeps.
    p = await startPipeline('lost-jobs', { sweepIntervalMs: 3_600_000, worker: { staleAfterMs: 0, maxLostJobs: 2 } });
  });
  afterAll(() => p?.close());

  it('is handed over again up to maxLostJobs times, then failed, and the next channel takes over', async () => {
    // SMS jobs are never taken (as if every worker taking one died with it), and each time the job is gone.
    const sms = p.workers.workers.find((w) => w.name === deliverQueueOf(Channel.SMS))!;
    await sms.pause(true);
    const smsQueue = p.dispatcher.queue(deliverQueueOf(Channel.SMS));
    const communication = await p.send({ chain: [Channel.SMS, Channel.EMAIL] }, { enqueue: false });
    await p.repository.markQueued(communication.id);
    const [delivery] = (await p.repository.deliveriesOf([communication.id]))[0];
    await p.repository.transition(delivery.id, DeliveryStatus.RENDERED, { detail: 'rendered before the job was lost' });

    const reports = [];
    for (let round = 0; round < 3; round += 1) {
      reports.push(await p.workers.sweeper!.sweep());
      await smsQueue.obliterate({ force: true });
    }
    expect(reports.map((r) => [r.stale, r.abandoned])).toEqual([[1, 0], [1, 0], [0, 1]]);

    const done = await p.waitFor(communication.id, settled, 10_000);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
    const [first, fallback] = (await p.repository.deliveriesOf([communication.id]))[0];
    expect(first).toMatchObject({ channel: Channel.SMS, status: DeliveryStatus.FAILED, error: 'gave up: its job was lost 3 times (the worker handling it died or stalled each time)' });
    expect(fallback).toMatchObject({ channel: Channel.EMAIL, status: DeliveryStatus.SENT });
    // Once failed it is no longer stale: nothing more to hand over or fail.
    expect(await p.workers.sweeper!.sweep()).toMatchObject({ stale: 0, abandoned: 0 });
  });
});
