import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { Channel, type Priority } from '../domain';
import { traceEnqueue, type JobTraceCarrier } from '../telemetry/job.trace';
import { allQueues, bullPriority, checkPrefix, DEFAULT_PREFIX, deliverQueueOf, jobOptionsFor, QueueName, type JobOptionsOverrides, type QueueId } from './queue.names';
import { createRedis, type RedisConnectionInput } from './redis.connection';

export interface DispatcherOptions {
  readonly connection: RedisConnectionInput;
  /** BullMQ key prefix, a Redis Cluster hash tag; default "{ccm}". */
  readonly prefix?: string;
  /** Per-queue job options over the defaults of `queue.names.ts`. */
  readonly jobOptions?: JobOptionsOverrides;
  /** Channels with a deliver queue (the channel registry's ids); default: every `Channel`. */
  readonly channels?: readonly Channel[];
}

export interface DispatchOptions {
  readonly priority: Priority;
  /** Hold the job this long (scheduled sends); default 0. */
  readonly delayMs?: number;
  /** Follows the request into its jobs and their logs; an id, never personal data. */
  readonly correlationId?: string;
}

export interface DeliveryDispatchOptions extends DispatchOptions {
  /**
   * The delivery's `version` as the caller holds it after its change (e.g.
   * `RetryResult.delivery.version`). Part of the job id: the same state handed
   * over twice is one job, while a delivery reset by `retryDelivery` (a new
   * version) gets a new job even though the old one is still in the queue's
   * history. Omitted: every call adds a new job — acceptable for a one-off
   * hand-over right after `resetForRetry` (the deliver job skips a delivery
   * that has moved on), but pass it wherever a hand-over may be repeated.
   */
  readonly generation?: number;
}

/** Jobs carry ids only: the processors read everything else from the store and the back-office. */
export interface RenderJobData {
  readonly communicationId: string;
  readonly correlationId?: string;
  /** The trace that queued the job, when tracing is on. */
  readonly trace?: JobTraceCarrier;
}
export interface EscalateJobData {
  readonly deliveryId: string;
}
export interface DeliverJobData {
  readonly deliveryId: string;
  readonly correlationId?: string;
  readonly trace?: JobTraceCarrier;
}

/** Job states in which a job will still run, or is running. */
const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);

export type JobCounts = Record<'waiting' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed', number>;

export const renderJobId = (communicationId: string): string => communicationId;
export const deliverJobId = (deliveryId: string, generation?: number): string =>
  generation === undefined ? `${deliveryId}.x${randomUUID().slice(0, 8)}` : `${deliveryId}.v${generation}`;

/**
 * The producer side, for the API process (and the workers, which hand rendered
 * deliveries and fallbacks on). Adding a job never duplicates work: job ids are
 * the record ids, and BullMQ ignores an add whose id it already holds.
 *
 * Outbox order: write the rows, `dispatch`, then `repository.markQueued` (or
 * `markDeliveryQueued`). The dispatcher does not touch the database; callers
 * mark — `enqueueCommunication` / `enqueueDelivery` in `outbox.enqueue.ts` do
 * both in the right order.
 */
