import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RandomSource } from './random.source';

/** How a simulated system misbehaves; changed at run time through `PUT /_control` or `control()`. */
export interface FaultSettings {
  /** Delay before every answer, in ms. Default 0. */
  readonly latencyMs: number;
  /** Share of requests answered with 503, from 0 to 1. Default 0. */
  readonly failureRate: number;
  /** Answer every request with 503. Default false. */
  readonly down: boolean;
  /** Answer writes (PATCH) with 503 while reads go on: a CRM in a read-only maintenance window. Absent (false) until set. */
  readonly writesDown?: boolean;
}

export interface ServiceStats {
  readonly requests: number;
  /** Keyed by `METHOD /route/{param}`, e.g. `POST /customers/lookup`. */
  readonly byRoute: Readonly<Record<string, number>>;
}

/** An answer other than 200; its code and message go to the client as `{"error": {...}}`. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body of POST, PUT and PATCH requests (a form body as an object of strings); undefined otherwise. */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Path with `{name}` placeholders for one segment each, e.g. `/customers/{customerId}`. */
  readonly path: string;
  /** Returns the JSON body of a 200 answer, or throws an HttpError. */
  handle(request: RouteRequest): unknown;
}

/** Fault settings a simulated service starts with; all default to a healthy system. */
export interface SimulatedServiceOptions {
  /** Default 0. */
  readonly latencyMs?: number;
  /** Default 0. */
  readonly failureRate?: number;
  /** Seed of the failure draws, so a run with a failure rate is repeatable. Default 1. */
  readonly seed?: number;
}

export interface JsonServiceOptions extends SimulatedServiceOptions {
  /** Shown in error messages, e.g. "CRM". */
  readonly name: string;
  readonly routes: readonly Route[];
  /** Larger request bodies get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

const SETTING_RANGES: Readonly<Record<string, string>> = {
  latencyMs: 'a number of ms from 0 to 60000',
  failureRate: 'a number from 0 to 1',
  down: 'true or false',
  writesDown: 'true or false',
};

/** Applies a partial update to the settings, or throws a 400 naming the first bad setting. */
export function checkFaultSettings(current: FaultSettings, update: unknown): FaultSettings {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    const example = '{"latencyMs":20,"failureRate":0.1,"down":false}';
    throw new HttpError(400, 'BAD_REQUEST', `control: expected an object like ${example}, got ${JSON.stringify(update)}`);
  }
  const next: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = { ...current };
  for (const [key, value] of Object.entries(update)) {
    const isNumber = typeof value === 'number' && Number.isFinite(value);
    if (key === 'latencyMs' && isNumber && value >= 0 && value <= 60_000) next.latencyMs = value;
    else if (key === 'failureRate' && isNumber && value >= 0 && value <= 1) next.failureRate = value;
    else if (key === 'down' && typeof value === 'boolean') next.down = value;
    else if (key === 'writesDown' && typeof value === 'boolean') next.writesDown = value;
    else if (Object.hasOwn(SETTING_RANGES, key)) {
      throw new HttpError(400, 'BAD_REQUEST', `${key}: expected ${SETTING_RANGES[key]}, got ${JSON.stringify(value)}`);
    } else {
      throw new HttpError(400, 'BAD_REQUEST', `control: unknown setting ${JSON.stringify(key)} (expected latencyMs, failureRate, down, writesDown)`);
    }
  }
  return next;
}

interface CompiledRoute {
  readonly route: Route;
  readonly key: string;
  readonly segments: readonly string[];
}

function match(compiled: CompiledRoute, segments: readonly string[]): Record<string, string> | null {
  if (compiled.segments.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const pattern = compiled.segments[i];
    if (pattern.startsWith('{')) params[pattern.slice(1, -1)] = segments[i];
    else if (pattern !== segments[i]) return null;
  }
  return params;
}

/**
 * A small JSON-over-HTTP server with the fault injection and request counting
 * every simulated system shares. Plain node:http: the simulator should never be
 * the bottleneck of a benchmark, and keep-alive connections are kept a minute so
 * pooled clients are not cut off mid-reuse.
 */
export class JsonService {
  private readonly server: Server;
  private readonly routes: readonly CompiledRoute[];
  private readonly rng: RandomSource;
  private readonly pending = new Set<NodeJS.Timeout>();
  private faults: FaultSettings;
  private counts = { requests: 0, byRoute: {} as Record<string, number> };

