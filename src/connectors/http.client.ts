import http from 'node:http';
import https from 'node:https';
import type { BackofficeSystem } from '../errors';
import { traceBackofficeCall, type BackofficeCallSpan } from '../telemetry/backoffice.trace';
import { UpstreamError } from './upstream.error';

export interface JsonHttpClientOptions {
  readonly system: BackofficeSystem;
  /** Base URL of the system; a path in it (`https://host/api/v2`) prefixes every call. */
  readonly baseUrl: string;
  /** Per-call timeout when a call gives none, in ms. Default 2_000. */
  readonly timeoutMs?: number;
  /** Most sockets open to the system at once; further calls wait for a free one. Default 64. */
  readonly maxSockets?: number;
  /**
   * Idle keep-alive sockets are closed after this many ms. Kept below the 5 s
   * keep-alive common on servers, so a socket the server is about to close is
   * not picked for a new call. Default 4_000.
   */
  readonly idleSocketMs?: number;
  /** Largest answer read, in bytes; a larger one is a protocol failure. Default 8 MiB. */
  readonly maxResponseBytes?: number;
  /** Sent with every call, e.g. the system's API key. Default none. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface JsonCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Below the base URL, e.g. `/customers/lookup`. */
  readonly path: string;
  /** Log-safe name for messages, `METHOD path` by default; give a template when the path holds ids. */
  readonly route?: string;
  /** Null, undefined and empty values are left out; a list repeats the parameter once per value. */
  readonly query?: Readonly<Record<string, string | number | readonly string[] | null | undefined>>;
  /** Headers of this call only (credentials), on top of the client's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Aborts the call, e.g. the caller's overall budget; counted as a timeout when it is one. */
  readonly signal?: AbortSignal;
  /** Default: the client's `timeoutMs`. */
  readonly timeoutMs?: number;
}

/** Answers that may succeed on another attempt: gateway errors, overload, rate limits. */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * One long-lived JSON-over-HTTP client per back-office system: a keep-alive
 * agent with a bounded socket pool (node:http measured about twice as fast as
 * the global fetch for small JSON calls on loopback), a timeout on every call,
 * and failures reported as log-safe UpstreamErrors.
 */
export class JsonHttpClient {
  readonly system: BackofficeSystem;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: JsonHttpClientOptions) {
    this.system = options.system;
    try {
      this.base = new URL(options.baseUrl);
    } catch {
      throw new RangeError(`${options.system} baseUrl: expected an http(s) URL, got a string that does not parse`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new RangeError(`${options.system} baseUrl: expected an http(s) URL, got protocol ${this.base.protocol}`);
    }
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.transport = this.base.protocol === 'https:' ? https : http;
    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 64,
      maxFreeSockets: options.maxSockets ?? 64,
      timeout: options.idleSocketMs ?? 4_000,
      scheduling: 'lifo',
    };
    this.agent = this.transport === https ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
    this.headers = { accept: 'application/json', ...options.headers };
  }

  get<T>(path: string, call: Omit<JsonCall, 'method' | 'path' | 'body'> = {}): Promise<T> {
    return this.request<T>({ ...call, method: 'GET', path });
  }

  post<T>(path: string, body: unknown, call: Omit<JsonCall, 'method' | 'path' | 'body'> = {}): Promise<T> {
    return this.request<T>({ ...call, method: 'POST', path, body });
  }

  patch<T>(path: string, body: unknown, call: Omit<JsonCall, 'method' | 'path' | 'body'> = {}): Promise<T> {
    return this.request<T>({ ...call, method: 'PATCH', path, body });
  }

  /** Resolves to the parsed body of a 2xx answer; rejects with an UpstreamError otherwise. */
  request<T>(call: JsonCall): Promise<T> {
    const route = call.route ?? `${call.method} ${call.path}`;
    return traceBackofficeCall(this.system, call.method, route, (span) => this.send<T>(call, route, span));
  }

  private send<T>(call: JsonCall, route: string, span: BackofficeCallSpan): Promise<T> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const headers: Record<string, string | number> = { ...this.headers, ...span.headers, ...call.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const fail = (kind: 'timeout' | 'network' | 'protocol', summary: string, transient: boolean, status: number | null = null): UpstreamError =>
      new UpstreamError(this.system, route, kind, transient, summary, status);

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (error: UpstreamError | null, value?: T): void => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(value as T);
      };
      const onError = (error: NodeJS.ErrnoException): void => {
        if (signal.aborted) {
          // Our own timer, or the caller's budget running out (a TimeoutError reason), is a timeout.
          const budget = timeout.aborted || (call.signal?.reason as Error | undefined)?.name === 'TimeoutError';
          if (budget) return settle(fail('timeout', `no answer within ${timeout.aborted ? `${timeoutMs} ms` : 'the time allowed'}`, true));
          return settle(fail('network', 'call cancelled', false));
        }
        settle(fail('network', `connection failed (${error.code ?? error.name})`, true));
      };

      const req = this.transport.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.base.port || undefined,
          path: this.pathOf(call),
          method: call.method,
          agent: this.agent,
          headers,
          signal,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          span.status(status);
          res.on('error', onError);
          if (status < 200 || status >= 300) {
            // The body is drained, never read: it stays out of messages, and the socket stays reusable.
            res.resume();
            return settle(new UpstreamError(this.system, route, 'status', isTransientStatus(status), `answered HTTP ${status}`, status));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= this.maxResponseBytes) chunks.push(chunk);
            else {
              settle(fail('protocol', `answer larger than ${this.maxResponseBytes} bytes`, false, status));
              req.destroy();
            }
          });
          res.once('end', () => {
            if (settled) return;
            try {
              settle(null, JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as T);
            } catch {
              settle(fail('protocol', `answered HTTP ${status} with ${size} bytes that are not JSON`, false, status));
            }
          });
        },
      );
      req.on('error', onError);
      req.end(payload);
    });
  }

  /** Closes every socket; for shutdown, after the last call (one still in flight fails). */
  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }

  private pathOf(call: JsonCall): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (Array.isArray(value)) for (const item of value) query.append(key, String(item));
      else if (value !== null && value !== undefined && value !== '') query.set(key, String(value));
    }
    const search = query.toString();
    return `${this.basePath}${call.path}${search ? `?${search}` : ''}`;
  }
}
