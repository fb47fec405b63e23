import autocannon from 'autocannon';
import { summarize, type LatencySummary } from './latency.stats';

export interface LoadRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

export interface LoadResult {
  /** Answers received per second over the measured window. */
  readonly requestsPerSecond: number;
  /** Per request, in ms, from autocannon's response times (sub-millisecond). */
  readonly latency: LatencySummary;
  readonly seconds: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** HTTP answers other than 2xx. */
  readonly non2xx: number;
  /** 2xx answers that carried GraphQL `errors` (e.g. BACKOFFICE_UNAVAILABLE). */
  readonly graphqlErrors: number;
}

export interface LoadOptions {
  readonly url: string;
  /** Default '/graphql'. */
  readonly path?: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second over all connections (autocannon's overallRate); default none: each connection sends its next request when the answer arrives. */
  readonly rate?: number;
}

/**
 * POST /graphql at a fixed number of connections (closed loop: each connection
 * sends its next request when the answer arrives, or at most `rate` requests
 * per second in all) for a fixed time, cycling through `requests`. Latency percentiles come from every response's own time,
 * not autocannon's whole-millisecond histogram, so p95 is there too.
 */
export async function runLoad(options: LoadOptions, requests: readonly LoadRequest[]): Promise<LoadResult> {
  const bodies = requests.map((r) => JSON.stringify({ query: r.query, variables: r.variables ?? {} }));
  let next = 0;
  const times: number[] = [];
  const instance = autocannon({
    url: `${options.url}${options.path ?? '/graphql'}`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    requests: [{
      setupRequest: (request) => {
        const body = bodies[next];
        next = (next + 1) % bodies.length;
        return { ...request, body };
      },
    }],
    // The bodies are small; a substring test is enough to see an error in a 200 answer.
    verifyBody: (body) => !body.includes('"errors"'),
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
  });
  const result = await instance;
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    requestsPerSecond: times.length / seconds,
    latency: summarize(times),
    seconds,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors: result.mismatches,
  };
}
