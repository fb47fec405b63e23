import { ApolloServer } from '@apollo/server';
import { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { register as globalRegistry } from 'prom-client';
import { Channel, DeliveryStatus } from '../src/domain';
import { createMetrics, registerMetricsRoute, type Metrics } from '../src/http/metrics';
import { metricsApolloPlugin } from '../src/http/metrics.plugin';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The Prometheus text format, one sample per line; enough to look series up by name and labels. */
function samples(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`expected a sample line, got ${JSON.stringify(line)}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1], labels, value: Number(match[3]) };
  });
}

function find(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  return samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

const valueOf = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  const found = find(text, name, labels);
  if (found.length > 1) throw new Error(`expected one ${name} sample for ${JSON.stringify(labels)}, got ${found.length}`);
  return found[0]?.value;
};

describe('metrics scraped from a real fastify app on loopback', () => {
  let app: FastifyInstance;
  let metrics: Metrics;
  let base: string;
  const scrape = async (): Promise<string> => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return response.text();
  };

  beforeAll(async () => {
    metrics = createMetrics({ queueCountsTimeoutMs: 100 });
    app = Fastify({ logger: false });
    // A route in an encapsulated plugin is measured by the root hook too.
    void app.register(async (scope) => {
      scope.get('/documents/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    });
    registerMetricsRoute(app, metrics);
    app.post('/graphql', async (_request, reply) => reply.code(400).send({ errors: [] }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  it('times requests by route pattern, not by URL, and counts unmatched ones together', async () => {
    for (const id of ['D-1', 'D-2', 'D-3']) expect((await fetch(`${base}/documents/${id}`)).status).toBe(200);
    expect((await fetch(`${base}/graphql`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${base}/nowhere/${randomUUID()}`)).status).toBe(404);
    const text = await scrape();
    expect(valueOf(text, 'ccm_http_request_duration_seconds_count', { method: 'GET', route: '/documents/:id', status: '200' })).toBe(3);
    expect(valueOf(text, 'ccm_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '400' })).toBe(1);
    expect(valueOf(text, 'ccm_http_request_duration_seconds_count', { method: 'GET', route: '(unmatched)', status: '404' })).toBe(1);
    expect(find(text, 'ccm_http_request_duration_seconds_bucket', { route: '/documents/:id', le: '+Inf' })[0].value).toBe(3);
    expect(text).not.toContain('D-1');
    expect(text).not.toContain('nowhere');
  });

  it('includes the default process metrics, on its own registry only', async () => {
    const text = await scrape();
    expect(find(text, 'ccm_process_cpu_user_seconds_total')).toHaveLength(1);
    expect(find(text, 'ccm_nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(await globalRegistry.metrics()).not.toContain('ccm_');
    // A second set in the same process does not collide with the first.
    const other = createMetrics({ prefix: 'other_' });
    other.deliveryStatus(Channel.SMS, DeliveryStatus.SENT);
    expect(valueOf(await other.scrape(), 'other_deliveries_total', { channel: 'SMS', status: 'SENT' })).toBe(1);
    expect(valueOf(await scrape(), 'ccm_deliveries_total', { channel: 'SMS', status: 'SENT' })).toBeUndefined();
  });

  it('reports deliveries, back-office calls and render durations', async () => {
    metrics.deliveryStatus(Channel.EMAIL, DeliveryStatus.SENT);
    metrics.deliveryStatus(Channel.EMAIL, DeliveryStatus.SENT);
    metrics.deliveryStatus(Channel.EMAIL, DeliveryStatus.BOUNCED);
    await expect(metrics.timeBackofficeCall('crm', async () => 'customer')).resolves.toBe('customer');
    await expect(metrics.timeBackofficeCall('catalog', async () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    metrics.observeBackofficeCall('contracts', 0.2, false);
    metrics.observeRender('pdf', 0.012);
    const text = await scrape();
    expect(valueOf(text, 'ccm_deliveries_total', { channel: 'EMAIL', status: 'SENT' })).toBe(2);
    expect(valueOf(text, 'ccm_deliveries_total', { channel: 'EMAIL', status: 'BOUNCED' })).toBe(1);
    expect(valueOf(text, 'ccm_backoffice_call_duration_seconds_count', { system: 'crm', outcome: 'ok' })).toBe(1);
    expect(valueOf(text, 'ccm_backoffice_call_duration_seconds_count', { system: 'catalog', outcome: 'error' })).toBe(1);
    expect(valueOf(text, 'ccm_backoffice_call_errors_total', { system: 'catalog' })).toBe(1);
    expect(valueOf(text, 'ccm_backoffice_call_errors_total', { system: 'crm' })).toBeUndefined();
    expect(valueOf(text, 'ccm_backoffice_call_duration_seconds_bucket', { system: 'contracts', le: '0.1' })).toBe(0);
    expect(valueOf(text, 'ccm_backoffice_call_duration_seconds_bucket', { system: 'contracts', le: '0.25' })).toBe(1);
    expect(valueOf(text, 'ccm_render_duration_seconds_count', { artifact: 'pdf' })).toBe(1);
    expect(valueOf(text, 'ccm_render_duration_seconds_sum', { artifact: 'pdf' })).toBeCloseTo(0.012);
  });

  it('reads queue depths from a real BullMQ queue at scrape time', async () => {
    const name = `metrics-${randomUUID()}`;
    const queue = new Queue(name, { connection: { url: process.env.TEST_REDIS_URL! } });
    try {
      await queue.add('render', { communicationId: 'c-1' });
      await queue.add('render', { communicationId: 'c-2' });
      await queue.add('render', { communicationId: 'c-3' }, { delay: 60_000 });
      metrics.setQueueCounts(async () => ({ [name]: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed') }));
      let text = await scrape();
      expect(valueOf(text, 'ccm_queue_jobs', { queue: name, state: 'waiting' })).toBe(2);
      expect(valueOf(text, 'ccm_queue_jobs', { queue: name, state: 'delayed' })).toBe(1);
      expect(valueOf(text, 'ccm_queue_jobs', { queue: name, state: 'failed' })).toBe(0);

      await queue.drain(true);
      text = await scrape();
      expect(valueOf(text, 'ccm_queue_jobs', { queue: name, state: 'waiting' })).toBe(0);
      expect(valueOf(text, 'ccm_queue_jobs', { queue: name, state: 'delayed' })).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('drops stale queue depths and says so when the source fails, hangs or is gone', async () => {
    let reads = 0;
    metrics.setQueueCounts(async () => {
      reads += 1;
      return { render: { waiting: 5 } };
    });
    let text = await scrape();
    expect(valueOf(text, 'ccm_queue_jobs', { queue: 'render', state: 'waiting' })).toBe(5);
    expect(valueOf(text, 'ccm_queue_counts_up')).toBe(1);
    expect(reads).toBe(1);
    metrics.setQueueCounts(async () => Promise.reject(new Error('redis down')));
    text = await scrape();
    expect(find(text, 'ccm_queue_jobs')).toEqual([]);
    expect(valueOf(text, 'ccm_queue_counts_up')).toBe(0);
    metrics.setQueueCounts(async () => ({ render: { waiting: 1 } }));
    expect(valueOf(await scrape(), 'ccm_queue_counts_up')).toBe(1);
    metrics.setQueueCounts(() => new Promise(() => undefined));
    text = await scrape();
    expect(find(text, 'ccm_queue_jobs')).toEqual([]);
    expect(valueOf(text, 'ccm_queue_counts_up')).toBe(0);
    metrics.setQueueCounts(null);
    text = await scrape();
    expect(find(text, 'ccm_queue_jobs')).toEqual([]);
    expect(valueOf(text, 'ccm_queue_counts_up')).toBe(0);
  });
});

describe('metricsApolloPlugin through a real ApolloServer', () => {
  const typeDefs = `#graphql
    type Query { hello: String, fragile: String, vital: String! }
    type Mutation { touch: Boolean }
  `;
  const resolvers = {
    Query: {
      hello: () => 'world',
      fragile: () => { throw new Error('crm unavailable'); },
      vital: () => { throw new Error('contracts unavailable'); },
    },
    Mutation: { touch: () => true },
  };

  async function run(metrics: Metrics, ...queries: string[]): Promise<string> {
    const server = new ApolloServer({ typeDefs, resolvers, plugins: [metricsApolloPlugin(metrics)] });
    await server.start();
    try {
      for (const query of queries) await server.executeOperation({ query });
    } finally {
      await server.stop();
    }
    return metrics.scrape();
  }

  it('records each operation with its name, type and outcome', async () => {
    const metrics = createMetrics();
    const text = await run(
      metrics,
      'query Greet { hello }',
      'query Greet { hello }',
      'query Degraded { hello fragile }',
      'query Broken { vital }',
      'mutation Touch { touch }',
      '{ hello }',
      'query Wrong { nope }',
      'query {',
    );
    const count = (labels: Record<string, string>): number | undefined => valueOf(text, 'ccm_graphql_operation_duration_seconds_count', labels);
    expect(count({ operation_name: 'Greet', operation_type: 'query', outcome: 'ok' })).toBe(2);
    expect(count({ operation_name: 'Degraded', operation_type: 'query', outcome: 'partial' })).toBe(1);
    expect(count({ operation_name: 'Broken', operation_type: 'query', outcome: 'error' })).toBe(1);
    expect(count({ operation_name: 'Touch', operation_type: 'mutation', outcome: 'ok' })).toBe(1);
    expect(count({ operation_name: '(anonymous)', operation_type: 'query', outcome: 'ok' })).toBe(1);
    expect(count({ operation_name: '(none)', operation_type: 'unknown', outcome: 'invalid' })).toBe(2);
    expect(find(text, 'ccm_graphql_operation_duration_seconds_count').map((s) => s.labels.operation_name)).not.toContain('Wrong');
  });

  it('bounds the number of operation names a client can create', async () => {
    const metrics = createMetrics({ maxOperationNames: 2 });
    const text = await run(metrics, 'query A { hello }', 'query B { hello }', 'query C { hello }', 'query D { hello }', 'query A { hello }');
    const names = find(text, 'ccm_graphql_operation_duration_seconds_count').map((s) => [s.labels.operation_name, s.value]);
    expect(names).toEqual(expect.arrayContaining([['A', 2], ['B', 1], ['(other)', 2]]));
    expect(names).toHaveLength(3);
  });
});
