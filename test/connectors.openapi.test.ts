import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { connectBackoffice, defaultBackofficeFile, type ConnectedBackoffice } from '../src/connectors/backoffice.connect';
import { OpenApiMismatchError } from '../src/connectors/sources/openapi.source';
import type { BackofficeFile } from '../src/connectors/spec/backoffice.schema';
import { parseBackofficeText } from '../src/connectors/spec/spec.loader';
import { ConfigError } from '../src/config';
import { BackofficeUnavailableError } from '../src/errors';

const DEFAULTS = { timeoutMs: 1_000, retries: 0, cacheTtlMs: 0 };

/** The simulated CRM and catalog as `kind: openapi`: operations by operationId, the documents they serve say path and method. */
function openApiFile(bo: RunningBackoffice, change: (file: any) => void = () => undefined): BackofficeFile {
  const file: any = structuredClone(defaultBackofficeFile({ crmUrl: bo.crmUrl, catalogUrl: bo.catalogUrl, contractsDatabaseUrl: bo.contractsDatabaseUrl }));
  const { crm, catalog } = file.backoffice;
  crm.kind = 'openapi';
  crm.customers.byIds = { operation: 'lookupCustomers', ids: { in: 'body' }, body: { ids: '{ids}' }, maxBatch: 500, items: 'data' };
  crm.customers.search = { ...crm.customers.search, url: undefined, operation: 'searchCustomers' };
  catalog.kind = 'openapi';
  // No batch: one call per product through getProduct (its {productId} is the id), three at a time.
  catalog.products.byIds = { operation: 'getProduct', ids: { in: 'path' }, concurrency: 3 };
  catalog.products.list = { ...catalog.products.list, url: undefined, operation: 'listProducts' };
  change(file);
  const result = parseBackofficeText(JSON.stringify(file), {});
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.file;
}

