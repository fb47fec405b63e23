import { Worker, type ConnectionOptions, type Job, type MinimalJob, type RateLimiterOptions } from 'bullmq';
import DataLoader from 'dataloader';
import type { Backoffice } from '../connectors/backoffice';
import type { CustomerRecord } from '../domain';
import { TransientDeliveryError } from '../channels/channel';
import { ArtifactStore } from './artifact.store';
import { deliverProcessor } from './deliver.processor';
import { escalateProcessor } from './escalation';
import { escalationReadKinds } from '../store/escalation.rules';
import { OutboxSweeper } from './outbox.sweeper';
import { silentLogger, type JobLogger, type PipelineDeps } from './pipeline.deps';
import { checkPrefix, DEFAULT_PREFIX, deliverQueueOf, QueueName, type QueueId } from './queue.names';
import { createRedis, redisOptionsFor, type RedisConnectionInput } from './redis.connection';
import { renderProcessor } from './render.processor';
import { SendReceipts } from './send.receipts';
import { tracedProcessor } from '../telemetry/job.trace';

/** `render`, or a channel module's key (`email`, `sms`, …): what concurrency and rate limits are set per. */
export type WorkerKind = string;

/** What the processors share, as the caller provides it (`startWorkers` adds the Redis-backed parts, the logger and the clock). */
type SharedPipelineDeps = Pick<PipelineDeps, 'repository' | 'archive' | 'backoffice' | 'templates' | 'templateVersions' | 'attachmentPasswordField' | 'attachmentPasswordSecret' | 'channels' | 'providers' | 'events' | 'dispatcher' | 'sender' | 'letters' | 'links' | 'onRendered' | 'quietHours'>;

export interface WorkerDeps extends SharedPipelineDeps {
  readonly connection: RedisConnectionInput;
  /** Must match the dispatcher's; default "{ccm}". */
  readonly prefix?: string;
  /** Jobs run at once per queue, in this process: `render` and each channel key; a kind left out runs `defaultConcurrency`. */
  readonly concurrency: Readonly<Partial<Record<WorkerKind, number>>>;
  /** For kinds `concurrency` leaves out; default 8. */
  readonly defaultConcurrency?: number;
  /** Per queue, across all processes (BullMQ's global rate limit), e.g. `{ sms: { max: 10, duration: 1_000 } }`. */
  readonly limiter?: Partial<Readonly<Record<WorkerKind, RateLimiterOptions>>>;
  /** Outbox sweep period; default 5_000 ms. 0 turns the sweeper off in this process. */
  readonly sweepIntervalMs?: number;
  /** Rows younger than this are left to their writer; default twice the sweep period. */
  readonly sweepGraceMs?: number;
  /** Handed-over deliveries untouched this long are checked for a lost job; default three sweep periods. */
  readonly staleAfterMs?: number;
  /** Times a delivery may lose its job before the sweeper fails it instead of handing it over again; default 5. */
  readonly maxLostJobs?: number;
  /** How long rendered email/SMS texts wait for their deliver job; default 24 h. */
  readonly artifactTtlMs?: number;
  /**
   * BullMQ job lock, renewed every half of it; default 10_000 ms. A worker
   * that dies leaves its jobs locked this long before another one may take
   * them, and a worker whose event loop stalls longer loses them.
   */
  readonly lockDurationMs?: number;
  /** How often each worker looks for jobs whose lock expired (their worker died); default 5_000 ms. */
  readonly stalledIntervalMs?: number;
  /**
   * Times a job may be taken back from a dead worker before BullMQ fails it;
   * default 5 (killed workers are not the job's fault). The sweeper hands a
   * delivery whose job failed that way over again.
   */
  readonly maxStalledCount?: number;
  /** On close: how long running jobs may finish before those not yet sending are handed back; default 10_000 ms. */
  readonly shutdownGraceMs?: number;
  readonly logger?: JobLogger;
  /** Default: the system clock. */
  readonly clock?: () => Date;
  /** `ESCALATION_STOP_ON_OPEN`: an email open counts as read for escalations; default false. */
  readonly escalationStopOnOpen?: boolean;
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  /** Null when `sweepIntervalMs` is 0. */
  readonly sweeper: OutboxSweeper | null;
  /**
   * Stops taking jobs and the sweeper, lets running jobs finish within the
   * grace period, then hands back those that have not started sending and
   * leaves any others to the stalled-job check of other workers; closes this
   * module's connections (not the dispatcher or events).
   */
  close(): Promise<void>;
}


/**
 * Send-time reads of the customer, batched across the deliver jobs running at
 * the same moment (one CRM lookup and one overlay query for up to 500 of
 * them) and never cached: each send sees the record as it is now.
 */
function currentCustomers(backoffice: Backoffice): (customerId: string) => Promise<CustomerRecord | null> {
  const loader = new DataLoader<string, CustomerRecord | null>(
    async (ids) => {
      try {
        return [...(await backoffice.crm.getCustomers(ids))];
      } catch (error) {
        return ids.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, 2) },
  );
  return (customerId) => loader.load(customerId);
}

/**
 * Exponential from the job's backoff delay, but never sooner than a provider's
 * Retry-After (capped at an hour, so a confused header cannot park a job for days).
 */
export function providerBackoff(attemptsMade: number, _type?: string, error?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : 2_000;
  const exponential = Math.round(2 ** Math.max(0, attemptsMade - 1) * base);
  const retryAfter = error instanceof TransientDeliveryError && error.retryAfterMs ? Math.min(error.retryAfterMs, 3_600_000) : 0;
  return Math.max(exponential, retryAfter);
}

