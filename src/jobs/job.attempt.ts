import { DelayedError, WaitingError, type Job } from 'bullmq';

/** What a use case needs to know about the BullMQ attempt running it; tests build it by hand. */
export interface JobAttempt {
  /** No retry follows a failure of this attempt: the failure must be recorded now. */
  readonly final: boolean;
  /** 1 for the first attempt. */
  readonly number?: number;
  /** Why the previous attempt failed, for the timeline. */
  readonly previousError?: string | null;
  readonly correlationId?: string;
  /** True once the worker is shutting down and wants its jobs back; checked at safe points only. */
  readonly released?: () => boolean;
  /**
   * Renews the job's lock and says whether this worker still holds it. A
   * worker that stalled (event loop blocked past the lock) may find its job
   * handed to another one: it must not send then.
   */
  readonly holdsLock?: () => Promise<boolean>;
  /**
   * Puts the job back as a delayed job due in `delayMs` (quiet hours), without
   * counting an attempt; it lives in Redis, so a restart does not lose it.
   * Never returns: it throws BullMQ's DelayedError for the worker to let go.
   */
  readonly holdFor?: (delayMs: number) => Promise<never>;
}

export interface AttemptRuntime {
  /** The worker's lock token for this job. */
  readonly token?: string;
  /** Aborted when the worker cancels its jobs (shutdown after the grace period). */
  readonly signal?: AbortSignal;
  /** The worker's lock duration, to renew the lock with. */
  readonly lockDurationMs?: number;
}

/** Thrown at a safe point of a job when the worker is shutting down: the job goes back to the queue. */
export class JobReleasedError extends Error {
  constructor() {
    super('released: the worker is shutting down');
    this.name = 'JobReleasedError';
  }
}

/** BullMQ retries while `attemptsMade + 1 < attempts` (attemptsMade counts failed attempts before this one). */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export function attemptOf(job: Job<{ correlationId?: string }>, runtime: AttemptRuntime = {}): JobAttempt {
  const { token, signal, lockDurationMs } = runtime;
  return {
    final: isFinalAttempt(job),
    number: job.attemptsMade + 1,
    previousError: job.attemptsMade > 0 ? (job.failedReason ?? null) : null,
    correlationId: job.data.correlationId,
    ...(signal ? { released: () => signal.aborted } : {}),
    ...(token && lockDurationMs ? { holdsLock: async () => (await job.extendLock(token, lockDurationMs)) === 1 } : {}),
    ...(token
      ? {
          holdFor: async (delayMs: number): Promise<never> => {
            await job.moveToDelayed(Date.now() + Math.max(0, delayMs), token);
            throw new DelayedError();
          },
        }
      : {}),
  };
}

/**
 * Puts a released job back in the queue without counting an attempt
 * (BullMQ's manual "move to wait", then WaitingError so the worker lets go).
 */
export async function handBack(job: Job, token: string | undefined, error: unknown): Promise<never> {
  if (!(error instanceof JobReleasedError) || !token) throw error; // DelayedError (a hold) passes through as it is
  await job.moveToWait(token);
  throw new WaitingError();
}
