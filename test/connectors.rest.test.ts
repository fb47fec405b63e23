import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { CatalogRestConnector } from '../src/connectors/catalog.rest';
import { CrmRestConnector } from '../src/connectors/crm.rest';
import { JsonHttpClient } from '../src/connectors/http.client';
import { Resilience, type CircuitBreakerOptions } from '../src/connectors/resilience';
import { UpstreamError } from '../src/connectors/upstream.error';
import { Channel } from '../src/domain';
import { BackofficeUnavailableError, ErrorCode } from '../src/errors';

interface Tuning {
  timeoutMs?: number;
  retries?: number;
  breaker?: CircuitBreakerOptions;
  cacheTtlMs?: number;
  now?: () => number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await work().then(() => null, (e: unknown) => e);
  return { ms: performance.now() - started, error };
}

describe('REST connectors against the simulated CRM and catalog', () => {
  let dir: string;
  let bo: RunningBackoffice;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connectors-rest-'));
    bo = await startBackoffice({ customers: 1_200, contracts: 300, products: 60, seed: 42, contractsDatabaseUrl: `sqlite:${join(dir, 'c.sqlite')}` });
  });

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await bo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const system of ['crm', 'catalog'] as const) bo.control(system, { down: false, latencyMs: 0, failureRate: 0 });
    bo.resetStats();
  });

  function crm(tuning: Tuning = {}): CrmRestConnector {
    const timeoutMs = tuning.timeoutMs ?? 400;
    const connector = new CrmRestConnector(
      new JsonHttpClient({ system: 'crm', baseUrl: bo.crmUrl, timeoutMs }),
      new Resilience({ system: 'crm', timeoutMs, retries: tuning.retries ?? 1, breaker: tuning.breaker }),
    );
    opened.push(connector);
    return connector;
  }

  function catalog(tuning: Tuning = {}): CatalogRestConnector {
    const timeoutMs = tuning.timeoutMs ?? 400;
    const connector = new CatalogRestConnector(
      new JsonHttpClient({ system: 'catalog', baseUrl: bo.catalogUrl, timeoutMs }),
      new Resilience({ system: 'catalog', timeoutMs, retries: tuning.retries ?? 1, breaker: tuning.breaker }),
      { cacheTtlMs: tuning.cacheTtlMs ?? 0, now: tuning.now },
    );
    opened.push(connector);
    return connector;
  }

  const lookups = (): number => bo.stats('crm').byRoute['POST /customers/lookup'] ?? 0;
  const batches = (): number => bo.stats('catalog').byRoute['POST /products/batch'] ?? 0;

  describe('CRM', () => {
    it('maps CRM customers to customer records', async () => {
      const wire = (id: string) => bo.data.customers.find((c) => c.customerId === id)!;
      const withSecondLine = bo.data.customers.find((c) => c.address?.additional)!;
      const [claire, business, letterOnly, noAddress, twoLines] = await crm().getCustomers(['C0000001', 'C0000009', 'C0000005', 'C0000006', withSecondLine.customerId]);
      expect(claire).toEqual({
        id: 'C0000001',
        kind: 'person',
        firstName: 'Claire',
        lastName: 'Martin',
        companyName: null,
        email: 'claire.martin@example.com',
        phone: '+33612345678',
        language: 'fr',
        segment: wire('C0000001').segment,
        postalAddress: { lines: ['12 rue des Lilas'], postalCode: '69003', city: 'Lyon', country: 'FR' },
        preferredChannel: Channel.EMAIL,
        consents: [Channel.EMAIL, Channel.SMS, Channel.PORTAL],
        webhookUrl: null,
      });
      expect(business).toMatchObject({ kind: 'company', firstName: null, lastName: null, companyName: wire('C0000009').organisationName });
      expect(letterOnly).toMatchObject({ email: null, phone: null, consents: [] });
      expect(noAddress?.postalAddress).toBeNull();
      expect(twoLines?.postalAddress?.lines).toEqual([withSecondLine.address!.street, withSecondLine.address!.additional]);
    });

    it('answers a batch with one lookup call, in key order, with null for unknown ids', async () => {
      const ids = ['C0000003', 'C9999999', 'C0000001', 'C0000003', 'C0000010'];
      const records = await crm().getCustomers(ids);
      expect(records.map((r) => r?.id ?? null)).toEqual(['C0000003', null, 'C0000001', 'C0000003', 'C0000010']);
      expect(lookups()).toBe(1);
      expect(bo.stats('crm').requests).toBe(1);
    });

    it('splits more than 500 ids into lookups of 500 and maps every record', async () => {
      const ids = bo.data.customers.map((c) => c.customerId);
      const records = await crm().getCustomers(ids);
      expect(lookups()).toBe(3);
      expect(records.map((r) => [r?.id, r?.phone, r?.language])).toEqual(
        bo.data.customers.map((c) => [c.customerId, c.contact.mobile, c.preferredLanguage]),
      );
      expect(records.filter((r) => r!.phone !== null && !/^\+[1-9]\d{6,14}$/.test(r!.phone))).toEqual([]);
    });

    it('searches with the CRM cursor, and reports a foreign cursor as bad input', async () => {
      const connector = crm();
      const first = await connector.searchCustomers({ first: 2, search: null });
      expect(first.items.map((c) => c.id)).toEqual(['C0000001', 'C0000002']);
      expect(first.totalCount).toBe(1_200);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await connector.searchCustomers({ first: 2, after: first.nextCursor });
      expect(second.items.map((c) => c.id)).toEqual(['C0000003', 'C0000004']);
      const martin = await connector.searchCustomers({ first: 20, search: 'claire.martin@' });
      expect(martin).toMatchObject({ totalCount: 1, nextCursor: null, items: [{ id: 'C0000001' }] });

      const foreign = await connector.searchCustomers({ first: 2, search: 'martin', after: first.nextCursor }).catch((e: unknown) => e);
      expect(foreign).toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' } });
      await expect(connector.searchCustomers({ first: 0 })).rejects.toMatchObject({ extensions: { field: 'first' } });
      expect(connector.state()).toBe('closed');
    });

    it('fails with BackofficeUnavailableError within the timeout when the CRM is down, after one retry', async () => {
      bo.control('crm', { down: true });
      const { ms, error } = await timed(() => crm({ timeoutMs: 400, retries: 1 }).getCustomers(['C0000001']));
      expect(error).toBeInstanceOf(BackofficeUnavailableError);
      expect(error).toMatchObject({ system: 'crm', extensions: { code: ErrorCode.BACKOFFICE_UNAVAILABLE, system: 'crm' } });
      expect((error as Error).message).toMatch(/HTTP 503, 2 attempts/);
      // The CRM's own error text never travels on.
      expect((error as Error).message).not.toMatch(/fault injection|down/);
      expect(ms).toBeLessThan(400);
      expect(bo.stats('crm').requests).toBe(2);
    });

    it('gives up after about the timeout when the CRM answers too slowly', async () => {
      bo.control('crm', { latencyMs: 3_000 });
      const { ms, error } = await timed(() => crm({ timeoutMs: 300 }).getCustomers(['C0000001']));
      expect(error).toBeInstanceOf(BackofficeUnavailableError);
      expect((error as Error).message).toContain('no answer within 300 ms');
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(600);
    });

    it('opens the circuit after repeated failures, fails fast while open, and closes after a good probe', async () => {
      const connector = crm({ retries: 0, breaker: { failureThreshold: 3, coolDownMs: 250 } });
      bo.control('crm', { down: true });
      for (let i = 0; i < 3; i += 1) await expect(connector.getCustomers(['C0000001'])).rejects.toBeInstanceOf(BackofficeUnavailableError);
      expect(connector.state()).toBe('open');

      bo.resetStats();
      const fast = await timed(() => connector.getCustomers(['C0000001']));
      expect((fast.error as Error).message).toContain('circuit open');
      expect(fast.ms).toBeLessThan(50);
      expect(bo.stats('crm').requests).toBe(0);

      await sleep(260);
      expect(connector.state()).toBe('half-open');
      await expect(connector.getCustomers(['C0000001'])).rejects.toBeInstanceOf(BackofficeUnavailableError);
      expect(connector.state()).toBe('open');

      bo.control('crm', { down: false });
      await sleep(260);
      await expect(connector.getCustomers(['C0000001'])).resolves.toEqual([expect.objectContaining({ id: 'C0000001' })]);
      expect(connector.state()).toBe('closed');
    });
  });

  describe('catalog', () => {
    it('maps catalog products in one batch call, in key order, with null for unknown ids', async () => {
      const ids = [...bo.data.products.map((p) => p.id), 'P9999'];
      const products = await catalog().getProducts(ids);
      expect(batches()).toBe(1);
      expect(products[0]).toEqual({
        id: 'P0001',
        code: 'HOME-BASIC-01',
        name: 'Home Basic',
        category: bo.data.products[0].category,
        description: bo.data.products[0].description,
        price: { amount: bo.data.products[0].monthlyPrice.value, currency: 'EUR' },
      });
      expect(products.at(-1)).toBeNull();
      expect(products.slice(0, -1).map((p) => [p!.id, p!.price.amount, p!.price.currency])).toEqual(
        bo.data.products.map((p) => [p.id, p.monthlyPrice.value, p.monthlyPrice.currency]),
      );
    });

    it('serves cached products without a call, shares a call in flight, and refetches after the TTL', async () => {
      let now = 1_000_000;
      const connector = catalog({ cacheTtlMs: 5_000, now: () => now });
      await connector.getProducts(['P0001', 'P0002', 'P9999']);
      expect(batches()).toBe(1);
      expect((await connector.getProducts(['P0002', 'P0001', 'P9999'])).map((p) => p?.id ?? null)).toEqual(['P0002', 'P0001', null]);
      expect(batches()).toBe(1);

      const [a, b] = await Promise.all([connector.getProducts(['P0003']), connector.getProducts(['P0003', 'P0001'])]);
      expect(a[0]?.id).toBe('P0003');
      expect(b.map((p) => p?.id)).toEqual(['P0003', 'P0001']);
      expect(batches()).toBe(2);

      now += 5_001;
      await connector.getProducts(['P0001']);
      expect(batches()).toBe(3);
    });

    it('calls every time when the cache is off', async () => {
      const connector = catalog({ cacheTtlMs: 0 });
      await connector.getProducts(['P0001']);
      await connector.getProducts(['P0001']);
      expect(batches()).toBe(2);
    });

    it('lists a category page by page and primes the cache with what it listed', async () => {
      const connector = catalog({ cacheTtlMs: 60_000 });
      const category = bo.data.products[0].category;
      const expected = bo.data.products.filter((p) => p.category === category).map((p) => p.id);
      const page = await connector.listProducts({ first: 1, category });
      expect(page).toMatchObject({ totalCount: expected.length, items: [{ id: expected[0], category }] });
      const rest = await connector.listProducts({ first: 500, category, after: page.nextCursor });
      expect(rest.items.map((p) => p.id)).toEqual(expected.slice(1));
      expect(rest.nextCursor).toBeNull();
      await connector.getProducts(expected);
      expect(batches()).toBe(0);
    });

    it('fails on its own: a catalog outage leaves the CRM answering', async () => {
      bo.control('catalog', { down: true });
      await expect(catalog().getProducts(['P0001'])).rejects.toMatchObject({ system: 'catalog', extensions: { code: ErrorCode.BACKOFFICE_UNAVAILABLE } });
      await expect(crm().getCustomers(['C0000001'])).resolves.toEqual([expect.objectContaining({ id: 'C0000001' })]);
    });
  });
});