/**
 * One BullMQ Worker per queue, each with its own concurrency and rate limit,
 * plus the outbox sweeper. Any number of processes may run this against one
 * Redis and one database.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const prefix = checkPrefix(deps.prefix ?? DEFAULT_PREFIX);
  if (prefix !== deps.dispatcher.prefix) {
    throw new Error(`prefix: expected the dispatcher's prefix ${JSON.stringify(deps.dispatcher.prefix)}, got ${JSON.stringify(prefix)}`);
  }
  const logger = deps.logger ?? silentLogger();
  const redis = createRedis(deps.connection, 'client', 'ccm-workers');
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
  const { repository, archive, backoffice, templates, templateVersions, attachmentPasswordField, attachmentPasswordSecret, channels, providers, events, dispatcher, sender, letters, links, onRendered } = deps;
  const pipeline: PipelineDeps = {
    repository,
    archive,
    backoffice,
    templates,
    templateVersions,
    attachmentPasswordField,
    attachmentPasswordSecret,
    channels,
    providers,
    events,
    dispatcher,
    sender,
    letters,
    links,
    onRendered,
    quietHours: deps.quietHours ?? null,
    currentCustomer: currentCustomers(backoffice),
    artifacts: new ArtifactStore(redis, { prefix, ttlMs: deps.artifactTtlMs }),
    receipts: new SendReceipts(redis, { prefix }),
    logger,
    clock: deps.clock ?? (() => new Date()),
  };

  const lockDurationMs = deps.lockDurationMs ?? 10_000;
  // The render queue, escalations, then one deliver queue per channel module that has a provider here (bulk and print run their own, src/bulk and src/print).
  const queues: { name: QueueId; kind: WorkerKind }[] = [
    { name: QueueName.RENDER, kind: 'render' },
    { name: QueueName.ESCALATE, kind: 'escalate' },
    ...channels.modules.filter((m) => providers[m.id]).map((m) => ({ name: deliverQueueOf(m.id), kind: m.key })),
  ];
  const readKinds = escalationReadKinds(deps.escalationStopOnOpen ?? false);
  const processorOf = (name: QueueId): ((job: Job, token?: string) => Promise<unknown>) => {
    if (name === QueueName.RENDER) return renderProcessor(pipeline) as (job: Job) => Promise<unknown>;
    if (name === QueueName.ESCALATE) return escalateProcessor(pipeline, readKinds) as (job: Job, token?: string) => Promise<unknown>;
    return deliverProcessor(pipeline, { lockDurationMs }) as (job: Job, token?: string) => Promise<unknown>;
  };
  const workers = queues.map(({ name, kind }) => {
    const processor = tracedProcessor(name, processorOf(name));
    const worker = new Worker(name, processor as (job: Job) => Promise<unknown>, {
      // ioredis types `retryStrategy` more loosely than BullMQ's copy of them; the options are ioredis's own.
      connection: redisOptionsFor(deps.connection, 'worker') as ConnectionOptions,
      prefix,
      concurrency: deps.concurrency[kind] ?? deps.defaultConcurrency ?? 8,
      ...(deps.limiter?.[kind] ? { limiter: deps.limiter[kind] } : {}),
      settings: { backoffStrategy: providerBackoff },
      lockDuration: lockDurationMs,
      stalledInterval: deps.stalledIntervalMs ?? 5_000,
      maxStalledCount: deps.maxStalledCount ?? 5,
    });
    // A Worker without an 'error' listener would crash the process on a connection hiccup.
    worker.on('error', (error) => logger.error({ queue: name, err: error.message }, 'worker error'));
    worker.on('failed', (job, error) =>
      logger.warn({ queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message }, 'job attempt failed'),
    );
    return worker;
  });
  try {
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  } catch (error) {
    await Promise.allSettled(workers.map((worker) => worker.close(true)));
    redis.disconnect();
    throw error;
  }

  const intervalMs = deps.sweepIntervalMs ?? 5_000;
  const sweeper = intervalMs > 0 ? new OutboxSweeper(pipeline, { redis, prefix, intervalMs, graceMs: deps.sweepGraceMs, staleAfterMs: deps.staleAfterMs, maxLostJobs: deps.maxLostJobs }) : null;
  sweeper?.start();
  logger.info({ prefix, queues: workers.map((w) => w.name) }, 'workers started');

  let closing: Promise<void> | null = null;
  return {
    workers,
    sweeper,
    close: () =>
      (closing ??= (async () => {
        await sweeper?.stop();
        // close() stops fetching at once and resolves when the running jobs are done.
        const finished = Promise.all(workers.map((worker) => worker.close()));
        const graceMs = deps.shutdownGraceMs ?? 10_000;
        if (!(await settlesWithin(finished, graceMs))) {
          logger.warn({ graceMs }, 'jobs still running after the shutdown grace period: handing back those not yet sending');
          for (const worker of workers) worker.cancelAllJobs('shutdown');
          if (!(await settlesWithin(finished, RELEASE_MS))) {
            // Their locks expire and another worker's stalled-job check takes them; an interrupted send is checked then.
            logger.warn({ queues: workers.length }, 'jobs still running: left to the other workers');
            await Promise.all(workers.map((worker) => worker.disconnect().catch(() => undefined)));
          }
        }
        await redis.quit().catch(() => redis.disconnect());
      })()),
  };
}

/** How long handed-back jobs get to reach their safe point after the grace period. */
const RELEASE_MS = 2_000;

/** True when `work` settled within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
