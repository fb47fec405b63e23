import type { JobsOptions } from 'bullmq';
import { deliverQueueName } from '../channels/registry';
import { Priority, type Channel } from '../domain';
import { assertNever } from '../errors';

/** The fixed queues of the job system, shared by producers (API) and workers; deliver queues come from the channel modules. */
export enum QueueName {
  /** Bulk runs: expand (one chunk of targets) and cancel jobs, src/bulk. */
  BULK = 'bulk',
  /** The scheduled closing of print batches, src/print. */
  PRINT = 'print',
  /** Preference write-through to the CRM and its sweep, src/preferences. */
  SYNC_PREFERENCES = 'sync-preferences',
  /** "Digital first, paper if unread": one delayed job per escalation deadline, src/jobs/escalation.ts. */
  ESCALATE = 'escalate',
  RENDER = 'render',
}

/** One deliver queue per channel module: `deliver-<key>`. */
export type DeliverQueue = `deliver-${string}`;

/** Any queue of the job system. */
export type QueueId = QueueName | DeliverQueue;

/** Every queue for these channels: the fixed ones, then one deliver queue per channel. */
export function allQueues(channels: readonly Channel[]): QueueId[] {
  return [...Object.values(QueueName), ...channels.map(deliverQueueOf)];
}

/**
 * BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of
 * every queue hashes to one slot, which BullMQ's multi-key scripts need.
 */
export const DEFAULT_PREFIX = '{ccm}';

/** A prefix without a hash tag works on a single Redis but not on a cluster; refuse it early. */
export function checkPrefix(prefix: string): string {
  if (!/^[^{}]*\{[^{}:]+\}[^{}]*$/.test(prefix) || prefix.includes(':')) {
    throw new Error(`prefix: expected a Redis Cluster hash tag such as "{ccm}" (no ":"), got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

export function deliverQueueOf(channel: Channel): DeliverQueue {
  return deliverQueueName(channel) as DeliverQueue;
}

/**
 * BullMQ serves the smallest number first. Every job gets a priority (never 0):
 * BullMQ takes un-prioritised jobs before all prioritised ones, which would put
 * a LOW job without priority ahead of an URGENT one.
 */
export function bullPriority(priority: Priority): number {
  switch (priority) {
    case Priority.URGENT:
      return 1;
    case Priority.HIGH:
      return 2;
    case Priority.NORMAL:
      return 3;
    case Priority.LOW:
      return 4;
    default:
      return assertNever(priority);
  }
}

/** Backoff type of the preference write-through: exponential, at most 10 minutes. */
export const CAPPED_BACKOFF = 'capped';

/** Backoff type of deliver jobs: exponential, but never sooner than a provider's Retry-After. */
export const PROVIDER_BACKOFF = 'provider';

/** Bounded history: enough for operators to look back, never an ever-growing Redis. */
const KEEP = { removeOnComplete: { age: 3_600, count: 1_000 }, removeOnFail: { age: 7 * 86_400, count: 5_000 } } as const;

/**
 * Defaults per queue. Render: 8 attempts from 2 s doubling (about 4 minutes
 * in all), enough to ride out a back-office restart. Deliver: 6 attempts from
 * 2 s doubling (about a minute), or the provider's Retry-After when longer.
 * Bulk and print: see below.
 */
export function defaultJobOptions(queue: QueueId): JobsOptions {
  if (queue === QueueName.RENDER) {
    return { attempts: 8, backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 }, ...KEEP };
  }
  // 10 attempts from 2 s doubling (about half an hour): a chunk waits out a back-office restart; after the last one the run ends FAILED.
  if (queue === QueueName.BULK) return { attempts: 10, backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 }, ...KEEP };
  // One attempt: the next scheduled run is the retry. A run every few minutes keeps a short history.
  if (queue === QueueName.PRINT) return { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
  // 16 attempts from 5 s doubling, at most 10 minutes apart (about two hours): a CRM maintenance window passes and the change still
  // arrives; after that the sweep hands the overlay over again.
  // 10 attempts from 5 s doubling (about an hour and a half): the CRM (the letter's address) may be away; the sweeper takes over after that.
  if (queue === QueueName.ESCALATE) return { attempts: 10, backoff: { type: 'exponential', delay: 5_000, jitter: 0.2 }, ...KEEP };
  if (queue === QueueName.SYNC_PREFERENCES) return { attempts: 16, backoff: { type: CAPPED_BACKOFF, delay: 5_000 }, ...KEEP };
  return { attempts: 6, backoff: { type: PROVIDER_BACKOFF, delay: 2_000 }, ...KEEP };
}

/** Overrides per queue, merged over the defaults (tests use short backoffs). */
export type JobOptionsOverrides = Partial<Record<QueueId, Partial<JobsOptions>>>;

export function jobOptionsFor(queue: QueueId, overrides: JobOptionsOverrides = {}): JobsOptions {
  return { ...defaultJobOptions(queue), ...overrides[queue] };
}
