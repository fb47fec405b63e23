import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { checkPrefix, jobOptionsFor, QueueName } from '../jobs/queue.names';
import { createRedis, redisOptionsFor } from '../jobs/redis.connection';
import { closePrintBatch, PrintBatchBusyError, type CloseOptions, type PrintCloserDeps } from './print-batch.closer';

const SCHEDULER_ID = 'close-print-batch';

export interface PrintSchedulerDeps {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly closer: PrintCloserDeps;
  /** How often a batch is closed (`PRINT_BATCH_INTERVAL_MS`, hourly by default); 0: no schedule (the mutation still works). */
  readonly intervalMs: number;
  readonly close: CloseOptions;
}

/**
 * The scheduled closing of print batches: a BullMQ job scheduler (one schedule
 * across all worker processes, upserted by each) and a worker that runs the
 * closer. A run that finds another closing under way does nothing.
 */
export async function startPrintScheduler(deps: PrintSchedulerDeps): Promise<{ close(): Promise<void> }> {
  const prefix = checkPrefix(deps.prefix);
  const { intervalMs } = deps;
  const connection = createRedis(deps.redisUrl, 'producer', 'ccm-print-scheduler');
  connection.on('error', () => undefined);
  const queue = new Queue(QueueName.PRINT, { connection, prefix });
  // Without a listener, every failed reconnect while Redis is away is printed to the console.
  queue.on('error', () => undefined);
  if (intervalMs > 0) {
    await queue.upsertJobScheduler(SCHEDULER_ID, { every: intervalMs }, { name: 'close', data: {}, opts: jobOptionsFor(QueueName.PRINT) });
  } else {
    await queue.removeJobScheduler(SCHEDULER_ID);
  }
  const worker = new Worker(
    QueueName.PRINT,
    async () => {
      try {
        const batch = await closePrintBatch(deps.closer, deps.close);
        return batch ? { printBatchId: batch.id, letters: batch.letters } : { printBatchId: null, letters: 0 };
      } catch (error) {
        if (error instanceof PrintBatchBusyError) return { printBatchId: null, letters: 0 };
        throw error;
      }
    },
    { connection: redisOptionsFor(deps.redisUrl, 'worker') as ConnectionOptions, prefix, concurrency: 1 },
  );
  worker.on('error', (error) => deps.closer.logger.error({ queue: QueueName.PRINT, err: error.message }, 'worker error'));
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
