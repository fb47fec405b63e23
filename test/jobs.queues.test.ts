import { Dispatcher } from '../src/jobs/dispatcher';
import { QueueName } from '../src/jobs/queue.names';
import { BulkQueue } from '../src/bulk/bulk.queue';
import { freshPrefix, redisUrl } from './jobs.harness';

// Bulk and print queues belong to the one job system: named in QueueName, optioned by jobOptionsFor, counted and listed by the dispatcher.
describe('bulk and print queues in the job system', () => {
  const prefix = freshPrefix('queues');
  let dispatcher: Dispatcher;
  let bulk: BulkQueue;
  beforeAll(() => {
    dispatcher = new Dispatcher({ connection: redisUrl(), prefix });
    bulk = new BulkQueue({ connection: redisUrl(), prefix, jobOptions: { bulk: { attempts: 3 } } });
  });
  afterAll(async () => {
    await bulk?.close();
    await dispatcher?.close();
  });

  it('counts a bulk job and lists both queues for the dashboard', async () => {
    await bulk.expand('batch-1', 0, 60_000);
    const counts = await dispatcher.queueCounts();
    expect(counts[QueueName.BULK].delayed).toBe(1);
    expect(counts[QueueName.PRINT]).toEqual({ waiting: 0, prioritized: 0, delayed: 0, active: 0, completed: 0, failed: 0 });
    expect(dispatcher.queues().map((q) => q.name)).toEqual(expect.arrayContaining([QueueName.BULK, QueueName.PRINT, QueueName.RENDER]));
  });

  it('gives bulk jobs the job system’s options, with the caller’s overrides on top', async () => {
    const job = await dispatcher.queue(QueueName.BULK).getJob('batch-1.c0');
    expect(job?.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 3_600, count: 1_000 } });
  });
});
