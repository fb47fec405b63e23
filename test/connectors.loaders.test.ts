import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import type { Backoffice } from '../src/connectors/backoffice';
import { createBackoffice, type ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import { createLoaders } from '../src/connectors/loaders';
import { runInNewContext } from 'node:vm';
import { BackofficeUnavailableError, ErrorCode } from '../src/errors';
import { isStoreUnavailable } from '../src/services/communication.service';

type Call = [system: string, keys: readonly string[]];

/** The real connectors, with each batch call written down on its way through. */
function recording(backoffice: Backoffice, calls: Call[]): Backoffice {
  const note = <T>(system: string, keys: readonly string[], result: Promise<T>): Promise<T> => {
    calls.push([system, keys]);
    return result;
  };
  return {
    crm: { ...backoffice.crm, getCustomers: (ids) => note('crm', ids, backoffice.crm.getCustomers(ids)) },
    catalog: { ...backoffice.catalog, getProducts: (ids) => note('catalog', ids, backoffice.catalog.getProducts(ids)) },
    contracts: {
      check: () => backoffice.contracts.check(),
      getContracts: (ids) => note('contracts', ids, backoffice.contracts.getContracts(ids)),
      getContractsByCustomer: (ids) => note('contracts by customer', ids, backoffice.contracts.getContractsByCustomer(ids)),
    },
  };
}

describe('per-request loaders over the simulated back-office', () => {
  let dir: string;
  let bo: RunningBackoffice;
  let backoffice: ConnectedBackoffice;
  let calls: Call[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connectors-loaders-'));
    bo = await startBackoffice({ customers: 200, contracts: 500, products: 40, seed: 42, contractsDatabaseUrl: `sqlite:${join(dir, 'c.sqlite')}` });
    backoffice = await createBackoffice({
      crmUrl: bo.crmUrl,
      catalogUrl: bo.catalogUrl,
      contractsDatabaseUrl: bo.contractsDatabaseUrl,
      timeoutMs: 400,
      retries: 0,
      cacheTtlMs: 0,
      breaker: { failureThreshold: 2, coolDownMs: 60_000 },
    });
  });

  afterAll(async () => {
    await backoffice?.close();
    await bo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    bo.resetStats();
    calls = [];
  });

  it('makes one call per system for the loads of one tick, answering in key order with null for unknown ids', async () => {
    const loaders = createLoaders(recording(backoffice, calls));
    const [customers, products, contractLists, contracts] = await Promise.all([
      Promise.all(['C0000002', 'C0000001', 'C9999999', 'C0000001'].map((id) => loaders.customer.load(id))),
      Promise.all(['P0002', 'P9999', 'P0001'].map((id) => loaders.product.load(id))),
      Promise.all(['C0000001', 'C9999999'].map((id) => loaders.contractsByCustomer.load(id))),
      Promise.all(['K00000004', 'K99999999'].map((id) => loaders.contract.load(id))),
    ]);
    expect(customers.map((c) => c?.id ?? null)).toEqual(['C0000002', 'C0000001', null, 'C0000001']);
    expect(products.map((p) => p?.id ?? null)).toEqual(['P0002', null, 'P0001']);
    expect(contractLists[0].map((c) => c.id)).toEqual(expect.arrayContaining(['K00000001', 'K00000002', 'K00000003']));
    expect(contractLists[1]).toEqual([]);
    expect(contracts.map((c) => c?.id ?? null)).toEqual(['K00000004', null]);

    expect(calls.sort(([a], [b]) => a.localeCompare(b))).toEqual([
      ['catalog', ['P0002', 'P9999', 'P0001']],
      ['contracts', ['K00000004', 'K99999999']],
      ['contracts by customer', ['C0000001', 'C9999999']],
      ['crm', ['C0000002', 'C0000001', 'C9999999']],
    ]);
    expect(bo.stats('crm').byRoute).toEqual({ 'POST /customers/lookup': 1 });
    expect(bo.stats('catalog').byRoute).toEqual({ 'POST /products/batch': 1 });
  });

  it('serves a record again from the request cache, and a customer’s contracts by id without a query', async () => {
    const loaders = createLoaders(recording(backoffice, calls));
    const [mine] = await Promise.all([loaders.contractsByCustomer.load('C0000001'), loaders.customer.load('C0000001')]);
    const again = await Promise.all([loaders.customer.load('C0000001'), ...mine.map((c) => loaders.contract.load(c.id))]);
    expect(again.slice(1)).toEqual(mine);
    expect(calls.map(([system]) => system).sort()).toEqual(['contracts by customer', 'crm']);
  });

  it('fails only the keys of the failed system, each with its BackofficeUnavailableError', async () => {
    bo.control('catalog', { down: true });
    try {
      const loaders = createLoaders(backoffice);
      const results = await Promise.allSettled([
        loaders.customer.load('C0000001'),
        loaders.product.load('P0001'),
        loaders.product.load('P0002'),
        loaders.contractsByCustomer.load('C0000001'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      for (const result of results.slice(1, 3)) {
        const reason = (result as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(BackofficeUnavailableError);
        expect(reason).toMatchObject({ system: 'catalog', extensions: { code: ErrorCode.BACKOFFICE_UNAVAILABLE } });
      }

      // A second failing batch opens the catalog's circuit (threshold 2 here); the others stay closed.
      await expect(createLoaders(backoffice).product.load('P0003')).rejects.toBeInstanceOf(BackofficeUnavailableError);
      expect(backoffice.health()).toEqual([
        { system: 'crm', state: 'closed' },
        { system: 'contracts', state: 'closed' },
        { system: 'catalog', state: 'open' },
      ]);
    } finally {
      bo.control('catalog', { down: false });
    }
  });

  it('keeps a failure that is not the system’s what it is, also when the error comes from another realm', async () => {
    // What the preference overlay's store read throws when PostgreSQL went away, as a socket error of another realm.
    const foreign = runInNewContext('Object.assign(new Error("Connection terminated unexpectedly"), { code: undefined })') as unknown;
    expect(foreign instanceof Error).toBe(false);
    const failing: Backoffice = { ...backoffice, crm: { ...backoffice.crm, getCustomers: () => Promise.reject(foreign) } };
    const reason = await createLoaders(failing).customer.load('C0000001').catch((error: unknown) => error);
    expect(reason).toBeInstanceOf(Error);
    expect(reason).not.toBeInstanceOf(BackofficeUnavailableError);
    expect(isStoreUnavailable(reason)).toBe(true);

    // A thrown non-error is still the system's failure.
    const odd: Backoffice = { ...backoffice, crm: { ...backoffice.crm, getCustomers: () => Promise.reject('boom') } };
    await expect(createLoaders(odd).customer.load('C0000001')).rejects.toBeInstanceOf(BackofficeUnavailableError);
  });
});
