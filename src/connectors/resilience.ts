import { AppError, BackofficeUnavailableError, type BackofficeSystem } from '../errors';
import { isTransient, UpstreamError } from './upstream.error';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** Share of failed calls among the last `windowSize` that opens the circuit. Default 0.5. */
  readonly failureRatio?: number;
  /** How many recent calls the ratio looks at. Default 20. */
  readonly windowSize?: number;
  /** Fewest calls in the window before the ratio counts, so two early failures do not open it. Default 10. */
  readonly minimumCalls?: number;
  /** How long an open circuit fails fast before one probe call is let through, in ms. Default 5_000. */
  readonly coolDownMs?: number;
  /** Clock, for tests that control time. Default Date.now. */
  readonly now?: () => number;
}

/**
 * Closed: calls go through and outcomes are counted. Open: calls fail at once,
 * so a dead system costs neither the caller's time nor the system's recovery.
 * After the cool-down the next call is a probe (half-open): its success closes
 * the circuit, its failure opens it for another cool-down; other calls keep
 * failing fast while the probe runs.
 */
export class CircuitBreaker {
  private current: 'closed' | 'open' | 'probing' = 'closed';
  private openedAt = 0;
  private consecutive = 0;
  private window: boolean[] = [];
  private readonly threshold: number;
  private readonly ratio: number;
  private readonly windowSize: number;
  private readonly minimumCalls: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.ratio = options.failureRatio ?? 0.5;
    this.windowSize = options.windowSize ?? 20;
    this.minimumCalls = options.minimumCalls ?? 10;
    this.coolDownMs = options.coolDownMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** 'half-open' once the cool-down is over, before and while the probe runs. */
  state(): BreakerState {
    if (this.current === 'closed') return 'closed';
    if (this.current === 'probing') return 'half-open';
    return this.now() - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /** Null: fail fast. Otherwise whether this call is the probe; report its outcome with `record`. */
  acquire(): { readonly probe: boolean } | null {
    if (this.current === 'closed') return { probe: false };
    if (this.current === 'open' && this.now() - this.openedAt >= this.coolDownMs) {
      this.current = 'probing';
      return { probe: true };
    }
    return null;
  }

  record(permit: { readonly probe: boolean }, ok: boolean): void {
    if (permit.probe) return ok ? this.close() : this.open();
    // Calls let through before the circuit opened say nothing about the system now.
    if (this.current !== 'closed') return;
    this.consecutive = ok ? 0 : this.consecutive + 1;
    this.window.push(ok);
    if (this.window.length > this.windowSize) this.window.shift();
    const failures = this.window.reduce((sum, success) => sum + (success ? 0 : 1), 0);
    const ratioTripped = this.window.length >= this.minimumCalls && failures / this.window.length >= this.ratio;
    if (!ok && (this.consecutive >= this.threshold || ratioTripped)) this.open();
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.now();
  }

  private close(): void {
    this.current = 'closed';
    this.consecutive = 0;
    this.window = [];
  }
}

export interface ResilienceOptions {
  readonly system: BackofficeSystem;
  /** Budget of one call, retries and back-off included, in ms: a call fails within about this. Default 2_000. */
  readonly timeoutMs?: number;
  /** Extra attempts after a transient failure, for idempotent calls only. Default 1. */
  readonly retries?: number;
  /** Back-off before the first retry, in ms; doubles each retry, with full jitter. Default 25. */
  readonly backoffMs?: number;
  /** Longest back-off, in ms. Default 250. */
  readonly maxBackoffMs?: number;
  readonly breaker?: CircuitBreakerOptions;
  /** Which failures deserve another attempt. Default: UpstreamErrors marked transient. */
  readonly isTransient?: (error: unknown) => boolean;
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export interface RunOptions {
  /** Only idempotent calls (reads, including POST lookups) are retried. */
  readonly idempotent: boolean;
}

/**
 * Timeout + retries + circuit breaker for one back-office system. Failures reach
 * the caller as BackofficeUnavailableError naming the system, with a log-safe
 * reason; AppErrors raised by the operation itself (a bad cursor, say) pass
 * through unchanged and count as answers, not failures.
 */
export class Resilience {
  readonly system: BackofficeSystem;
  readonly breaker: CircuitBreaker;
  readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly transient: (error: unknown) => boolean;
  private readonly random: () => number;

  constructor(options: ResilienceOptions) {
    this.system = options.system;
    this.breaker = new CircuitBreaker(options.breaker);
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.retries = options.retries ?? 1;
    this.backoffMs = options.backoffMs ?? 25;
    this.maxBackoffMs = options.maxBackoffMs ?? 250;
    this.transient = options.isTransient ?? isTransient;
    this.random = options.random ?? Math.random;
  }

  state(): BreakerState {
    return this.breaker.state();
  }

  /**
   * Runs `operation` with a signal that aborts when the budget is spent. The
   * budget is enforced here too, so an operation that ignores the signal still
   * cannot hold the caller past it.
   */
  async run<T>(operation: (signal: AbortSignal) => Promise<T>, options: RunOptions): Promise<T> {
    const permit = this.breaker.acquire();
    if (!permit) throw new BackofficeUnavailableError(this.system, 'circuit open after repeated failures, failing fast');
    const deadline = Date.now() + this.timeoutMs;
    const budget = AbortSignal.timeout(this.timeoutMs);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await withinBudget(operation(budget), budget);
        this.breaker.record(permit, true);
        return result;
      } catch (error) {
        if (error instanceof AppError) {
          this.breaker.record(permit, true);
          throw error;
        }
        const delay = this.backoff(attempt);
        const retry = options.idempotent && attempt <= this.retries && !budget.aborted && this.transient(error) && Date.now() + delay < deadline;
        if (retry) {
          await sleep(delay);
          continue;
        }
        this.breaker.record(permit, false);
        throw this.unavailable(error, attempt, budget.aborted);
      }
    }
  }

  /** Full jitter: spreads the retries of many callers hit by the same failure. */
  private backoff(attempt: number): number {
    return Math.round(Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1)) * this.random());
  }

  private unavailable(error: unknown, attempts: number, timedOut: boolean): BackofficeUnavailableError {
    const tries = attempts > 1 ? `, ${attempts} attempts` : '';
    let reason: string;
    if (timedOut) reason = `no answer within ${this.timeoutMs} ms`;
    else if (error instanceof UpstreamError) reason = error.summary;
    else reason = `unexpected ${error instanceof Error ? error.name : typeof error}`;
    const result = new BackofficeUnavailableError(this.system, `${reason}${tries}`);
    // Kept for server-side logs; GraphQL serialises only message and extensions.
    Object.defineProperty(result, 'cause', { value: error, enumerable: false });
    return result;
  }
}

class BudgetSpent extends Error {
  override readonly name = 'BudgetSpent';
}

function withinBudget<T>(promise: Promise<T>, budget: AbortSignal): Promise<T> {
  if (budget.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new BudgetSpent());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new BudgetSpent());
    budget.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        budget.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        budget.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
