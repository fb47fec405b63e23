import type { BackofficeSystem } from '../errors';

/**
 * What went wrong talking to a system:
 * - `timeout`: no answer within the time allowed;
 * - `network`: refused, reset or unreachable;
 * - `status`: an HTTP answer other than 2xx;
 * - `protocol`: an answer that is not what the interface promises (not JSON, wrong shape, unknown code);
 * - `query`: the database refused a statement.
 */
export type UpstreamFailureKind = 'timeout' | 'network' | 'status' | 'protocol' | 'query';

/**
 * A failed call to a back-office system, safe to log: the message is built only
 * from the system, the route template (never ids or query strings), the status
 * code and the connector's own words, so no upstream body and no personal data
 * can end up in a log line or, through a wrapping error, in a client response.
 */
export class UpstreamError extends Error {
  constructor(
    readonly system: BackofficeSystem,
    /** A template such as `POST /customers/lookup`, never a concrete URL. */
    readonly route: string,
    readonly kind: UpstreamFailureKind,
    /** Whether another attempt may succeed: timeouts, network failures, 5xx and 429. */
    readonly transient: boolean,
    /** Short, log-safe summary, e.g. "answered HTTP 503". */
    readonly summary: string,
    /** HTTP status, when there was an answer. */
    readonly status: number | null = null,
  ) {
    super(`${system} ${route}: ${summary}`);
    this.name = 'UpstreamError';
  }
}

/** True for errors worth another attempt of an idempotent read. */
export function isTransient(error: unknown): boolean {
  return error instanceof UpstreamError && error.transient;
}