export class Dispatcher {
  readonly prefix: string;
  private readonly connection: IORedis;
  private readonly byName: ReadonlyMap<QueueId, Queue>;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: DispatcherOptions) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    // One connection for all queues: producers only send short commands.
    this.connection = createRedis(options.connection, 'producer', 'ccm-dispatcher');
    this.connection.on('error', () => undefined); // BullMQ reports failures through the calls themselves
    this.byName = new Map(
      allQueues(options.channels ?? Object.values(Channel)).map((name) => {
        const queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
        // Without a listener BullMQ prints every reconnect attempt while Redis is away; the calls report failures.
        queue.on('error', () => undefined);
        return [name, queue];
      }),
    );
  }

  /** The render job of a communication; its id is the communication id. */
  async dispatch(communicationId: string, options: DispatchOptions): Promise<void> {
    const data: RenderJobData = { communicationId, ...(options.correlationId ? { correlationId: options.correlationId } : {}) };
    const jobId = renderJobId(communicationId);
    await traceEnqueue(QueueName.RENDER, jobId, (trace) => this.queue(QueueName.RENDER).add('render', trace ? { ...data, trace } : data, {
      ...jobOptionsFor(QueueName.RENDER, this.options.jobOptions),
      jobId,
      priority: bullPriority(options.priority),
      delay: Math.max(0, Math.round(options.delayMs ?? 0)),
    }));
  }

  /** The deliver job of one delivery on its channel's queue. */
  async dispatchDelivery(deliveryId: string, channel: Channel, options: DeliveryDispatchOptions): Promise<void> {
    const name = deliverQueueOf(channel);
    const data: DeliverJobData = { deliveryId, ...(options.correlationId ? { correlationId: options.correlationId } : {}) };
    const jobId = deliverJobId(deliveryId, options.generation);
    await traceEnqueue(name, jobId, (trace) => this.queue(name).add('deliver', trace ? { ...data, trace } : data, {
      ...jobOptionsFor(name, this.options.jobOptions),
      jobId,
      priority: bullPriority(options.priority),
      delay: Math.max(0, Math.round(options.delayMs ?? 0)),
    }));
  }

  /**
   * Hands a delivery over again whose job was lost (Redis restarted without
   * its data) or ended without moving it on (failed by BullMQ's stall limit):
   * a finished job holding the same id is removed first, or the add would be
   * ignored. A live one is left alone.
   */
  async redispatchDelivery(deliveryId: string, channel: Channel, options: DeliveryDispatchOptions & { readonly generation: number }): Promise<void> {
    const queue = this.queue(deliverQueueOf(channel));
    const id = deliverJobId(deliveryId, options.generation);
    const state = await queue.getJobState(id);
    if (LIVE_STATES.has(state)) return;
    if (state !== 'unknown') await queue.remove(id);
    await this.dispatchDelivery(deliveryId, channel, options);
  }

  /** Whether the communication's render job will still run, or is running. */
  /**
   * The delayed job of an escalation deadline, due at `at`. One job per
   * (delivery, deadline): scheduling it twice is one job. `again`: the sweeper
   * found the deadline overdue, so a job that ended (failed its attempts) is
   * replaced and a missing one (Redis lost it) added; a live one is left alone
   * (false).
   */
  async scheduleEscalation(deliveryId: string, at: Date, options: { readonly again?: boolean } = {}): Promise<boolean> {
    const queue = this.queue(QueueName.ESCALATE);
    const jobId = `${deliveryId}.e${at.getTime()}`;
    if (options.again) {
      const state = await queue.getJobState(jobId);
      if (LIVE_STATES.has(state)) return false;
      if (state !== 'unknown') await queue.remove(jobId);
    }
    const data: EscalateJobData = { deliveryId };
    await queue.add('escalate', data, { ...jobOptionsFor(QueueName.ESCALATE, this.options.jobOptions), jobId, delay: Math.max(0, at.getTime() - Date.now()) });
    return true;
  }

  async hasLiveRenderJob(communicationId: string): Promise<boolean> {
    return LIVE_STATES.has(await this.queue(QueueName.RENDER).getJobState(renderJobId(communicationId)));
  }

  /**
   * Whether a deliver job of the delivery will still run, or is running: one
   * per generation it may have been handed over at, 1 to `version`. Jobs added
   * without a generation are not seen.
   */
  async hasLiveDeliverJob(deliveryId: string, channel: Channel, version: number): Promise<boolean> {
    const queue = this.queue(deliverQueueOf(channel));
    const ids = Array.from({ length: Math.max(1, version) }, (_, i) => deliverJobId(deliveryId, i + 1));
    const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
    return states.some((state) => LIVE_STATES.has(state));
  }

  /**
   * Removes the render job if it has not started (a scheduled send); a job
   * already running is left to finish and skips a cancelled communication.
   */
  async cancel(communicationId: string): Promise<void> {
    await this.queue(QueueName.RENDER).remove(renderJobId(communicationId));
  }

  /** For /readyz: rejects when Redis does not answer. */
  async ping(): Promise<void> {
    await this.connection.ping();
  }

  /** Jobs per state and queue, for metrics and operators. */
  async queueCounts(): Promise<Record<QueueId, JobCounts>> {
    const entries = await Promise.all(
      [...this.byName].map(async ([name, queue]) => {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
        return [name, counts as JobCounts] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<QueueId, JobCounts>;
  }

  /** The BullMQ queues themselves, e.g. for a dashboard. */
  queues(): Queue[] {
    return [...this.byName.values()];
  }

  queue(name: QueueId): Queue {
    const queue = this.byName.get(name);
    if (!queue) throw new Error(`queue: expected one of ${[...this.byName.keys()].join(', ')}, got ${JSON.stringify(name)}`);
    return queue;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.byName.values()].map((queue) => queue.close()));
      await this.connection.quit().catch(() => this.connection.disconnect());
    })();
    return this.closing;
  }
}
