import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { checkPrefix, DEFAULT_PREFIX, jobOptionsFor, QueueName, type JobOptionsOverrides } from '../jobs/queue.names';
import { createRedis, type RedisConnectionInput } from '../jobs/redis.connection';

/** Jobs carry ids only. `expand`: read one chunk of targets and record and queue its communications. */
export type BulkJobData =
  | { readonly kind: 'expand'; readonly batchId: string; readonly chunk: number }
  | { readonly kind: 'cancel'; readonly batchId: string };

/** Deterministic ids: a repeated hand-over of the same chunk is one job. */
export const expandJobId = (batchId: string, chunk: number): string => `${batchId}.c${chunk}`;
export const cancelJobId = (batchId: string): string => `${batchId}.cancel`;

export interface BulkQueueOptions {
  readonly connection: RedisConnectionInput;
  /** Default "{ccm}"; must be the dispatcher's. */
  readonly prefix?: string;
  /** Over the job system's defaults (`jobOptionsFor`); only the `bulk` entry applies here. */
  readonly jobOptions?: JobOptionsOverrides;
}

/**
 * The producer side of the bulk queue (API processes, and the expand job
 * handing on to the next chunk): `QueueName.BULK` under the pipeline's prefix
 * (same hash tag, so Redis Cluster stays possible), job options from
 * `jobOptionsFor` like every queue of the job system.
 */
export class BulkQueue {
  readonly prefix: string;
  readonly queue: Queue<BulkJobData>;
  private readonly connection: IORedis;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: BulkQueueOptions) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.connection = createRedis(options.connection, 'producer', 'ccm-bulk-producer');
    this.connection.on('error', () => undefined); // reported through the calls themselves
    this.queue = new Queue<BulkJobData>(QueueName.BULK, { connection: this.connection, prefix: this.prefix });
  }

  async expand(batchId: string, chunk: number, delayMs = 0): Promise<void> {
    await this.queue.add('expand', { kind: 'expand', batchId, chunk }, { ...jobOptionsFor(QueueName.BULK, this.options.jobOptions), jobId: expandJobId(batchId, chunk), delay: delayMs });
  }

  async cancel(batchId: string): Promise<void> {
    await this.queue.add('cancel', { kind: 'cancel', batchId }, { ...jobOptionsFor(QueueName.BULK, this.options.jobOptions), jobId: cancelJobId(batchId) });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.connection.quit().catch(() => this.connection.disconnect());
    })();
    return this.closing;
  }
}
