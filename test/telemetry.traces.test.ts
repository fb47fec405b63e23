import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { firstCustomer } from '../backoffice/customers.data';
import { startSmtpSink, type SmtpSink } from '../backoffice/sinks/smtp.sink';
import type { TwilioSink } from '../backoffice/sinks/twilio.sink';
import { loadConfig } from '../src/config';
import { freePort } from '../src/store/redis.process';
import { createDatabase } from './support/postgres.cluster';
import { startSmsSink } from './support/sms.sink';
import { environmentOf, startWorkerProcess, type WorkerProcess } from './support/worker.process';

/** OTLP/JSON as @opentelemetry/exporter-trace-otlp-http sends it. */
interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number; arrayValue?: { values: OtlpValue[] } }
interface OtlpAttribute { key: string; value: OtlpValue }
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  events?: { name: string; attributes?: OtlpAttribute[] }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}
interface Collected extends OtlpSpan {
  /** `ccm.role` of the process that exported it. */
  role: string;
  pid: string;
}

const valueOf = (v: OtlpValue): string => v.stringValue ?? (v.intValue !== undefined ? String(v.intValue) : v.boolValue !== undefined ? String(v.boolValue) : v.doubleValue !== undefined ? String(v.doubleValue) : (v.arrayValue?.values ?? []).map(valueOf).join(','));
const attr = (span: OtlpSpan, key: string): string | undefined => {
  const found = span.attributes.find((a) => a.key === key);
  return found ? valueOf(found.value) : undefined;
};

