import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/config';
import { freePort } from '../src/store/redis.process';
import { createDatabase } from './support/postgres.cluster';
import { startWorkerProcess, type WorkerProcess } from './support/worker.process';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
}
interface ComposeFile {
  'x-gateway-env': Record<string, string>;
  services: Record<string, ComposeService>;
}

const ROOT = join(__dirname, '..');
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
const runbook = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Whether nothing listens on `port` of the loopback interface right now. */
const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createTcpServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** A PORT for the backoffice role, whose CRM, catalog and sinks listen on PORT+10 to PORT+13. */
async function backofficeBase(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const base = (await freePort()) % 60_000;
    const free = await Promise.all([10, 11, 12, 13].map((offset) => portFree(base + offset)));
    if (base > 1024 && free.every(Boolean)) return base;
  }
  throw new Error('no free run of four ports for the simulated back-office');
}

/** `${VAR:-default}` as compose expands it with VAR unset. */
const expand = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

/** A sink for the OTLP exports the compose environment turns on; counts the processes that export. */
async function startCollector(): Promise<{ url: string; exports: number; close(): Promise<void> }> {
  const state = { exports: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get exports() {
      return state.exports;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the runbook layout as plain processes: two API, two workers, the simulated back-office, one Redis and one PostgreSQL', () => {
  const processes: WorkerProcess[] = [];
  let dir: string;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let apiUrls: string[] = [];
  let apiKey: string;

  it('compose.yaml runs the documented roles with variables the gateway knows', () => {
    for (const [service, role] of [['api', 'api'], ['worker', 'worker'], ['backoffice', 'backoffice']] as const) {
      expect(compose.services[service].command).toEqual(['node', 'dist/main.js', role]);
      expect(runbook).toContain(`node dist/main.js ${role}`);
      expect(readme).toContain(`node dist/main.js ${role}`);
    }
    const env = compose['x-gateway-env'];
    for (const service of ['api', 'worker', 'backoffice']) expect(compose.services[service].environment).toEqual(env);
    for (const name of Object.keys(env)) expect(readme).toContain(`\`${name}\``);
    // The compose environment is a valid production configuration.
    const config = loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, expand(v)])));
    expect(config.env).toBe('production');
    expect(config.telemetry?.tracesUrl).toBe('http://jaeger:4318/v1/traces');
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-ops-'));
    collector = await startCollector();
    const [db, contracts] = await Promise.all([
      createDatabase(process.env.TEST_POSTGRES_URL!, `ops_gateway_${process.pid}`),
      createDatabase(process.env.TEST_POSTGRES_URL!, `ops_contracts_${process.pid}`),
    ]);
    const backofficePort = await backofficeBase();
    const apiPorts = [await freePort(), await freePort()];
    // The compose environment, with the compose service names replaced by where the same things run here.
    const hosts: [RegExp, string][] = [
      [/postgres:\/\/ccm:ccm@postgres:5432\/ccm\b/, db],
      [/postgres:\/\/ccm:ccm@postgres:5432\/contracts\b/, contracts],
      [/redis:\/\/redis:6379/, process.env.TEST_REDIS_URL!],
      [/http:\/\/api:4000/, `http://127.0.0.1:${apiPorts[0]}`],
      [/http:\/\/jaeger:4318/, collector.url],
      [/\/\/backoffice:4010/, `//127.0.0.1:${backofficePort + 10}`],
      [/\/\/backoffice:4011/, `//127.0.0.1:${backofficePort + 11}`],
      [/\/\/backoffice:4012/, `//127.0.0.1:${backofficePort + 12}`],
      [/\/\/backoffice:4013/, `//127.0.0.1:${backofficePort + 13}`],
    ];
    const env: Record<string, string> = {};
    for (const [key, raw] of Object.entries(compose['x-gateway-env'])) {
      let value = expand(raw);
      for (const [pattern, local] of hosts) value = value.replace(pattern, local);
      env[key] = value;
    }
    Object.assign(env, { HOST: '127.0.0.1', DATA_DIR: dir, QUEUE_PREFIX: `{ops${process.pid}}`, LOG_LEVEL: 'warn', OTEL_BSP_SCHEDULE_DELAY: '200', BACKOFFICE_CUSTOMERS: '200', BACKOFFICE_CONTRACTS: '400', BACKOFFICE_PRODUCTS: '20' });
    apiKey = env.AUTH_API_KEYS.split(',').find((k) => k.startsWith('agent:'))!.slice('agent:'.length);
    for (const value of Object.values(env)) expect(value).not.toMatch(/\/\/(postgres|redis|api|backoffice|jaeger):/);

    processes.push(await startWorkerProcess({ ...env, PORT: String(backofficePort) }, dir, 60_000, 'backoffice'));
    // Several processes migrating the same fresh database at once, as on a first `docker compose up`.
    const started = await Promise.all([
      ...apiPorts.map((port) => startWorkerProcess({ ...env, PORT: String(port) }, dir, 60_000, 'api')),
      startWorkerProcess(env, dir, 60_000, 'worker'),
      startWorkerProcess(env, dir, 60_000, 'worker'),
    ]);
    processes.push(...started);
    apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const graphql = async (base: string, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it('is ready on every API process, takes a send on one and shows it delivered on the other', async () => {
    // A process that just started may still be connecting to Redis or finishing another process's migrations.
    for (const base of apiUrls) expect(await readyWithin(base, 20_000)).toBe(200);
    // Production: no credentials, no answer.
    const anonymous = await fetch(`${apiUrls[1]}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(anonymous.status).toBe(401);

    const input = { customerId: 'C0000001', templateKey: 'invoice-available', contractId: 'K00000001', channelPolicy: 'EXPLICIT', channels: ['SMS', 'EMAIL'], data: { invoiceNumber: 'INV-OPS-1', amountDue: { amount: '30.00', currency: 'EUR' }, dueDate: '2026-10-01' } };
    const sent = (await graphql(apiUrls[0], 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }', { input })).sendCommunication as { id: string };
    const deadline = Date.now() + 30_000;
    let last: { status: string; deliveries: { channel: string; status: string }[] } | null = null;
    while (Date.now() < deadline) {
      last = (await graphql(apiUrls[1], 'query($id: ID!) { communication(id: $id) { status deliveries { channel status } } }', { id: sent.id })).communication;
      if (last?.status === 'DELIVERED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last?.status).toBe('DELIVERED');
    expect(last?.deliveries.map((d) => d.channel).sort()).toEqual(['EMAIL', 'SMS']);
    // The SMS reached DELIVERED through the sink's status callback to PUBLIC_URL, an API process; SMTP reports no delivery.
    const statusOf = (channel: string): string | undefined => last?.deliveries.find((d) => d.channel === channel)?.status;
    await (async () => {
      while (statusOf('SMS') !== 'DELIVERED' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        last = (await graphql(apiUrls[1], 'query($id: ID!) { communication(id: $id) { status deliveries { channel status } } }', { id: sent.id })).communication;
      }
    })();
    expect(statusOf('SMS')).toBe('DELIVERED');
    expect(['SENT', 'DELIVERED']).toContain(statusOf('EMAIL'));
    for (const p of processes) expect(p.output()).not.toMatch(/"level":(50|60)/);
    // Traces leave the processes for the collector the compose file names.
    const tracesBy = Date.now() + 5_000;
    while (collector.exports === 0 && Date.now() < tracesBy) await new Promise((r) => setTimeout(r, 100));
    expect(collector.exports).toBeGreaterThan(0);
  }, 60_000);
});

/** The /readyz status once it is 200, or the last one seen when `timeoutMs` runs out. */
async function readyWithin(base: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await fetch(`${base}/readyz`)).status;
    if (status === 200 || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
}
