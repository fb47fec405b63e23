import { performance } from 'node:perf_hooks';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { defaultJobOptions, QueueName } from '../src/jobs/queue.names';
import { redisOptionsFor } from '../src/jobs/redis.connection';

export interface RawBullmqResult {
  readonly jobs: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
}

export interface RawBullmqOptions {
  readonly redisUrl: string;
  /** A prefix of its own, so the gateway's queues are not touched. */
  readonly prefix: string;
  readonly jobs: number;
  /** The worker's concurrency: the gateway's WORKER_CONCURRENCY. */
  readonly concurrency: number;
  /** Adds in flight at once: the pipeline's mutations in flight. */
  readonly producers: number;
}

/**
 * The queue's own limit on this machine: `jobs` trivial jobs added one by one
 * (as sendCommunication adds its render job) with the pipeline's job options
 * (priority, attempts, bounded history), processed by one Worker at the
 * gateway's concurrency, from the first add to the last completion.
 */
export async function benchRawBullmq(options: RawBullmqOptions): Promise<RawBullmqResult> {
  // ioredis types `retryStrategy` more loosely than BullMQ's copy of them; the options are ioredis's own.
  const queue = new Queue('raw', { connection: redisOptionsFor(options.redisUrl, 'producer') as ConnectionOptions, prefix: options.prefix });
  let completed = 0;
  let lastAt = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const worker = new Worker('raw', async () => 'ok', {
    connection: redisOptionsFor(options.redisUrl, 'worker') as ConnectionOptions,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('completed', () => {
    completed += 1;
    lastAt = performance.now();
    if (completed === options.jobs) resolveDone();
  });
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    const jobOptions = { ...defaultJobOptions(QueueName.RENDER), priority: 3 };
    let next = 0;
    const t0 = performance.now();
    const producer = async (): Promise<void> => {
      while (next < options.jobs) {
        const i = next++;
        await queue.add('trivial', { i }, { ...jobOptions, jobId: `raw-${i}` });
      }
    };
    await Promise.all(Array.from({ length: options.producers }, producer));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`raw BullMQ: expected ${options.jobs} completions, got ${completed} after 120 s`)), 120_000).unref());
    await Promise.race([done, timeout]);
    const seconds = (lastAt - t0) / 1000;
    return { jobs: options.jobs, concurrency: options.concurrency, seconds, jobsPerSecond: options.jobs / seconds };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}