describe('JSON HTTP client', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // A system that misbehaves in ways the simulator does not: leaky error bodies, non-JSON answers.
    server = createServer((req, res) => {
      if (req.url === '/leaky') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'customer Claire Martin +33612345678 broke it' }));
      } else if (req.url === '/limited') {
        res.writeHead(429).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>Claire Martin</html>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reports failures with status, system and route only', async () => {
    const client = new JsonHttpClient({ system: 'crm', baseUrl: baseUrl.replace(/\/api$/, '') });
    try {
      const leaky = await client.get('/leaky', { route: 'GET /leaky' }).catch((e: unknown) => e);
      expect(leaky).toBeInstanceOf(UpstreamError);
      expect(leaky).toMatchObject({ message: 'crm GET /leaky: answered HTTP 500', status: 500, transient: true, kind: 'status' });
      await expect(client.get('/limited')).rejects.toMatchObject({ status: 429, transient: true });
      const html = await client.get('/page').catch((e: unknown) => e);
      expect(html).toMatchObject({ kind: 'protocol', transient: false });
      expect((html as Error).message).not.toContain('Claire');
    } finally {
      await client.close();
    }
  });

  it('prefixes the base URL path and reports a refused connection as a transient network failure', async () => {
    const client = new JsonHttpClient({ system: 'catalog', baseUrl: 'http://127.0.0.1:1' });
    await expect(client.get('/products')).rejects.toMatchObject({ kind: 'network', transient: true, message: expect.stringContaining('ECONNREFUSED') });
    await client.close();
    const prefixed = new JsonHttpClient({ system: 'catalog', baseUrl });
    await expect(prefixed.get('/leaky')).rejects.toMatchObject({ kind: 'protocol' });
    await prefixed.close();
  });
});
