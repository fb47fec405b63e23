import { Queue, type JobsOptions } from 'bullmq';
import type IORedis from 'ioredis';
import { checkPrefix, DEFAULT_PREFIX } from '../jobs/queue.names';
import { createRedis, type RedisConnectionInput } from '../jobs/redis.connection';

/** The bulk queue, under the pipeline's prefix (same hash tag, so Redis Cluster stays possible). */
export const BULK_QUEUE = 'bulk';

/** Jobs carry ids only. `expand`: read one chunk of targets and record and queue its communications. */
export type BulkJobData =
  | { readonly kind: 'expand'; readonly batchId: string; readonly chunk: number }
  | { readonly kind: 'cancel'; readonly batchId: string };

/** Deterministic ids: a repeated hand-over of the same chunk is one job. */
export const expandJobId = (batchId: string, chunk: number): string => `${batchId}.c${chunk}`;
export const cancelJobId = (batchId: string): string => `${batchId}.cancel`;

/**
 * 10 attempts from 2 s doubling (about half an hour): a chunk waits out a
 * back-office restart; after the last one the batch ends FAILED. History is
 * bounded like the pipeline's.
 */
export const BULK_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 },
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 86_400, count: 5_000 },
};

export interface BulkQueueOptions {
  readonly connection: RedisConnectionInput;
  /** Default "{ccm}"; must be the dispatcher's. */
  readonly prefix?: string;
  /** Over BULK_JOB_OPTIONS (tests use short backoffs). */
  readonly jobOptions?: Partial<JobsOptions>;
}

/** The producer side of the bulk queue (API processes, and the expand job handing on to the next chunk). */
export class BulkQueue {
  readonly prefix: string;
  readonly queue: Queue<BulkJobData>;
  private readonly connection: IORedis;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: BulkQueueOptions) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.connection = createRedis(options.connection, 'producer', 'ccm-bulk-producer');
    this.connection.on('error', () => undefined); // reported through the calls themselves
    this.queue = new Queue<BulkJobData>(BULK_QUEUE, { connection: this.connection, prefix: this.prefix });
  }

  async expand(batchId: string, chunk: number, delayMs = 0): Promise<void> {
    await this.queue.add('expand', { kind: 'expand', batchId, chunk }, { ...BULK_JOB_OPTIONS, ...this.options.jobOptions, jobId: expandJobId(batchId, chunk), delay: delayMs });
  }

  async cancel(batchId: string): Promise<void> {
    await this.queue.add('cancel', { kind: 'cancel', batchId }, { ...BULK_JOB_OPTIONS, ...this.options.jobOptions, jobId: cancelJobId(batchId) });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.connection.quit().catch(() => this.connection.disconnect());
    })();
    return this.closing;
  }
}
