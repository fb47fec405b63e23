import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { DeliveryStatus, Priority } from '../domain';
import { failDelivery, runFallback } from './delivery.fallback';
import { enqueueCommunication, enqueueDelivery } from './outbox.enqueue';
import type { PipelineDeps } from './pipeline.deps';

export interface OutboxSweeperOptions {
  /** Non-blocking connection for the lock. */
  readonly redis: IORedis;
  readonly prefix: string;
  /** Time between sweeps; default 5_000 ms. */
  readonly intervalMs?: number;
  /** Rows younger than this are left to the request that wrote them; default twice the interval. */
  readonly graceMs?: number;
  /** Rows per kind and sweep; default 200. */
  readonly batchSize?: number;
  /**
   * Handed-over deliveries untouched this long get their queue checked and,
   * when no job will run for them, a new one; default three intervals.
   */
  readonly staleAfterMs?: number;
  /**
   * Times one delivery may lose its job before the sweeper stops handing it
   * over and fails it (the next channel of its chain takes over); default 5.
   * A job that kills or stalls its worker every time would otherwise go round
   * for ever, neither delivered nor failed.
   */
  readonly maxLostJobs?: number;
}

export interface SweepReport {
  readonly communications: number;
  readonly deliveries: number;
  readonly fallbacks: number;
  /** Deliveries whose job was gone and which were handed over again. */
  readonly stale: number;
  /** Deliveries that lost their job more than `maxLostJobs` times and were failed instead. */
  readonly abandoned: number;
  /** Overdue escalation deadlines whose job was gone or had failed, handed over again. */
  readonly escalations: number;
}

/**
 * The outbox's other half. Every process running workers ticks; a Redis lock
 * held for one interval lets one of them sweep per interval. Everything it does
 * is safe to do twice (job ids are record ids, fallbacks are created once), so
 * the lock saves work rather than guarding correctness.
 *
 * - communications written but never queued (the API died between the two):
 *   render job again, held until `scheduledAt`, at their priority;
 * - deliveries added after queueing (fallbacks, retries) and never queued;
 * - failed deliveries with channels left whose fallback was never created;
 * - escalation deadlines overdue: beyond the delayed jobs' horizon (an hour)
 *   when they were set, or their job is gone or failed;
 * - handed-over deliveries still PENDING, RENDERED or SENDING whose job is
 *   gone: Redis restarted without its data, or BullMQ failed the job after
 *   too many stalls (workers killed under it). The queue is asked first, so a
 *   job waiting out a backoff is never doubled; the deliver job then renders
 *   what is missing and checks what an interrupted attempt left.
 */
export class OutboxSweeper {
  private readonly intervalMs: number;
  private readonly graceMs: number;
  private readonly batchSize: number;
  private readonly staleAfterMs: number;
  private readonly maxLostJobs: number;
  private readonly lockKey: string;
  private readonly token = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: OutboxSweeperOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.graceMs = options.graceMs ?? 2 * this.intervalMs;
    this.batchSize = options.batchSize ?? 200;
    this.staleAfterMs = options.staleAfterMs ?? 3 * this.intervalMs;
    this.maxLostJobs = options.maxLostJobs ?? 5;
    this.lockKey = `${options.prefix}:outbox-sweeper`;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = (): void => {
      this.running = this.sweepIfLeader()
        .catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message }, 'outbox sweep failed'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sweep when this process wins the interval's lock; null when another one has it. */
  async sweepIfLeader(): Promise<SweepReport | null> {
    const won = await this.options.redis.set(this.lockKey, this.token, 'PX', this.intervalMs, 'NX');
    return won === 'OK' ? this.sweep() : null;
  }

