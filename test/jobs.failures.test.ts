import type { Job, Worker } from 'bullmq';
import { Channel, CommunicationStatus, DeliveryStatus } from '../src/domain';
import { deliverJobId } from '../src/jobs/dispatcher';
import { deliverQueueOf, QueueName, type QueueId } from '../src/jobs/queue.names';
import type { DeliveryEntity } from '../src/store/delivery.entity';
import { settled, startPipeline, type Pipeline } from './jobs.harness';

describe('failures, retries and fallback in the jobs', () => {
  let p: Pipeline;

  beforeAll(async () => {
    // Two SMS attempts, so the "gave up" path is quick to reach.
    p = await startPipeline('failures', { jobOptions: { 'deliver-sms': { attempts: 2, backoff: { type: 'provider', delay: 300 } } } });
  });
  afterAll(() => p?.close());

  const deliveriesOf = async (communicationId: string): Promise<DeliveryEntity[]> => (await p.repository.deliveriesOf([communicationId]))[0];
  const timeline = async (deliveryId: string) => (await p.repository.eventsOf([deliveryId]))[0].map((e) => ({ status: e.status, detail: e.detail }));
  const worker = (name: QueueId): Worker => p.workers.workers.find((w) => w.name === name)!;
  /**
   * The first failed job of `name` that `accept` matches, including failures seen
   * before the call: jobs of earlier tests may still fail while this one runs.
   */
  const failures = (name: QueueId) => {
    const seen: Job[] = [];
    const listener = (job: Job | undefined): void => {
      if (job) seen.push(job);
    };
    worker(name).on('failed', listener);
    return async (accept: (job: Job) => boolean | Promise<boolean>): Promise<Job> => {
      for (;;) {
        for (const job of seen) if (await accept(job)) {
          worker(name).off('failed', listener);
          return job;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
  };
  const deliveryIdsOf = async (communicationId: string): Promise<Set<string>> => new Set((await deliveriesOf(communicationId)).map((d) => d.id));

  it('falls back to the next channel when the SMS number is refused for good, and the timeline shows it', async () => {
    // The Twilio sink answers 21211 (invalid number) for numbers ending in 0000.
    const communication = await p.send({ chain: [Channel.SMS, Channel.EMAIL], recipient: '+33600000000' });
    const done = await p.waitFor(communication.id, settled);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);

    const [sms, email] = await deliveriesOf(communication.id);
    expect(sms).toMatchObject({ channel: Channel.SMS, status: DeliveryStatus.FAILED, attempts: 1 });
    expect(sms.error).toMatch(/21211/);
    expect(email).toMatchObject({ channel: Channel.EMAIL, status: DeliveryStatus.SENT, previousDeliveryId: sms.id, recipient: 'claire.martin@example.com' });
    expect(email.documentId).not.toBeNull();

    expect(await timeline(sms.id)).toEqual([
      { status: DeliveryStatus.PENDING, detail: 'chain SMS→EMAIL' },
      { status: DeliveryStatus.RENDERED, detail: expect.stringMatching(/^SMS rendered/) },
      { status: DeliveryStatus.SENDING, detail: 'attempt 1' },
      { status: DeliveryStatus.FAILED, detail: expect.stringMatching(/21211/) },
      { status: DeliveryStatus.FAILED, detail: 'fallback SMS→EMAIL' },
    ]);
    expect((await timeline(email.id)).map((e) => e.status)).toEqual([DeliveryStatus.PENDING, DeliveryStatus.RENDERED, DeliveryStatus.SENDING, DeliveryStatus.SENT]);
    expect(p.sms.messages.some((m) => m.to === '+33600000000')).toBe(false);
    expect(p.mail.messages.some((m) => m.messageId === `<${email.id}@bank.example>`)).toBe(true);
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    p.sms.setFault({ status: 503 });
    const failed = failures(deliverQueueOf(Channel.SMS));
    const communication = await p.send({ chain: [Channel.SMS] });
    const ids = await deliveryIdsOf(communication.id);
    const job = await failed((j) => ids.has((j.data as { deliveryId: string }).deliveryId));
    p.sms.setFault(null);
    expect(job.attemptsMade).toBe(1);

    await p.waitFor(communication.id, settled);
    const [delivery] = await deliveriesOf(communication.id);
    expect(delivery).toMatchObject({ status: DeliveryStatus.SENT, attempts: 2 });
    const sending = (await timeline(delivery.id)).filter((e) => e.status === DeliveryStatus.SENDING);
    expect(sending).toEqual([
      { status: DeliveryStatus.SENDING, detail: 'attempt 1' },
      { status: DeliveryStatus.SENDING, detail: expect.stringMatching(/^attempt 2, after: .*503/) },
    ]);
    expect(p.sms.messages.filter((m) => m.sid === delivery.providerMessageId)).toHaveLength(1);
  });

  it('marks the delivery FAILED after the last transient attempt, then falls back', async () => {
    p.sms.setFault({ status: 503 });
    try {
      const communication = await p.send({ chain: [Channel.SMS, Channel.EMAIL] });
      await p.waitFor(communication.id, settled);
      const [sms, email] = await deliveriesOf(communication.id);
      expect(sms).toMatchObject({ status: DeliveryStatus.FAILED, attempts: 2 });
      expect(sms.error).toMatch(/^gave up after 2 attempts: .*503/);
      expect(email).toMatchObject({ channel: Channel.EMAIL, status: DeliveryStatus.SENT });
    } finally {
      p.sms.setFault(null);
    }
  });

  it('does not send twice when a deliver job is replayed after SENT', async () => {
    const communication = await p.send({ chain: [Channel.SMS] });
    await p.waitFor(communication.id, settled);
    const [before] = await deliveriesOf(communication.id);
    const sent = p.sms.messages.length;
    const crmCalls = p.bo.stats('crm').requests;

    // A replay under another job id (the same id would simply be ignored by BullMQ).
    const jobId = deliverJobId(before.id, 999);
    await p.dispatcher.dispatchDelivery(before.id, Channel.SMS, { priority: communication.priority, generation: 999 });
    const job = await waitForJob(deliverQueueOf(Channel.SMS), jobId);
    expect(job.returnvalue).toBe('skipped');
    const [after] = await deliveriesOf(communication.id);
    expect(after).toMatchObject({ status: DeliveryStatus.SENT, attempts: before.attempts, version: before.version });
    expect(p.sms.messages.length).toBe(sent);
    // No work at all: nothing fetched, nothing rendered.
    expect(p.bo.stats('crm').requests).toBe(crmCalls);
  });

  it('fails the whole chain at once when the document cannot be composed', async () => {
    // Required invoice data missing: no channel can do better.
    const communication = await p.send({ chain: [Channel.EMAIL, Channel.LETTER], data: { invoiceNumber: 'X' } });
    const done = await p.waitFor(communication.id, settled);
    expect(done.status).toBe(CommunicationStatus.FAILED);
    const deliveries = await deliveriesOf(communication.id);
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([
      [Channel.EMAIL, DeliveryStatus.FAILED],
      [Channel.LETTER, DeliveryStatus.FAILED],
    ]);
    expect(deliveries[0].error).toMatch(/^template invoice-available: .*amountDue/);
    expect(deliveries.every((d) => d.attempts === 0)).toBe(true);
  });

  it('retries the render job while a back-office system is down', async () => {
    p.bo.control('crm', { down: true });
    const failed = failures(QueueName.RENDER);
    const communication = await p.send({ chain: [Channel.EMAIL], recipient: 'claire.martin@example.com' });
    const job = await failed((j) => (j.data as { communicationId: string }).communicationId === communication.id);
    expect(job.failedReason).toMatch(/crm/i);
    expect((await p.repository.get(communication.id))!.status).toBe(CommunicationStatus.RENDERING);
    p.bo.control('crm', { down: false });
    const done = await p.waitFor(communication.id, settled);
    expect(done.status).toBe(CommunicationStatus.DELIVERED);
  });

  it('fails the deliveries after the last render attempt when the back-office stays down', async () => {
    p.bo.control('catalog', { down: true });
    try {
      const communication = await p.send({ chain: [Channel.EMAIL], recipient: 'claire.martin@example.com' });
      const done = await p.waitFor(communication.id, settled);
      expect(done.status).toBe(CommunicationStatus.FAILED);
      const [delivery] = await deliveriesOf(communication.id);
      expect(delivery.error).toMatch(/^render failed: The catalog system is unavailable/);
      // The deliveries are marked inside the last attempt; BullMQ records the attempt just after.
      let job = await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id);
      for (let i = 0; i < 50 && job!.attemptsMade < 3; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
        job = await p.dispatcher.queue(QueueName.RENDER).getJob(communication.id);
      }
      expect(job!.attemptsMade).toBe(3);
    } finally {
      p.bo.control('catalog', { down: false });
    }
  });

  async function waitForJob(queue: QueueId, jobId: string, timeoutMs = 5_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await p.dispatcher.queue(queue).getJob(jobId);
      // Read again once completed: the object fetched before may predate the return value.
      if (job && (await job.getState()) === 'completed') return (await p.dispatcher.queue(queue).getJob(jobId))!;
      if (Date.now() > deadline) throw new Error(`job ${jobId}: expected it completed within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
});
