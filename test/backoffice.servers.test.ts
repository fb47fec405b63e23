import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import type { CatalogProduct, CrmCustomer } from '../backoffice/wire.types';
import { freePort } from '../src/store/redis.process';

interface Sqlite {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
  close(): void;
}
type SqliteConstructor = new (path: string, options?: { readonly?: boolean }) => Sqlite;
// better-sqlite3 ships no type declarations.
const Database = require('better-sqlite3') as SqliteConstructor;

const SIZES = { customers: 300, contracts: 800, products: 60, seed: 42 };

async function call(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const post = (url: string, body: unknown): Promise<{ status: number; headers: Headers; body: any }> =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('simulated back-office servers', () => {
  let dir: string;
  let bo: RunningBackoffice;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backoffice-'));
    bo = await startBackoffice({ ...SIZES, contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}` });
  });

  afterAll(async () => {
    await bo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    bo.control('crm', { latencyMs: 0, failureRate: 0, down: false });
    bo.control('catalog', { latencyMs: 0, failureRate: 0, down: false });
  });

  it('serves a CRM customer in the documented wire shape', async () => {
    const { status, headers, body } = await call(`${bo.crmUrl}/customers/C0000001`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      customerId: 'C0000001',
      type: 'PRIVATE',
      givenName: 'Claire',
      familyName: 'Martin',
      organisationName: null,
      contact: { email: 'claire.martin@example.com', mobile: '+33612345678' },
      address: { street: '12 rue des Lilas', additional: null, postcode: '69003', town: 'Lyon', countryCode: 'FR' },
      preferredLanguage: 'fr',
      segment: 'retail',
      communication: { preferredChannel: 'email', consents: { email: true, sms: true, portal: true } },
      updatedAt: '2026-03-01T10:00:00.000Z',
    });
    expect(bo.data.customers[0]).toEqual(body);
  });

  it('answers 404 with a JSON error for unknown customers, products and routes', async () => {
    const customer = await call(`${bo.crmUrl}/customers/C9999999`);
    expect(customer).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', message: expect.stringContaining('C9999999') } } });
    const product = await call(`${bo.catalogUrl}/products/P9999`);
    expect(product).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect((await call(`${bo.crmUrl}/nowhere`)).status).toBe(404);
    const wrongMethod = await call(`${bo.crmUrl}/customers`, { method: 'DELETE' });
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('searches case-insensitively and pages with opaque cursors to the end', async () => {
    const expected = bo.data.customers.filter((c) => `${c.givenName} ${c.familyName} ${c.organisationName} ${c.contact.email}`.toLowerCase().includes('mart'));
    expect(expected.length).toBeGreaterThan(5);
    const seen: CrmCustomer[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await call(`${bo.crmUrl}/customers?search=MaRt&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.page.total).toBe(expected.length);
      expect(page.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.data);
      cursor = page.body.page.nextCursor;
    } while (cursor !== null);
    expect(seen.map((c) => c.customerId)).toEqual(expected.map((c) => c.customerId));

    const byId = await call(`${bo.crmUrl}/customers?search=c0000042`);
    expect(byId.body.data.map((c: CrmCustomer) => c.customerId)).toEqual(['C0000042']);
    const email = bo.data.customers[3].contact.email!;
    expect((await call(`${bo.crmUrl}/customers?search=${encodeURIComponent(email.toUpperCase())}`)).body.data[0].customerId).toBe('C0000004');
    const all = await call(`${bo.crmUrl}/customers`);
    expect(all.body.data).toHaveLength(20);
    expect(all.body.page.total).toBe(SIZES.customers);
    const none = await call(`${bo.crmUrl}/customers?search=zzzqqq`);
    expect(none.body).toEqual({ data: [], page: { total: 0, nextCursor: null } });
  });

  it('answers 400 for a bad limit, a foreign or forged cursor and a malformed body', async () => {
    for (const limit of ['0', '201', 'ten', '-1', '2.5']) {
      const bad = await call(`${bo.crmUrl}/customers?limit=${limit}`);
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('limit') } } });
    }
    expect((await call(`${bo.catalogUrl}/products?limit=501`)).status).toBe(400);
    expect((await call(`${bo.catalogUrl}/products?limit=500`)).status).toBe(200);
    const first = await call(`${bo.crmUrl}/customers?search=a&limit=2`);
    const foreign = await call(`${bo.crmUrl}/customers?search=b&cursor=${first.body.page.nextCursor}`);
    expect(foreign).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('cursor') } } });
    expect((await call(`${bo.crmUrl}/customers?cursor=not-a-cursor`)).status).toBe(400);
    const broken = await call(`${bo.crmUrl}/customers/lookup`, { method: 'POST', body: '{"ids": [' });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect((await post(`${bo.crmUrl}/customers/lookup`, { id: 'C0000001' })).status).toBe(400);
    expect((await post(`${bo.crmUrl}/customers/lookup`, { ids: [42] })).status).toBe(400);
    const tooMany = await post(`${bo.crmUrl}/customers/lookup`, { ids: Array.from({ length: 501 }, (_, i) => `C${i}`) });
    expect(tooMany).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('at most 500') } } });
    expect((await post(`${bo.catalogUrl}/products/batch`, ['P0001'])).status).toBe(400);
    const huge = await post(`${bo.catalogUrl}/products/batch`, { ids: ['P0001'], padding: 'x'.repeat(1_100_000) });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('looks customers and products up in batches, reporting or dropping unknown ids', async () => {
    const lookup = await post(`${bo.crmUrl}/customers/lookup`, { ids: ['C0000002', 'C0000001', 'C7777777', 'C0000002', 'nope'] });
    expect(lookup.status).toBe(200);
    expect(lookup.body.data.map((c: CrmCustomer) => c.customerId).sort()).toEqual(['C0000001', 'C0000002']);
    expect(lookup.body.missing.sort()).toEqual(['C7777777', 'nope']);
    const batch = await post(`${bo.catalogUrl}/products/batch`, { ids: ['P0002', 'P0404', 'P0001'] });
    expect(batch.body.items.map((p: CatalogProduct) => p.id).sort()).toEqual(['P0001', 'P0002']);
    expect(batch.body.items.find((p: CatalogProduct) => p.id === 'P0001')).toEqual(bo.data.products[0]);
  });

  it('lists the catalog by category with paging', async () => {
    const expected = bo.data.products.filter((p) => p.category === 'loan').map((p) => p.id);
    const first = await call(`${bo.catalogUrl}/products?category=loan&limit=3`);
    expect(first.body).toMatchObject({ total: expected.length, next: expect.any(String) });
    expect(first.body.items[0]).toEqual({
      id: expect.stringMatching(/^P\d{4}$/),
      code: expect.stringMatching(/^[A-Z]+-[A-Z]+-\d{2}$/),
      name: expect.any(String),
      category: 'loan',
      description: expect.any(String),
      monthlyPrice: { value: expect.stringMatching(/^\d+\.\d{2}$/), currency: expect.stringMatching(/^[A-Z]{3}$/) },
    });
    const rest = await call(`${bo.catalogUrl}/products?category=loan&limit=500&cursor=${first.body.next}`);
    expect([...first.body.items, ...rest.body.items].map((p: CatalogProduct) => p.id)).toEqual(expected);
    expect(rest.body.next).toBeNull();
    expect((await call(`${bo.catalogUrl}/products`)).body).toMatchObject({ total: SIZES.products, next: expect.any(String) });
    expect((await call(`${bo.catalogUrl}/products?category=spaceships`)).body).toEqual({ items: [], total: 0, next: null });
  });

  it('serves OpenAPI 3.1 documents describing the routes', async () => {
    const crm = await call(`${bo.crmUrl}/openapi.json`);
    expect(crm.body.openapi).toBe('3.1.0');
    expect(Object.keys(crm.body.paths)).toEqual(expect.arrayContaining(['/customers', '/customers/{customerId}', '/customers/lookup']));
    expect(crm.body.components.schemas.CrmCustomer.required).toContain('communication');
    const catalog = await call(`${bo.catalogUrl}/openapi.json`);
    expect(Object.keys(catalog.body.paths)).toEqual(expect.arrayContaining(['/products', '/products/{productId}', '/products/batch']));
  });

  it('injects latency, failures and downtime through the API and through PUT /_control', async () => {
    bo.control('crm', { latencyMs: 150 });
    const started = performance.now();
    expect((await call(`${bo.crmUrl}/customers/C0000001`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    const set = await call(`${bo.crmUrl}/_control`, { method: 'PUT', body: JSON.stringify({ latencyMs: 0, down: true }) });
    expect(set.body).toEqual({ latencyMs: 0, failureRate: 0, down: true });
    const down = await call(`${bo.crmUrl}/customers/C0000001`);
    expect(down).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE' } } });
    expect(down.headers.get('retry-after')).toBe('1');
    // The other system is unaffected, and the control endpoint itself keeps answering.
    expect((await call(`${bo.catalogUrl}/products/P0001`)).status).toBe(200);
    expect((await call(`${bo.crmUrl}/_control`)).body.down).toBe(true);

    bo.control('crm', { down: false, failureRate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1) statuses.push((await call(`${bo.crmUrl}/customers/C0000001`)).status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);

    const invalid = await call(`${bo.catalogUrl}/_control`, { method: 'PUT', body: JSON.stringify({ failureRate: 2 }) });
    expect(invalid).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('failureRate') } } });
    expect((await call(`${bo.catalogUrl}/_control`, { method: 'PUT', body: '{"speed": 1}' })).status).toBe(400);
    expect(() => bo.control('catalog', { latencyMs: -1 })).toThrow(/latencyMs/);
  });

  it('counts requests per route, without counting the control endpoints', async () => {
    bo.resetStats();
    await post(`${bo.crmUrl}/customers/lookup`, { ids: ['C0000001'] });
    await post(`${bo.crmUrl}/customers/lookup`, { ids: ['C0000002'] });
    await call(`${bo.crmUrl}/customers/C0000003`);
    await call(`${bo.crmUrl}/customers/C0000004`);
    await call(`${bo.crmUrl}/_control`);
    const expected = { requests: 4, byRoute: { 'POST /customers/lookup': 2, 'GET /customers/{customerId}': 2 } };
    expect(bo.stats('crm')).toEqual(expected);
    expect((await call(`${bo.crmUrl}/_stats`)).body).toEqual(expected);
    expect(bo.stats('catalog')).toEqual({ requests: 0, byRoute: {} });
    expect((await call(`${bo.crmUrl}/_stats`, { method: 'DELETE' })).body).toEqual({ requests: 0, byRoute: {} });
    expect(bo.stats('crm').requests).toBe(0);
  });

  it('seeds CNTR_MASTER with the legacy columns, indexed by customer and product', () => {
    const db = new Database(join(dir, 'contracts.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT "CNTR_ID", "CNTR_NO", "CUST_REF", "PROD_REF", "STAT_CD", "DT_START", "DT_END", "AMT_MONTHLY_CT", "CCY_CD" FROM "CNTR_MASTER" ORDER BY "CNTR_ID"').all();
      expect(rows).toEqual(bo.data.contracts);
      const mine = db.prepare('SELECT "CNTR_ID" FROM "CNTR_MASTER" WHERE "CUST_REF" = ? ORDER BY "CNTR_ID"').all('C0000001') as { CNTR_ID: string }[];
      expect(mine.slice(0, 3).map((r) => r.CNTR_ID)).toEqual(['K00000001', 'K00000002', 'K00000003']);
      const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'CNTR_MASTER' AND sql IS NOT NULL`).all();
      expect(indexes).toEqual(expect.arrayContaining([{ name: 'IX_CNTR_MASTER_CUST_REF' }, { name: 'IX_CNTR_MASTER_PROD_REF' }]));
      const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM "CNTR_MASTER" WHERE "PROD_REF" = ?').all('P0001') as { detail: string }[];
      expect(plan.map((p) => p.detail).join()).toContain('IX_CNTR_MASTER_PROD_REF');
    } finally {
      db.close();
    }
  });

  it('gives the same data and database for the same seed, and binds the catalog to port + 1', async () => {
    let port = 0;
    let again: RunningBackoffice | undefined;
    // A free port whose neighbour is taken is possible; another pair is then tried.
    for (let attempt = 0; !again; attempt += 1) {
      port = await freePort();
      again = await startBackoffice({ ...SIZES, contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}`, port }).catch((error: Error) => {
        if (attempt >= 4 || !/EADDRINUSE/.test(error.message)) throw error;
        return undefined;
      });
    }
    try {
      expect(again.crmUrl).toBe(`http://127.0.0.1:${port}`);
      expect(again.catalogUrl).toBe(`http://127.0.0.1:${port + 1}`);
      expect(again.data).toEqual(bo.data);
      expect((await call(`${again.crmUrl}/customers/C0000123`)).body).toEqual((await call(`${bo.crmUrl}/customers/C0000123`)).body);
      // A second back-office on the same ports fails to start and leaves nothing listening.
      await expect(startBackoffice({ ...SIZES, contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}`, port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await again.close();
    }
    const db = new Database(join(dir, 'contracts.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM "CNTR_MASTER"').get()).toEqual({ n: SIZES.contracts });
    } finally {
      db.close();
    }
  });
});