  /** One sweep, lock or not. */
  async sweep(): Promise<SweepReport> {
    const { repository } = this.deps;
    const report = {
      communications: await this.each(await repository.findUnqueued(this.graceMs, this.batchSize), (c) => enqueueCommunication(this.deps, c), 'communicationId'),
      deliveries: 0,
      fallbacks: 0,
      stale: 0,
      abandoned: 0,
      escalations: 0,
    };
    const deliveries = await repository.findUnqueuedDeliveries(this.graceMs, this.batchSize);
    const owners = await repository.getMany([...new Set(deliveries.map((d) => d.communicationId))]);
    const priorityOf = new Map(owners.flatMap((c) => (c ? [[c.id, c.priority] as const] : [])));
    report.deliveries = await this.each(deliveries, (d) => enqueueDelivery(this.deps, d, priorityOf.get(d.communicationId) ?? Priority.NORMAL), 'deliveryId');
    const stalled = await repository.findStalledFallbacks(this.graceMs, this.batchSize);
    report.fallbacks = await this.each(stalled, (d) => runFallback(this.deps, d), 'deliveryId');
    ({ requeued: report.stale, abandoned: report.abandoned } = await this.requeueStale());
    // Overdue by the grace period: the delayed job had its chance, or there was none (a deadline beyond the horizon).
    // Asked again, a live job is left alone. Five batches: a statement run's deadlines fall due together.
    const due = await repository.findDueEscalations(this.graceMs, 5 * this.batchSize);
    let escalations = 0;
    await this.each(due, async (d) => {
      if (await this.deps.dispatcher.scheduleEscalation(d.id, d.escalatesAt!, { again: true })) escalations += 1;
    }, 'deliveryId');
    report.escalations = escalations;
    if (report.communications + report.deliveries + report.fallbacks + report.stale + report.abandoned + report.escalations > 0) this.deps.logger.info(report, 'outbox sweep re-queued work');
    return report;
  }

  /** Stale deliveries without a live job get one, or fail once they have lost too many. */
  private async requeueStale(): Promise<{ requeued: number; abandoned: number }> {
    const { repository, dispatcher } = this.deps;
    const stale = await repository.findStaleDeliveries(this.staleAfterMs, this.batchSize);
    if (stale.length === 0) return { requeued: 0, abandoned: 0 };
    const owners = await repository.getMany([...new Set(stale.map((d) => d.communicationId))]);
    const priorityOf = new Map(owners.flatMap((c) => (c ? [[c.id, c.priority] as const] : [])));
    let requeued = 0;
    let abandoned = 0;
    await this.each(stale, async (d) => {
      if (await dispatcher.hasLiveDeliverJob(d.id, d.channel, d.version)) return;
      // Initial deliveries are the render job's while it lives.
      if (d.status === DeliveryStatus.PENDING && (await dispatcher.hasLiveRenderJob(d.communicationId))) return;
      // A job that ended between the read and the checks has moved the delivery on (and may have handed it
      // to a job id not checked above): only a delivery still as it was read has really lost its job.
      const current = await repository.getDelivery(d.id);
      if (!current || current.version !== d.version) return;
      const lost = await this.countLostJob(d.id);
      if (lost > this.maxLostJobs) {
        await failDelivery(this.deps, d.id, `gave up: its job was lost ${lost} times (the worker handling it died or stalled each time)`);
        this.deps.logger.error({ deliveryId: d.id, channel: d.channel, lost }, 'delivery lost its job too often: failed, next channel of its chain');
        abandoned += 1;
        return;
      }
      await dispatcher.redispatchDelivery(d.id, d.channel, { priority: priorityOf.get(d.communicationId) ?? Priority.NORMAL, generation: d.version });
      this.deps.logger.warn({ deliveryId: d.id, channel: d.channel, status: d.status }, 'delivery had no job left: handed over again');
      requeued += 1;
    }, 'deliveryId');
    return { requeued, abandoned };
  }

  /** How many times this delivery has now been found without its job (kept a week, across processes). */
  private async countLostJob(deliveryId: string): Promise<number> {
    const key = `${this.options.prefix}:lost-jobs:${deliveryId}`;
    const results = await this.options.redis.multi().incr(key).pexpire(key, 7 * 24 * 3_600_000).exec();
    const [error, count] = results?.[0] ?? [new Error('no answer'), 0];
    if (error) throw error;
    return Number(count);
  }

  /** One row's failure is logged and does not stop the others; returns how many went through. */
  private async each<T extends { id: string }>(rows: readonly T[], work: (row: T) => Promise<unknown>, idName: string): Promise<number> {
    let done = 0;
    for (const row of rows) {
      try {
        await work(row);
        done += 1;
      } catch (error) {
        this.deps.logger.warn({ [idName]: row.id, err: (error as Error).message }, 'outbox sweep could not re-queue a row');
      }
    }
    return done;
  }
}
