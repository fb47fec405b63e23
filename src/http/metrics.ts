import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Channel, DeliveryStatus } from '../domain';
import type { BackofficeSystem } from '../errors';

/** ok: no errors; partial: data and errors (e.g. one back-office system down); error: no data; invalid: refused before execution. */
export type GraphqlOutcome = 'ok' | 'partial' | 'error' | 'invalid';

/** Job counts per queue, then per state (waiting, active, delayed, failed, …), e.g. from BullMQ's `getJobCounts()`. */
export type QueueCounts = Record<string, Record<string, number>>;

export interface MetricsOptions {
  /** Prefix of every metric name; default 'ccm_'. */
  readonly prefix?: string;
  /** Distinct GraphQL operation names kept as label values; later ones count as "(other)". Default 200. */
  readonly maxOperationNames?: number;
  /** How long a scrape waits for the queue counts; default 2_000 ms. */
  readonly queueCountsTimeoutMs?: number;
}

/** The gateway's Prometheus metrics, on a registry of their own (never prom-client's global one). */
export interface Metrics {
  readonly registry: Registry;
  /** Content-Type of `scrape()`. */
  readonly contentType: string;
  /** The Prometheus text exposition of everything in the registry. */
  scrape(): Promise<string>;
  /** `route` is the route pattern (`/documents/:id`), never the raw URL: label values must stay few. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  observeGraphql(operationName: string | null, type: string, outcome: GraphqlOutcome, seconds: number): void;
  observeBackofficeCall(system: BackofficeSystem, seconds: number, failed: boolean): void;
  /** Times `call`, counting a rejection as an error of `system`. */
  timeBackofficeCall<T>(system: BackofficeSystem, call: () => Promise<T>): Promise<T>;
  /** `artifact`: what was produced, e.g. 'pdf', 'email', 'sms'. */
  observeRender(artifact: string, seconds: number): void;
  /** One delivery reached `status` on `channel` (count each transition that changed something). */
  deliveryStatus(channel: Channel, status: DeliveryStatus): void;
  /** Source of the queue-depth gauge, asked at each scrape; null stops reporting queues. */
  setQueueCounts(source: (() => Promise<QueueCounts>) | null): void;
}

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
/** Label values of our own for operations without a usable name. */
const PLACEHOLDERS: ReadonlySet<string> = new Set(['(anonymous)', '(none)', '(other)']);

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const prefix = options.prefix ?? 'ccm_';
  const maxOperationNames = options.maxOperationNames ?? 200;
  const queueTimeoutMs = options.queueCountsTimeoutMs ?? 2_000;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix });

  const http = new Histogram({
    name: `${prefix}http_request_duration_seconds`, help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const, buckets: SECONDS_FAST, registers,
  });
  const graphql = new Histogram({
    name: `${prefix}graphql_operation_duration_seconds`, help: 'GraphQL operations by name, type and outcome',
    labelNames: ['operation_name', 'operation_type', 'outcome'] as const, buckets: SECONDS_FAST, registers,
  });
  const backoffice = new Histogram({
    name: `${prefix}backoffice_call_duration_seconds`, help: 'Back-office calls by system and outcome',
    labelNames: ['system', 'outcome'] as const, buckets: SECONDS_FAST, registers,
  });
  const backofficeErrors = new Counter({
    name: `${prefix}backoffice_call_errors_total`, help: 'Failed back-office calls (timeouts, upstream errors, open circuit) by system',
    labelNames: ['system'] as const, registers,
  });
  const deliveries = new Counter({
    name: `${prefix}deliveries_total`, help: 'Delivery status changes by channel and new status',
    labelNames: ['channel', 'status'] as const, registers,
  });
  const render = new Histogram({
    name: `${prefix}render_duration_seconds`, help: 'Rendering time by artifact',
    labelNames: ['artifact'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
  });
  // One read of the queue counts per scrape, shared by the depth gauge and its health gauge,
  // which prom-client collects in parallel.
  let queueSource: (() => Promise<QueueCounts>) | null = null;
  let queueRead: Promise<{ readonly ok: boolean; readonly counts: QueueCounts } | null> | null = null;
  const readQueues = (): NonNullable<typeof queueRead> => {
    queueRead ??= (async () => {
      if (!queueSource) return null;
      try {
        return { ok: true, counts: await withTimeout(queueSource(), queueTimeoutMs) };
      } catch {
        return { ok: false, counts: {} };
      }
    })().finally(() => {
      queueRead = null;
    });
    return queueRead;
  };
  new Gauge({
    name: `${prefix}queue_jobs`, help: 'Jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'] as const, registers,
    async collect() {
      // Reset first: a queue that vanished, or a failed read, must not leave stale depths behind.
      this.reset();
      const read = await readQueues();
      for (const [queue, states] of Object.entries(read?.counts ?? {})) {
        for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
      }
    },
  });
  new Gauge({
    name: `${prefix}queue_counts_up`, help: '1 when queue_jobs is current; 0 when the read failed, timed out or no source is set',
    registers,
    async collect() {
      // A metric without labels always has a sample; with no source it says "not current" too.
      const read = await readQueues();
      this.set(read?.ok ? 1 : 0);
    },
  });

  // Operation names come from clients: bounded so that a client cannot grow the series without end.
  const operationNames = new Set<string>();
  const operationLabel = (name: string | null): string => {
    if (!name) return '(anonymous)';
    if (PLACEHOLDERS.has(name)) return name;
    if (!NAME.test(name) || name.length > 100) return '(other)';
    if (operationNames.has(name)) return name;
    if (operationNames.size >= maxOperationNames) return '(other)';
    operationNames.add(name);
    return name;
  };

  const observeBackofficeCall = (system: BackofficeSystem, seconds: number, failed: boolean): void => {
    backoffice.observe({ system, outcome: failed ? 'error' : 'ok' }, seconds);
    if (failed) backofficeErrors.inc({ system });
  };

  return {
    registry,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    observeHttp: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    observeGraphql: (operationName, type, outcome, seconds) =>
      graphql.observe({ operation_name: operationLabel(operationName), operation_type: type, outcome }, seconds),
    observeBackofficeCall,
    async timeBackofficeCall(system, call) {
      const started = performance.now();
      try {
        const result = await call();
        observeBackofficeCall(system, (performance.now() - started) / 1000, false);
        return result;
      } catch (error) {
        observeBackofficeCall(system, (performance.now() - started) / 1000, true);
        throw error;
      }
    },
    observeRender: (artifact, seconds) => render.observe({ artifact }, seconds),
    deliveryStatus: (channel, status) => deliveries.inc({ channel, status }),
    setQueueCounts(source) {
      queueSource = source;
    },
  };
}

/**
 * `GET <path>` serving the metrics, plus an onResponse hook that times every
 * request of the app by its route pattern (`/documents/:id`; "(unmatched)" for
 * 404s), so label values stay bounded whatever URLs clients send. Call it on
 * the root instance, before the app boots.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, path = '/metrics'): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(request.method, request.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get(path, async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`expected an answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
