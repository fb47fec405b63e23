import type IORedis from 'ioredis';
import { AppError, ErrorCode } from '../errors';
import { createRedis } from '../jobs/redis.connection';

export interface RateLimiterOptions {
  /** An ioredis client (shared, not closed by the limiter) or a URL (own connection, closed by `close()`). */
  readonly redis: IORedis | string;
  /** Key prefix, e.g. `{ccm}:rate`; keep the queue prefix's hash tag so Redis Cluster stays possible. */
  readonly prefix: string;
  /** Requests allowed per window, bursts included. */
  readonly limit: number;
  readonly windowMs: number;
  /** Longest wait for Redis before answering without it. Default 500 ms. */
  readonly timeoutMs?: number;
  /**
   * Redis unreachable or slow: `true` lets the request through (the limiter
   * protects the service, it should not take it down), `false` refuses it.
   * Default true.
   */
  readonly failOpen?: boolean;
  /** Called with each Redis failure (log it). Default: ignored. */
  readonly onError?: (error: unknown) => void;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise how long until one more request fits. */
  readonly retryAfterMs: number;
  /** Requests that would still be allowed right now. */
  readonly remaining: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateLimitResult>;
  /** Closes the connection the limiter opened itself (none when given a client). */
  close(): Promise<void>;
}

/**
 * GCRA (the generic cell rate algorithm, as in redis-cell and Stripe's limiter)
 * in one atomic script: one key per principal holding the "theoretical arrival
 * time". `limit` requests may come at once, after that one per `windowMs /
 * limit`. Redis' own clock is used, so API processes with skewed clocks agree.
 * KEYS[1] key; ARGV[1] emission interval (ms), ARGV[2] burst window (ms).
 * Returns { allowed 0|1, retry after (ms), remaining }.
 */
const GCRA = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - window
if now < allow_at then
  return { 0, math.ceil(allow_at - now), 0 }
end
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.max(1, math.ceil(next_tat - now)))
return { 1, 0, math.floor((now - allow_at) / interval) }
`;

/** Redis-backed, so a limit holds across any number of API processes. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`rate limiter: expected a limit of 1 or more requests, got ${options.limit}`);
  if (!Number.isFinite(options.windowMs) || options.windowMs < 1) throw new Error(`rate limiter: expected a window of 1 ms or more, got ${options.windowMs}`);
  const owned = typeof options.redis === 'string';
  const redis = typeof options.redis === 'string' ? createRedis(options.redis, 'client', 'ccm-rate-limit') : options.redis;
  const interval = options.windowMs / options.limit;
  const timeoutMs = options.timeoutMs ?? 500;
  const failOpen = options.failOpen ?? true;
  let sha: string | null = null;

  const run = async (key: string): Promise<[number, number, number]> => {
    const args = [1, `${options.prefix}:${key}`, interval.toFixed(3), String(options.windowMs)] as const;
    if (sha !== null) {
      try {
        return (await redis.evalsha(sha, ...args)) as [number, number, number];
      } catch (error) {
        // After a SCRIPT FLUSH or a failover the script is gone: send it again.
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        sha = null;
      }
    }
    sha ??= (await redis.script('LOAD', GCRA)) as string;
    return (await redis.evalsha(sha, ...args)) as [number, number, number];
  };

  return {
    async consume(key) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`rate limiter: Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
        });
        const [allowed, retryAfterMs, remaining] = await Promise.race([run(key), timeout]);
        return { allowed: allowed === 1, retryAfterMs, remaining };
      } catch (error) {
        options.onError?.(error);
        return failOpen ? { allowed: true, retryAfterMs: 0, remaining: 0 } : { allowed: false, retryAfterMs: 1_000, remaining: 0 };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (!owned) return;
      // QUIT needs a live connection; one that never came up is just dropped (and stops reconnecting).
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

/**
 * The GraphQL error for a refused request: code RATE_LIMITED with a retry hint
 * in `extensions.retryAfterMs`, and (through Apollo's `extensions.http`, which
 * never reaches the client) HTTP 429 with a `Retry-After` header in seconds.
 */
export function rateLimitedError(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `too many requests: retry in ${seconds} s`, {
    retryAfterMs,
    http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) },
  });
}

/** For the GraphQL context (HTTP) and graphql-ws `onSubscribe`: throws RATE_LIMITED when the key is over its limit. */
export async function enforceRateLimit(limiter: RateLimiter, key: string): Promise<void> {
  const result = await limiter.consume(key);
  if (!result.allowed) throw rateLimitedError(result.retryAfterMs);
}