  constructor(private readonly options: JsonServiceOptions) {
    this.routes = options.routes.map((route) => ({ route, key: `${route.method} ${route.path}`, segments: route.path.split('/').slice(1) }));
    this.rng = new RandomSource(options.seed ?? 1);
    this.faults = checkFaultSettings({ latencyMs: 0, failureRate: 0, down: false }, {
      latencyMs: options.latencyMs ?? 0,
      failureRate: options.failureRate ?? 0,
    });
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 65_000;
  }

  /** Starts listening; port 0 picks a free one. Resolves to the base URL. */
  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
      });
    });
  }

  control(update: Partial<FaultSettings>): FaultSettings {
    this.faults = checkFaultSettings(this.faults, update);
    return this.faults;
  }

  stats(): ServiceStats {
    return { requests: this.counts.requests, byRoute: { ...this.counts.byRoute } };
  }

  resetStats(): void {
    this.counts = { requests: 0, byRoute: {} };
  }

  close(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://backoffice.invalid');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      const method = req.method ?? 'GET';
      // A bad body is answered only once routing and fault injection have had their say, as a real service would.
      const parsed: { value?: unknown; error?: unknown } =
        method === 'POST' || method === 'PUT' || method === 'PATCH'
          ? await this.readJson(req).then((value) => ({ value }), (error: unknown) => ({ error }))
          : { value: undefined };
      if (path === '/_control' || path === '/_stats') {
        if (parsed.error) throw parsed.error;
        return this.send(res, 200, this.admin(method, path, parsed.value));
      }

      const segments = path.split('/').slice(1).map((s) => decodeURIComponent(s));
      let found: { compiled: CompiledRoute; params: Record<string, string> } | null = null;
      const allowed: string[] = [];
      for (const compiled of this.routes) {
        const params = match(compiled, segments);
        if (!params) continue;
        if (compiled.route.method === method) found = { compiled, params };
        allowed.push(compiled.route.method);
      }
      const key = found ? found.compiled.key : `${method} (no route)`;
      this.counts.requests += 1;
      this.counts.byRoute[key] = (this.counts.byRoute[key] ?? 0) + 1;

      if (this.faults.down) throw this.unavailable(`the ${this.options.name} is down`);
      if (this.faults.writesDown && method === 'PATCH') throw this.unavailable(`the ${this.options.name} accepts no writes`);
      if (this.faults.latencyMs > 0) await this.delay(this.faults.latencyMs);
      if (this.faults.failureRate > 0 && this.rng.next() < this.faults.failureRate) {
        throw this.unavailable(`the ${this.options.name} failed this request`);
      }
      if (!found && allowed.length > 0) {
        const allow = allowed.join(', ');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path}: expected ${allowed.join(' or ')}, got ${method}`, { allow });
      }
      if (!found) throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${path}`);
      if (parsed.error) throw parsed.error;
      const result = await found.compiled.route.handle({ params: found.params, query: url.searchParams, body: parsed.value, headers: req.headers });
      this.send(res, 200, result);
    } catch (error) {
      if (error instanceof HttpError) {
        return this.send(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
      }
      const [status, code, message] =
        error instanceof URIError
          ? [400, 'BAD_REQUEST', 'path: expected valid percent-encoding']
          : [500, 'INTERNAL', `the ${this.options.name} failed unexpectedly`];
      this.send(res, status, { error: { code, message } });
    }
  }

  private admin(method: string, path: string, body: unknown): unknown {
    if (path === '/_control' && method === 'PUT') return this.control(body as Partial<FaultSettings>);
    if (path === '/_control' && method === 'GET') return this.faults;
    if (path === '/_stats' && method === 'GET') return this.stats();
    if (path === '/_stats' && method === 'DELETE') {
      this.resetStats();
      return this.stats();
    }
    const allow = path === '/_control' ? 'GET, PUT' : 'GET, DELETE';
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path}: expected ${allow.replace(', ', ' or ')}, got ${method}`, { allow });
  }

  private unavailable(reason: string): HttpError {
    return new HttpError(503, 'SERVICE_UNAVAILABLE', `${reason} (fault injection)`, { 'retry-after': '1' });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });
  }

  /** Reads the whole body even past the limit, so the 413 reaches the client instead of a reset connection. */
  private readJson(req: IncomingMessage): Promise<unknown> {
    const limit = this.options.maxBodyBytes ?? 1_048_576;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
      });
      req.once('error', reject);
      req.once('end', () => {
        if (size > limit) return reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `body: expected at most ${limit} bytes, got ${size}`));
        if (size === 0) return resolve(undefined);
        // OAuth2 token requests are form-encoded (RFC 6749 §4.4.2).
        if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          return resolve(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new HttpError(400, 'BAD_REQUEST', `body: expected JSON, got ${size} bytes that do not parse`));
        }
      });
    });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(payload);
  }
}