/** A local OTLP/HTTP receiver: what a collector would get. */
async function startReceiver(): Promise<{ url: string; spans: Collected[]; close(): Promise<void> }> {
  const spans: Collected[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of body.resourceSpans) {
        const resource = { attributes: rs.resource.attributes } as OtlpSpan;
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, role: attr(resource, 'ccm.role') ?? '?', pid: attr(resource, 'process.pid') ?? '?' });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Polls `probe` every 100 ms until it holds. */
async function eventually(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SEND = `mutation SendInvoiceNotice($input: SendCommunicationInput!) { sendCommunication(input: $input) { id deliveries { id channel } } }`;
const STATUS = `query CommunicationStatus($id: ID!) { communication(id: $id) { status deliveries { id status } } }`;

describe('OpenTelemetry: one trace from the API process through a worker process to the provider and its callback', () => {
  let dir: string;
  let backoffice: RunningBackoffice;
  let smtp: SmtpSink;
  let sms: TwilioSink;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let api: WorkerProcess | null = null;
  let worker: WorkerProcess | null = null;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-otel-'));
    receiver = await startReceiver();
    backoffice = await startBackoffice({ customers: 50, contracts: 100, products: 20, contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}` });
    smtp = await startSmtpSink();
    sms = await startSmsSink();
    const port = await freePort();
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `otel_traces_${process.pid}`);
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      DATA_DIR: dir,
      REDIS_URL: process.env.TEST_REDIS_URL,
      DATABASE_URL: databaseUrl,
      CRM_URL: backoffice.crmUrl,
      CATALOG_URL: backoffice.catalogUrl,
      CONTRACTS_DATABASE_URL: backoffice.contractsDatabaseUrl,
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: sms.accountSid,
      TWILIO_AUTH_TOKEN: sms.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: sms.url,
      QUEUE_PREFIX: `{otel${process.pid}}`,
    });
    const env = {
      ...environmentOf(config),
      PORT: String(port),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'ccm-gateway-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [api, worker] = await Promise.all([startWorkerProcess(env, dir, 30_000, 'api'), startWorkerProcess(env, dir, 30_000, 'worker')]);
    url = `http://127.0.0.1:${port}/graphql`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await Promise.all([receiver?.close(), backoffice?.close(), smtp?.close(), sms?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const graphql = async (query: string, variables: Record<string, unknown>): Promise<Record<string, any>> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it('links the request, the SMS job, its back-office calls, the SMS provider call and the callback; no personal data', async () => {
    const input = { customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['SMS'], data: { invoiceNumber: 'INV-OTEL-1', amountDue: { amount: '12.00', currency: 'EUR' }, dueDate: '2026-09-01' } };
    const sent = (await graphql(SEND, { input })).sendCommunication as { id: string; deliveries: { id: string }[] };
    const deliveryId = sent.deliveries[0].id;
    await eventually(async () => (await graphql(STATUS, { id: sent.id })).communication.status === 'DELIVERED', 20_000, 'the SMS delivered');

    const operation = (): Collected | undefined => receiver.spans.find((s) => attr(s, 'graphql.operation.name') === 'SendInvoiceNotice');
    const report = (): Collected | undefined => receiver.spans.find((s) => s.name === 'sms status report' && attr(s, 'ccm.delivery.status') === 'DELIVERED');
    await eventually(() => Boolean(operation() && report()), 15_000, 'the spans of the send and of its DELIVERED report');

    const op = operation()!;
    expect(op.name).toBe('mutation SendInvoiceNotice');
    expect(op.role).toBe('api');
    const traceId = op.traceId;
    const trace = receiver.spans.filter((s) => s.traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (span: Collected): Collected[] => {
      const chain: Collected[] = [];
      for (let p = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) chain.push(p);
      return chain;
    };

    // The HTTP request in the API process is the root; the GraphQL operation is its child.
    const httpSpan = trace.find((s) => s.role === 'api' && attr(s, 'http.route') === '/graphql' && !s.parentSpanId);
    expect(httpSpan).toBeDefined();
    expect(httpSpan!.name).toBe('POST /graphql');
    expect(op.parentSpanId).toBe(httpSpan!.spanId);
    // One channel: the request hands its delivery straight to the SMS queue (no render job).
    expect(trace.some((s) => s.name === 'send deliver-sms' && ancestors(s).includes(op))).toBe(true);
    expect(trace.some((s) => s.name === 'process render')).toBe(false);

    // The SMS job runs in the worker process, in the same trace, under the request: it renders, then sends.
    const deliver = trace.find((s) => s.name === 'process deliver-sms');
    expect(deliver).toMatchObject({ role: 'worker' });
    expect(deliver!.pid).not.toBe(op.pid);
    expect(ancestors(deliver!)).toContain(httpSpan);
    expect(attr(deliver!, 'messaging.message.id')).toBe(`${deliveryId}.v1`);
    expect(attr(deliver!, 'ccm.job.outcome')).toBe('sent');

    // Back-office calls of the job's render: system, route template, status.
    const crm = trace.filter((s) => attr(s, 'ccm.backoffice.system') === 'crm' && ancestors(s).includes(deliver!));
    expect(crm.length).toBeGreaterThan(0);
    expect(crm.every((s) => attr(s, 'http.response.status_code') === '200' && !/C0000001/.test(attr(s, 'http.route') ?? ''))).toBe(true);

    // The provider call, in the worker process, under the SMS job.
    const provider = trace.find((s) => s.name === 'sms provider send');
    expect(provider).toMatchObject({ role: 'worker' });
    expect(ancestors(provider!)).toContain(deliver);
    expect(attr(provider!, 'ccm.channel')).toBe('SMS');
    expect(attr(provider!, 'ccm.delivery.id')).toBe(deliveryId);
    expect(attr(provider!, 'ccm.provider.outcome')).toBe('accepted');

    // Database and Redis spans where instrumentation exists (PostgreSQL, ioredis).
    expect(trace.some((s) => attr(s, 'db.system.name') === 'postgresql' || attr(s, 'db.system') === 'postgresql')).toBe(true);
    expect(trace.some((s) => attr(s, 'db.system.name') === 'redis' || attr(s, 'db.system') === 'redis')).toBe(true);

    // The provider's callback reaches the API process in a request of its own, linked to the send.
    const callback = report()!;
    expect(callback.role).toBe('api');
    expect(callback.links).toEqual(expect.arrayContaining([expect.objectContaining({ traceId, spanId: provider!.spanId })]));
    expect(attr(callback, 'ccm.delivery.id')).toBe(deliveryId);

    // The correlation id in the worker's log lines is the trace id.
    expect(worker!.output()).toContain(`"correlationId":"${traceId}"`);
    expect(worker!.output()).toContain(`"traceId":"${traceId}"`);

    // No span attribute, event or status holds the customer's address, number or name.
    const customer = firstCustomer();
    const forbidden = [customer.contact.email!, customer.contact.mobile!, customer.givenName!, customer.familyName!, customer.address!.street];
    const texts = receiver.spans.flatMap((s) => [
      s.name,
      s.status?.message ?? '',
      ...s.attributes.map((a) => valueOf(a.value)),
      ...(s.events ?? []).flatMap((e) => (e.attributes ?? []).map((a) => valueOf(a.value))),
    ]);
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) {
      for (const value of forbidden) expect(text).not.toContain(value);
      expect(text).not.toMatch(/[^\s@]+@[^\s@]+\.[a-z]{2,}/i);
      expect(text).not.toMatch(/\+\d{8,15}/);
    }
    expect(receiver.spans.every((s) => !s.attributes.some((a) => ['url.query', 'client.address', 'user_agent.original'].includes(a.key)))).toBe(true);
  }, 60_000);
});
