import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startHarness, type Harness } from './support/gateway.harness';

interface Proxy {
  readonly url: string;
  readonly seen: (string | null)[];
  target: string;
  fail: boolean;
  readonly server: Server;
}

/** In front of the simulated CRM: records the Authorization header of each call and passes the call on, or answers 500 quoting it. */
async function recordingProxy(): Promise<Proxy> {
  const proxy = { seen: [] as (string | null)[], target: '', fail: false } as Proxy;
  const server = createServer((req, res) => {
    proxy.seen.push(req.headers.authorization ?? null);
    if (proxy.fail) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream trace: ${req.headers.authorization}`);
      return;
    }
    const upstream = request(`${proxy.target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(proxy.target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe('forwarding the caller’s token to a back-office system (auth: forward)', () => {
  let h: Harness;
  let proxy: Proxy;
  let dir: string;
  const TOKEN = 'caller-token-7f3a9c0d';
  // Everything the gateway logs, at every level.
  const logged: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });

  beforeAll(async () => {
    proxy = await recordingProxy();
    dir = mkdtempSync(join(tmpdir(), 'bo-forward-'));
    const file = join(dir, 'backoffice.yaml');
    const defaults = readFileSync(join(__dirname, '..', 'config', 'backoffice.default.yaml'), 'utf8');
    writeFileSync(file, defaults.replace('url: ${CRM_URL}', 'url: ${FORWARD_CRM_URL}\n    auth: { type: forward }'));
    // CATALOG_URL and CONTRACTS_DATABASE_URL in the file are the harness's own simulator's.
    h = await startHarness({ role: 'api', customers: 20, contracts: 40, products: 10, logger, env: { BACKOFFICE_CONFIG: file, FORWARD_CRM_URL: proxy.url } });
    proxy.target = h.backoffice.crmUrl;
  });
  afterAll(async () => {
    await h?.close();
    proxy?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.seen.length = 0;
    proxy.fail = false;
  });

  it('sends the bearer token of the request to the CRM, and nothing for a request without one', async () => {
    const { body } = await h.graphql<{ customer: { id: string } }>('{ customer(id: "C0000001") { id } }', {}, { authorization: `Bearer ${TOKEN}` });
    expect(body.data?.customer.id).toBe('C0000001');
    expect(proxy.seen).toEqual([`Bearer ${TOKEN}`]);
    const search = await h.graphql<{ customers: { totalCount: number } }>('{ customers(first: 2) { totalCount } }', {}, { authorization: `Bearer ${TOKEN}` });
    expect(search.body.data?.customers.totalCount).toBe(20);
    expect(proxy.seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    await h.graphql('{ customer(id: "C0000002") { id } }');
    expect(proxy.seen[2]).toBeNull();
  });

  it('keeps the token out of errors when the system fails', async () => {
    proxy.fail = true;
    const { body } = await h.graphql('{ customer(id: "C0000003") { id } }', {}, { authorization: `Bearer ${TOKEN}` });
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BACKOFFICE_UNAVAILABLE', system: 'crm' });
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  });

  it('never logs the token, at any level, from start to stop', async () => {
    await h.close();
    h = undefined as unknown as Harness;
    // The shutdown is logged step by step at debug: proof that this reads what the gateway writes.
    expect(logged.some((line) => line.includes('"stopping"'))).toBe(true);
    expect(logged.filter((line) => line.includes(TOKEN))).toEqual([]);
  });
});
