import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'typeorm';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { connectBackoffice, defaultBackofficeFile, type ConnectedBackoffice } from '../src/connectors/backoffice.connect';
import type { BackofficeFile } from '../src/connectors/spec/backoffice.schema';
import { parseBackofficeText } from '../src/connectors/spec/spec.loader';
import { Channel } from '../src/domain';

describe('cacheTtlMs of the CRM and the contract system', () => {
  let dir: string;
  let bo: RunningBackoffice;
  let connected: ConnectedBackoffice;
  const statements: string[] = [];
  const ignore = (): void => undefined;
  const sqlLogger: Logger = { logQuery: (sql: string) => void statements.push(sql), logQueryError: ignore, logQuerySlow: ignore, logSchemaBuild: ignore, logMigration: ignore, log: ignore };

  const file = (change: (f: any) => void): BackofficeFile => {
    const f: any = structuredClone(defaultBackofficeFile({ crmUrl: bo.crmUrl, catalogUrl: bo.catalogUrl, contractsDatabaseUrl: bo.contractsDatabaseUrl }));
    change(f);
    const result = parseBackofficeText(JSON.stringify(f), {});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return result.file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connectors-cache-'));
    bo = await startBackoffice({ customers: 50, contracts: 80, products: 10, seed: 42, contractsDatabaseUrl: `sqlite:${join(dir, 'c.sqlite')}` });
    connected = await connectBackoffice(
      file((f) => {
        f.backoffice.crm.cacheTtlMs = 60_000;
        f.backoffice.contracts.cacheTtlMs = 60_000;
        // Wherever it lands, a write-through drops the customer from the cache.
        f.backoffice.crm.customers.updatePreferences = { method: 'PATCH', url: '/customers/{id}/preferences', body: { preferredChannel: '{preferredChannel}' } };
      }),
      { timeoutMs: 1_000, retries: 0, cacheTtlMs: 0, sqlLogger },
    );
  });
  afterAll(async () => {
    await connected?.close();
    await bo?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    bo.resetStats();
    statements.length = 0;
  });

  const lookups = (): number => bo.stats('crm').byRoute['POST /customers/lookup'] ?? 0;

  it('asks the CRM only for customers it has not seen, unknown ids included, and once for concurrent callers', async () => {
    const first = await connected.crm.getCustomers(['C0000001', 'C0000002', 'C9999999']);
    expect(first.map((c) => c?.id ?? null)).toEqual(['C0000001', 'C0000002', null]);
    expect(lookups()).toBe(1);
    const again = await connected.crm.getCustomers(['C9999999', 'C0000002', 'C0000001']);
    expect(again.map((c) => c?.id ?? null)).toEqual([null, 'C0000002', 'C0000001']);
    expect(again[2]).toEqual(first[0]);
    expect(lookups()).toBe(1);
    const [a, b] = await Promise.all([connected.crm.getCustomers(['C0000003']), connected.crm.getCustomers(['C0000003', 'C0000001'])]);
    expect(a[0]?.id).toBe('C0000003');
    expect(b.map((c) => c?.id)).toEqual(['C0000003', 'C0000001']);
    expect(lookups()).toBe(2);
  });

  it('asks the CRM again for a customer after a preference write-through, even one that failed', async () => {
    await connected.crm.getCustomers(['C0000004']);
    expect(lookups()).toBe(1);
    await connected.crm.updatePreferences!('C0000004', { preferredChannel: Channel.EMAIL }).catch(() => undefined);
    await connected.crm.getCustomers(['C0000004', 'C0000001']);
    expect(lookups()).toBe(2);
  });

  it('keeps contracts by id and by customer, so a second view costs no statement', async () => {
    const holder = bo.data.contracts[0].CUST_REF;
    const [mine, none] = await connected.contracts.getContractsByCustomer([holder, 'C9999999']);
    expect(none).toEqual([]);
    expect(mine.length).toBeGreaterThan(0);
    const [contract] = await connected.contracts.getContracts([mine[0].id]);
    const run = statements.filter((sql) => /CNTR_MASTER/.test(sql)).length;
    expect(run).toBe(2);
    expect(await connected.contracts.getContractsByCustomer(['C9999999', holder])).toEqual([[], mine]);
    expect(await connected.contracts.getContracts([mine[0].id])).toEqual([contract]);
    expect(statements.filter((sql) => /CNTR_MASTER/.test(sql))).toHaveLength(run);
  });

  it('refuses a cache on a system whose answers depend on the caller', () => {
    const text = JSON.stringify(structuredClone(defaultBackofficeFile({ crmUrl: bo.crmUrl, catalogUrl: bo.catalogUrl, contractsDatabaseUrl: bo.contractsDatabaseUrl })))
      .replace('"kind":"rest"', '"kind":"rest","auth":{"type":"forward"},"cacheTtlMs":5000');
    const result = parseBackofficeText(text, {});
    expect(result.ok ? [] : result.problems).toEqual(['backoffice.crm.cacheTtlMs: expected 0 with auth forward (answers may depend on the caller), got 5000']);
  });
});
