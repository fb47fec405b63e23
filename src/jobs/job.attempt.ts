import type { Job } from 'bullmq';

/** What a use case needs to know about the BullMQ attempt running it; tests build it by hand. */
export interface JobAttempt {
  /** No retry follows a failure of this attempt: the failure must be recorded now. */
  readonly final: boolean;
  /** 1 for the first attempt. */
  readonly number?: number;
  /** Why the previous attempt failed, for the timeline. */
  readonly previousError?: string | null;
  readonly correlationId?: string;
}

/** BullMQ retries while `attemptsMade + 1 < attempts` (attemptsMade counts failed attempts before this one). */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export function attemptOf(job: Job<{ correlationId?: string }>): JobAttempt {
  return {
    final: isFinalAttempt(job),
    number: job.attemptsMade + 1,
    previousError: job.attemptsMade > 0 ? (job.failedReason ?? null) : null,
    correlationId: job.data.correlationId,
  };
}
