import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type IORedis from 'ioredis';
import { takesPreferenceWrites, type CustomerDirectory } from '../connectors/backoffice';
import { silentLogger, type JobLogger } from '../jobs/pipeline.deps';
import { checkPrefix, DEFAULT_PREFIX, jobOptionsFor, QueueName, type JobOptionsOverrides } from '../jobs/queue.names';
import { createRedis, redisOptionsFor, type RedisConnectionInput } from '../jobs/redis.connection';
import type { PreferenceRepository } from '../store/preference.repository';

/** The write-through queue of the job system, under the pipeline's prefix (same hash tag, so Redis Cluster stays possible). */
export const PREFERENCE_SYNC_QUEUE = QueueName.SYNC_PREFERENCES;

/** Ids only: the job reads the overlay when it runs, so a later change is written too. `sweep` jobs carry nothing. */
export interface PreferenceSyncJobData {
  readonly customerId?: string;
}

const SWEEP_SCHEDULER_ID = 'sweep-unsynced-preferences';
/** Overlays handed over by a sweep run, at most. */
const SWEEP_BATCH = 200;
/** Job states in which a job will still run. */
const LIVE = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);

/** One job per overlay version: the same change handed over twice is one job. */
export const preferenceSyncJobId = (customerId: string, version: number): string => `${customerId}.v${version}`;

/** The `capped` backoff: doubling from the job's delay, never more than 10 minutes. */
export function cappedBackoff(attemptsMade: number, _type?: string, _error?: Error, job?: { opts: JobsOptions }): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : 5_000;
  return Math.min(600_000, Math.round(base * 2 ** Math.max(0, attemptsMade - 1)));
}

export interface PreferenceSyncQueueOptions {
  readonly connection: RedisConnectionInput;
  /** Default "{ccm}"; must be the dispatcher's. */
  readonly prefix?: string;
  /** Over the job system's defaults (`jobOptionsFor`); only the `sync-preferences` entry applies here. */
  readonly jobOptions?: JobOptionsOverrides;
}

/** The producer side: the API hands a changed overlay to the write-through. */
export class PreferenceSyncQueue {
  readonly queue: Queue<PreferenceSyncJobData>;
  private readonly connection: IORedis;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: PreferenceSyncQueueOptions) {
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.connection = createRedis(options.connection, 'producer', 'ccm-preference-sync');
    this.connection.on('error', () => undefined); // reported through the calls themselves
    this.queue = new Queue<PreferenceSyncJobData>(PREFERENCE_SYNC_QUEUE, { connection: this.connection, prefix });
    this.queue.on('error', () => undefined);
  }

  async enqueue(customerId: string, version: number): Promise<void> {
    await this.queue.add('sync', { customerId }, { ...jobOptionsFor(QueueName.SYNC_PREFERENCES, this.options.jobOptions), jobId: preferenceSyncJobId(customerId, version) });
  }

  /** Hands an overlay over again whose job was lost or ran out of attempts; a live job is left alone. */
  async reenqueue(customerId: string, version: number): Promise<void> {
    const id = preferenceSyncJobId(customerId, version);
    const state = await this.queue.getJobState(id);
    if (LIVE.has(state)) return;
    if (state !== 'unknown') await this.queue.remove(id);
    await this.enqueue(customerId, version);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close();
      await this.connection.quit().catch(() => this.connection.disconnect());
    })();
    return this.closing;
  }
}

export interface PreferenceSyncDeps {
  readonly repository: PreferenceRepository;
  /** The CRM itself (not the overlay directory). */
  readonly crm: CustomerDirectory;
  readonly logger?: JobLogger;
}

/**
 * Writes the whole overlay of one customer to the CRM (idempotent: the same
 * overlay twice leaves the same record) and marks the version written. A CRM
 * that is down throws, and BullMQ retries; a CRM without the customer, or
 * without writes, ends the job.
 */
export async function syncPreferences(deps: PreferenceSyncDeps, customerId: string): Promise<'synced' | 'up-to-date'> {
  const row = await deps.repository.get(customerId);
  if (!row || row.syncedVersion >= row.version) return 'up-to-date';
  if (!takesPreferenceWrites(deps.crm)) throw new UnrecoverableError('the CRM takes no preference writes');
  const known = await deps.crm.updatePreferences(customerId, row.values);
  if (!known) throw new UnrecoverableError('the CRM has no such customer');
  await deps.repository.markSynced(customerId, row.version);
  return 'synced';
}

export interface PreferenceSyncWorkerOptions extends PreferenceSyncDeps {
  readonly connection: RedisConnectionInput;
  readonly prefix?: string;
  /** Default 2. */
  readonly concurrency?: number;
  /**
   * How often a sweep job (a BullMQ job scheduler, one across all worker
   * processes) hands over overlays the CRM has not accepted and that have no
   * live job: a queue that was unreachable when the change was made, or a CRM
   * down for longer than the attempts last. Default 60_000 ms; 0: no sweep.
   */
  readonly sweepEveryMs?: number;
}

/** The worker side, for worker processes. */
export async function startPreferenceSyncWorker(options: PreferenceSyncWorkerOptions): Promise<{ readonly worker: Worker; close(): Promise<void> }> {
  const logger = options.logger ?? silentLogger();
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const producer = new PreferenceSyncQueue({ connection: options.connection, prefix });
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  if (sweepEveryMs > 0) {
    await producer.queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: sweepEveryMs }, { name: 'sweep', data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
  }
  const sweep = async (): Promise<number> => {
    const rows = await options.repository.unsynced(SWEEP_BATCH);
    for (const row of rows) await producer.reenqueue(row.customerId, row.version);
    return rows.length;
  };
  const worker = new Worker<PreferenceSyncJobData>(
    PREFERENCE_SYNC_QUEUE,
    (job: Job<PreferenceSyncJobData>) => (job.name === 'sweep' || !job.data.customerId ? sweep() : syncPreferences(options, job.data.customerId)),
    {
      connection: redisOptionsFor(options.connection, 'worker') as ConnectionOptions,
      prefix,
      concurrency: options.concurrency ?? 2,
      settings: { backoffStrategy: cappedBackoff },
    },
  );
  worker.on('error', (error) => logger.error({ queue: PREFERENCE_SYNC_QUEUE, err: error.message }, 'worker error'));
  worker.on('failed', (job, error) => logger.warn({ queue: PREFERENCE_SYNC_QUEUE, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message }, 'preference write-through attempt failed'));
  await worker.waitUntilReady();
  return {
    worker,
    close: async () => {
      await worker.close();
      await producer.close();
    },
  };
}
