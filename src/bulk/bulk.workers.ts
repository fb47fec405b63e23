import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Backoffice } from '../connectors/backoffice';
import type { Dispatcher } from '../jobs/dispatcher';
import { silentLogger, type JobLogger } from '../jobs/pipeline.deps';
import { deliverQueueOf, QueueName, type JobOptionsOverrides } from '../jobs/queue.names';
import { createRedis, redisOptionsFor } from '../jobs/redis.connection';
import type { ChannelRegistry } from '../channels/registry';
import type { TemplateCatalog } from '../render/template.catalog';
import type { StatusFeed } from '../services/status.feed';
import type { CommunicationRepository } from '../store/communication.repository';
import { createRedisBatchEvents } from './batch.events';
import { BatchMonitor } from './batch.monitor';
import { BatchProgressQueries } from '../store/batch-progress.queries';
import { BatchRepository } from '../store/batch.repository';
import { BulkQueue, type BulkJobData } from './bulk.queue';
import { cancelBatchCommunications } from './cancel.processor';
import { processExpandJob, type ExpandDeps } from './expand.processor';

export interface BulkWorkerDeps {
  readonly redisUrl: string;
  readonly dataSource: DataSource;
  readonly repository: CommunicationRepository;
  readonly backoffice: Backoffice;
  readonly templates: TemplateCatalog;
  /** Published template versions, synced before use so a run takes the version active now; absent: the files only. */
  readonly templateVersions?: { sync(): Promise<void> };
  readonly channels: ChannelRegistry;
  /** The pipeline's producer: its render queue and prefix. */
  readonly dispatcher: Dispatcher;
  /** The delivery status events (the gateway's `StatusEvents`): bulk deliveries announce PENDING too. */
  readonly statusEvents: Pick<StatusFeed, 'publish'>;
  readonly logger?: JobLogger;
  /** Bulk jobs at once in this process (chunks of different batches). Default 2. */
  readonly concurrency?: number;
  /** Progress and completion pass; default 1_000 ms, 0 turns the monitor off in this process. */
  readonly monitorIntervalMs?: number;
  /** See ExpandDeps. */
  readonly highWater?: number;
  readonly clock?: () => Date;
  /** Over the job system's defaults (GatewayOptions.jobOptions): `bulk` for the next chunks, `render` for the communications. */
  readonly jobOptions?: JobOptionsOverrides;
}

export interface RunningBulkWorkers {
  readonly monitor: BatchMonitor | null;
  close(): Promise<void>;
}

/** The bulk queue's worker (expand and cancel jobs) and the batch monitor, for a worker process. */
export async function startBulkWorkers(deps: BulkWorkerDeps): Promise<RunningBulkWorkers> {
  const logger = deps.logger ?? silentLogger();
  const clock = deps.clock ?? (() => new Date());
  const prefix = deps.dispatcher.prefix;
  const store = new BatchRepository(deps.dataSource, clock);
  const bulkQueue = new BulkQueue({ connection: deps.redisUrl, prefix, jobOptions: deps.jobOptions });
  const renderQueue = deps.dispatcher.queue(QueueName.RENDER);
  const deliverQueues = new Map(deps.channels.ids.map((channel) => [channel, deps.dispatcher.queue(deliverQueueOf(channel))] as const));
  const expand: ExpandDeps = {
    store,
    repository: deps.repository,
    backoffice: deps.backoffice,
    templates: deps.templates,
    templateVersions: deps.templateVersions,
    channels: deps.channels,
    renderQueue,
    deliverQueues,
    bulkQueue,
    events: deps.statusEvents,
    logger,
    clock,
    highWater: deps.highWater,
    jobOptions: deps.jobOptions,
  };
  const worker = new Worker<BulkJobData>(
    QueueName.BULK,
    async (job: Job<BulkJobData>) => {
      const data = job.data;
      if (data.kind === 'cancel') return cancelBatchCommunications({ store, repository: deps.repository, renderQueue, deliverQueues, logger }, data.batchId);
      return processExpandJob(expand, job, data.batchId, data.chunk);
    },
    { connection: redisOptionsFor(deps.redisUrl, 'worker') as ConnectionOptions, prefix, concurrency: deps.concurrency ?? 2 },
  );
  worker.on('error', (error) => logger.error({ queue: QueueName.BULK, err: error.message }, 'worker error'));
  await worker.waitUntilReady();

  const intervalMs = deps.monitorIntervalMs ?? 1_000;
  const redis = createRedis(deps.redisUrl, 'client', 'ccm-batch-monitor');
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
  const events = createRedisBatchEvents({ redisUrl: deps.redisUrl, channel: `${prefix}:batch-progress`, onError: (error) => logger.warn({ err: (error as Error).message }, 'batch events') });
  const monitor =
    intervalMs > 0 ? new BatchMonitor({ store, progress: new BatchProgressQueries(deps.dataSource, clock), events, bulkQueue, redis, prefix, logger, intervalMs }) : null;
  monitor?.start();

  let closing: Promise<void> | null = null;
  return {
    monitor,
    close: () =>
      (closing ??= (async () => {
        await monitor?.stop();
        await worker.close();
        await Promise.all([bulkQueue.close(), events.close(), redis.quit().catch(() => redis.disconnect())]);
      })()),
  };
}