describe('kind: openapi, operations named by operationId', () => {
  let dir: string;
  let bo: RunningBackoffice;
  const opened: ConnectedBackoffice[] = [];
  const connect = async (file: BackofficeFile): Promise<ConnectedBackoffice> => {
    const connected = await connectBackoffice(file, DEFAULTS);
    opened.push(connected);
    return connected;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connectors-openapi-'));
    bo = await startBackoffice({ customers: 300, contracts: 100, products: 40, seed: 42, contractsDatabaseUrl: `sqlite:${join(dir, 'c.sqlite')}` });
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

  it('reads the document once at start and calls the paths and methods it gives, answering as the rest configuration does', async () => {
    const rest = await connect(defaultBackofficeFile({ crmUrl: bo.crmUrl, catalogUrl: bo.catalogUrl, contractsDatabaseUrl: bo.contractsDatabaseUrl }));
    const ids = ['C0000003', 'C9999999', 'C0000001'];
    const products = bo.data.products.slice(0, 5).map((p) => p.id);
    const expected = {
      customers: await rest.crm.getCustomers(ids),
      search: await rest.crm.searchCustomers({ first: 3, search: 'martin' }),
      products: await rest.catalog.getProducts([...products, 'P-NONE']),
      listing: await rest.catalog.listProducts({ first: 4, category: bo.data.products[0].category }),
    };
    bo.resetStats();

    const api = await connect(openApiFile(bo));
    expect(bo.stats('crm').byRoute).toEqual({ 'GET /openapi.json': 1 });
    expect(bo.stats('catalog').byRoute).toEqual({ 'GET /openapi.json': 1 });
    bo.resetStats();
    expect(await api.crm.getCustomers(ids)).toEqual(expected.customers);
    expect(await api.crm.searchCustomers({ first: 3, search: 'martin' })).toEqual(expected.search);
    expect(await api.catalog.getProducts([...products, 'P-NONE'])).toEqual(expected.products);
    expect(await api.catalog.listProducts({ first: 4, category: bo.data.products[0].category })).toEqual(expected.listing);
    expect(bo.stats('crm').byRoute).toEqual({ 'POST /customers/lookup': 1, 'GET /customers': 1 });
    // The unknown product is a 404 of its own call: "no such record", not a failure.
    expect(bo.stats('catalog').byRoute).toEqual({ 'GET /products/{productId}': 6, 'GET /products': 1 });
  });

  it('stops the start naming the path of an operationId the document lacks and of a query parameter it does not declare', async () => {
    const file = openApiFile(bo, (f) => {
      f.backoffice.crm.customers.byIds.operation = 'lookupCustomerz';
      f.backoffice.crm.customers.search.query = { ...f.backoffice.crm.customers.search.query, q: '{search}' };
    });
    const error = await connectBackoffice(file, DEFAULTS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenApiMismatchError);
    // A configuration error like the others: the process stops with exit code 2.
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as OpenApiMismatchError).problems).toEqual([
      expect.stringMatching(/^backoffice\.crm\.customers\.byIds\.operation: expected an operationId of the document \(searchCustomers, getCustomer, .*lookupCustomers.*\), got "lookupCustomerz"$/),
      'backoffice.crm.customers.search.query.q: expected a query parameter of searchCustomers (search, phone, limit, cursor), got "q"',
    ]);
    expect((error as Error).message).toMatch(/^BACKOFFICE_CONFIG: OpenAPI document http:\/\/.+\/openapi\.json: 2 problems\n {2}backoffice\.crm/);
  });

  it('checks the operations against the documents with check-config --reach, without starting the gateway', async () => {
    // Not execFileSync: the simulated systems answering the script run in this process.
    const check = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'check-config.js'), ...args], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      });
    const good = join(dir, 'openapi.good.json');
    const bad = join(dir, 'openapi.bad.json');
    writeFileSync(good, JSON.stringify(openApiFile(bo)));
    writeFileSync(bad, JSON.stringify(openApiFile(bo, (f) => {
      f.backoffice.catalog.products.list.operation = 'listProductz';
    })));
    expect(await check(bad)).toMatchObject({ code: 0 });
    const refused = await check('--reach', bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}: 1 problem with the OpenAPI documents\n  backoffice.catalog.products.list.operation: expected an operationId of the document (`);
    expect(await check('--reach', good)).toMatchObject({ code: 0, stdout: `${good}: valid (crm openapi, contracts sql, catalog openapi)\n` });
    bo.control('crm', { down: true });
    const down = await check('--reach', good);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('backoffice.crm: the OpenAPI document could not be read (crm GET OpenAPI document: answered HTTP 503)');
  });

  it('starts while the system is down and reads the document on first use', async () => {
    bo.control('crm', { down: true });
    const api = await connect(openApiFile(bo));
    await expect(api.crm.getCustomers(['C0000001'])).rejects.toBeInstanceOf(BackofficeUnavailableError);
    bo.control('crm', { down: false });
    bo.resetStats();
    const [claire] = await api.crm.getCustomers(['C0000001']);
    expect(claire).toMatchObject({ id: 'C0000001', lastName: 'Martin' });
    expect(bo.stats('crm').byRoute).toEqual({ 'GET /openapi.json': 1, 'POST /customers/lookup': 1 });
  });

  it('reads the document from a file given as openapi, and checks operations against the kind at load', async () => {
    const documentFile = join(dir, 'catalog.openapi.yaml');
    // YAML, as documents are often written: the catalog's own document, converted.
    writeFileSync(documentFile, stringify(await (await fetch(`${bo.catalogUrl}/openapi.json`)).json()));
    bo.resetStats();
    const api = await connect(openApiFile(bo, (f) => {
      f.backoffice.catalog.openapi = documentFile;
    }));
    expect(bo.stats('catalog').byRoute).toEqual({});
    const [product] = await api.catalog.getProducts([bo.data.products[0].id]);
    expect(product?.id).toBe(bo.data.products[0].id);

    const both = JSON.stringify({ ...structuredClone(openApiFile(bo)) }).replace('"operation":"lookupCustomers"', '"operation":"lookupCustomers","url":"/customers/lookup"');
    const result = parseBackofficeText(both, {});
    expect(result.ok ? [] : result.problems).toEqual(['backoffice.crm.customers.byIds.url: expected nothing with operation (the OpenAPI document gives it), got a value']);
    const ftp = parseBackofficeText(JSON.stringify(openApiFile(bo)).replace('"kind":"openapi"', '"kind":"openapi","openapi":"ftp://docs.example/crm.json"'), {});
    expect(ftp.ok ? [] : ftp.problems).toEqual(['backoffice.crm.openapi: expected an http(s) URL or a file path, got "ftp://docs.example/crm.json"']);
  });
});
