import { SmtpEmailProvider } from '../../src/channels/email/email.smtp';
import { Channel, DeliveryStatus } from '../../src/domain';
import { documentReaderOf } from '../../src/jobs/document.reader';
import { deliverJobId } from '../../src/jobs/dispatcher';
import { deliverQueueOf } from '../../src/jobs/queue.names';
import { startWorkers, type RunningWorkers } from '../../src/jobs/workers';
import { FROM, sender, settled, startPipeline, type Pipeline } from '../jobs.harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('shutdown: a job still running after the grace period', () => {
  let p: Pipeline;
  let email: SmtpEmailProvider;
  const running: RunningWorkers[] = [];

  const start = async (): Promise<RunningWorkers> => {
    const workers = await startWorkers({
      connection: p.redisUrl,
      prefix: p.prefix,
      repository: p.repository,
      archive: p.archive,
      backoffice: p.backoffice,
      templates: p.templates,
      channels: p.channels,
      providers: { [Channel.EMAIL]: email },
      events: p.events,
      dispatcher: p.dispatcher,
      sender,
      concurrency: { render: 1, email: 1, sms: 1, letter: 1, portal: 1 },
      sweepIntervalMs: 0,
      shutdownGraceMs: 300,
    });
    running.push(workers);
    return workers;
  };

  beforeAll(async () => {
    p = await startPipeline('release');
    // The pipeline's own workers would take the job; these tests bring theirs.
    await p.workers.close();
    email = new SmtpEmailProvider({ url: p.mail.url, from: FROM, documents: documentReaderOf(p.archive) });
  });
  afterAll(async () => {
    await Promise.all(running.map((w) => w.close()));
    await email?.close();
    await p?.close();
  });

  it('is handed back to the queue before it sends, and the next worker sends it once', async () => {
    const first = await start();
    // The deliver job of a PENDING delivery renders in place: with a slow CRM it is still short of sending when the grace ends.
    const communication = await p.send({ chain: [Channel.EMAIL] }, { enqueue: false });
    await p.repository.markQueued(communication.id);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    p.bo.control('crm', { latencyMs: 1_200 });
    const jobId = deliverJobId(delivery.id, delivery.version);
    await p.dispatcher.dispatchDelivery(delivery.id, Channel.EMAIL, { priority: communication.priority, generation: delivery.version });
    const queue = p.dispatcher.queue(deliverQueueOf(Channel.EMAIL));
    for (let i = 0; (await queue.getJobState(jobId)) !== 'active'; i += 1) {
      if (i > 200) throw new Error(`job ${jobId}: expected it active, got ${await queue.getJobState(jobId)}`);
      await sleep(10);
    }

    const closing = Date.now();
    await first.close();
    const closedInMs = Date.now() - closing;
    p.bo.control('crm', { latencyMs: 0 });
    const job = await queue.getJob(jobId);
    const state = await queue.getJobState(jobId);
    const [[handedBack]] = await p.repository.deliveriesOf([communication.id]);
    // Back in the queue, no attempt spent, nothing claimed or sent.
    expect(['waiting', 'prioritized']).toContain(state);
    expect(job?.attemptsMade).toBe(0);
    expect(handedBack.status).not.toBe(DeliveryStatus.SENDING);
    expect(handedBack.attempts).toBe(0);
    expect(p.mail.messages).toHaveLength(0);
    // Grace (300 ms), then the time the job needed to reach its safe point (the CRM answer), not the full hand-back budget.
    expect(closedInMs).toBeGreaterThanOrEqual(300);
    expect(closedInMs).toBeLessThan(2_500);

    await start();
    const done = await p.waitFor(communication.id, settled, 10_000);
    const [[sent]] = await p.repository.deliveriesOf([communication.id]);
    console.log(`[faults] shutdown hand-back: closedInMs=${closedInMs} stateAfterClose=${state} final=${done.status} attempts=${sent.attempts} messages=${p.mail.messages.length}`);
    expect(sent).toMatchObject({ status: DeliveryStatus.SENT, attempts: 1 });
    expect(p.mail.messages.filter((m) => m.messageId === sent.providerMessageId)).toHaveLength(1);
  }, 30_000);
});
