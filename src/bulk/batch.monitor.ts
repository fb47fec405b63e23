import type IORedis from 'ioredis';
import type { JobLogger } from '../jobs/pipeline.deps';
import { BatchStatus } from '../store/batch-status';
import type { BatchEvents } from './batch.events';
import type { BatchProgressQueries, BatchProgressSnapshot } from '../store/batch-progress.queries';
import type { BatchRepository } from '../store/batch.repository';
import type { BulkQueue } from './bulk.queue';

export interface BatchMonitorOptions {
  readonly store: BatchRepository;
  readonly progress: BatchProgressQueries;
  readonly events: BatchEvents;
  readonly bulkQueue: BulkQueue;
  readonly redis: IORedis;
  readonly prefix: string;
  readonly logger: JobLogger;
  /** Default 1_000 ms. */
  readonly intervalMs?: number;
  /** Runs looked at per tick, oldest first. Default 50. */
  readonly limit?: number;
}

/** At most this share of the time goes to one run's progress snapshots. */
const PROGRESS_SHARE = 0.05;

/**
 * Every interval, in one worker process at a time (a Redis lock held for one
 * interval): the progress of each active run is computed and published when it
 * changed, a RUNNING run whose communications have all settled becomes
 * COMPLETED, and an EXPANDING run gets its next chunk job again (the job id
 * makes that a no-op unless a crash lost it). A run whose snapshot takes long
 * (a large one) is looked at less often: its snapshots take at most 5 % of
 * the time.
 */
export class BatchMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly last = new Map<string, string>();
  /** Per run: when its next snapshot is due (see `PROGRESS_SHARE`). */
  private readonly due = new Map<string, number>();

  constructor(private readonly options: BatchMonitorOptions) {}

  start(): void {
    const intervalMs = this.options.intervalMs ?? 1_000;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error: unknown) => this.options.logger.warn({ err: (error as Error).message }, 'batch monitor tick failed'))
        .finally(() => (this.running = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; public so tests and operators can force one. */
  async tick(): Promise<void> {
    const { store, progress, redis, prefix } = this.options;
    const intervalMs = this.options.intervalMs ?? 1_000;
    const lock = await redis.set(`${prefix}:batch-monitor`, String(process.pid), 'PX', intervalMs, 'NX');
    if (lock !== 'OK') return;
    const batches = await store.active(this.options.limit ?? 50);
    const seen = new Set<string>();
    for (const batch of batches) {
      seen.add(batch.id);
      if (batch.status === BatchStatus.EXPANDING) await this.options.bulkQueue.expand(batch.id, batch.nextChunk).catch(() => undefined);
      if (Date.now() < (this.due.get(batch.id) ?? 0)) continue;
      const started = Date.now();
      let snapshot = await progress.snapshot(batch);
      // The snapshot counts every member of the run: at 100,000 members it takes long enough that once a second
      // would slow the run it reports on (on SQLite it holds the process's one connection meanwhile). Taken again
      // only once the process has spent PROGRESS_SHARE⁻¹ times as long on other things.
      this.due.set(batch.id, started + (Date.now() - started) / PROGRESS_SHARE);
      if (batch.status === BatchStatus.RUNNING && snapshot.settled >= snapshot.queued) {
        if (await store.setStatus(batch.id, [BatchStatus.RUNNING], BatchStatus.COMPLETED)) {
          snapshot = { ...snapshot, status: BatchStatus.COMPLETED, done: true };
          this.options.logger.info({ batchId: batch.id, queued: snapshot.queued, failed: snapshot.failed }, 'bulk batch completed');
        }
      }
      await this.publish(snapshot);
    }
    for (const id of this.last.keys()) if (!seen.has(id)) this.last.delete(id);
    for (const id of this.due.keys()) if (!seen.has(id)) this.due.delete(id);
  }

  private async publish(snapshot: BatchProgressSnapshot): Promise<void> {
    const { at: _at, ...counts } = snapshot;
    const key = JSON.stringify(counts);
    if (this.last.get(snapshot.batchId) === key) return;
    this.last.set(snapshot.batchId, key);
    await this.options.events.publish(snapshot).catch((error: unknown) => this.options.logger.warn({ batchId: snapshot.batchId, err: (error as Error).message }, 'batch progress not published'));
  }
}
