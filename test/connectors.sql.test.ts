import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'typeorm';
import { seedContractsDatabase } from '../backoffice/contracts.db';
import { generateBackofficeData } from '../backoffice/seed.data';
import type { ContractRow } from '../backoffice/wire.types';
import { ContractsSqlConnector } from '../src/connectors/contracts.sql';
import { Resilience } from '../src/connectors/resilience';
import { ContractStatus, type ContractRecord } from '../src/domain';
import { BackofficeUnavailableError, ErrorCode } from '../src/errors';
import { freePort } from '../src/store/redis.process';
import { createDatabase } from './support/postgres.cluster';

const data = generateBackofficeData({ customers: 300, contracts: 1_200, products: 40, seed: 5 });
const STATUS: Record<string, ContractStatus> = { A: ContractStatus.ACTIVE, S: ContractStatus.SUSPENDED, T: ContractStatus.TERMINATED, P: ContractStatus.PENDING };

/** The README's meaning of each legacy column, written out independently of the connector. */
function expected(row: ContractRow): ContractRecord {
  const day = (ymd: string): Date => new Date(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}T00:00:00.000Z`);
  return {
    id: row.CNTR_ID,
    number: row.CNTR_NO,
    status: STATUS[row.STAT_CD],
    startDate: day(row.DT_START),
    endDate: row.DT_END ? day(row.DT_END) : null,
    monthlyAmount: { amount: (row.AMT_MONTHLY_CT / 100).toFixed(2), currency: row.CCY_CD },
    customerId: row.CUST_REF,
    productId: row.PROD_REF,
  };
}

/** Records the statements TypeORM sends, to count round trips. */
function statementLog(): { logger: Logger; selects: () => string[]; reset: () => void } {
  let statements: string[] = [];
  const ignore = (): void => undefined;
  return {
    logger: { logQuery: (sql: string) => void statements.push(sql), logQueryError: ignore, logQuerySlow: ignore, logSchemaBuild: ignore, logMigration: ignore, log: ignore },
    selects: () => statements.filter((sql) => sql.includes('CNTR_MASTER')),
    reset: () => {
      statements = [];
    },
  };
}

function resilience(timeoutMs: number, failureThreshold = 5): Resilience {
  return new Resilience({ system: 'contracts', timeoutMs, retries: 1, breaker: { failureThreshold } });
}

const dir = mkdtempSync(join(tmpdir(), 'connectors-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['SQLite', async () => `sqlite:${join(dir, 'contracts.sqlite')}`],
  ['PostgreSQL', () => createDatabase(process.env.TEST_POSTGRES_URL!, 'connectors_sql_test')],
])('contract connector on %s', (_name, databaseUrl) => {
  let url: string;
  let connector: ContractsSqlConnector;
  const log = statementLog();

  beforeAll(async () => {
    url = await databaseUrl();
    await seedContractsDatabase(url, data.contracts);
    connector = new ContractsSqlConnector({ url, timeoutMs: 1_000, logger: log.logger }, resilience(1_000));
    await expect(connector.open()).resolves.toBe(true);
  });

  afterAll(async () => {
    await connector?.close();
  });

  beforeEach(() => log.reset());

  it('maps the legacy columns, answering in key order with null for unknown ids, 500 ids per statement', async () => {
    const ids = [...data.contracts.map((row) => row.CNTR_ID).reverse(), 'K99999999'];
    const records = await connector.getContracts(ids);
    expect(records.at(-1)).toBeNull();
    expect(records.slice(0, -1)).toEqual([...data.contracts].reverse().map(expected));
    expect(log.selects()).toHaveLength(3);
    // Legacy upper-case names only resolve quoted, on both dialects.
    expect(log.selects()[0]).toMatch(/FROM "CNTR_MASTER"/);
    expect(log.selects()[0]).toMatch(/"CNTR_ID" IN \(/);
  });

  it('maps C0000001’s documented contracts, cents to a decimal string', async () => {
    const [home, account, car] = await connector.getContracts(['K00000001', 'K00000002', 'K00000003']);
    expect(home).toMatchObject({ status: ContractStatus.ACTIVE, customerId: 'C0000001', endDate: null });
    expect(account).toMatchObject({ status: ContractStatus.ACTIVE, customerId: 'C0000001' });
    expect(car).toMatchObject({ status: ContractStatus.TERMINATED, customerId: 'C0000001', endDate: expect.any(Date) });
    expect(home!.monthlyAmount.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('loads the contracts of many customers in one statement, newest start first', async () => {
    const customerIds = ['C0000001', 'C9999999', ...data.customers.slice(1, 60).map((c) => c.customerId)];
    const lists = await connector.getContractsByCustomer(customerIds);
    expect(log.selects()).toHaveLength(1);
    expect(lists[1]).toEqual([]);
    const newestFirst = (a: ContractRow, b: ContractRow): number => b.DT_START.localeCompare(a.DT_START) || a.CNTR_ID.localeCompare(b.CNTR_ID);
    expect(lists).toEqual(customerIds.map((id) => data.contracts.filter((row) => row.CUST_REF === id).sort(newestFirst).map(expected)));
    expect(lists[0].map((c) => c.id)).toEqual(expect.arrayContaining(['K00000001', 'K00000002', 'K00000003']));
    expect(lists[0].map((c) => c.startDate.getTime())).toEqual(lists[0].map((c) => c.startDate.getTime()).sort((a, b) => b - a));
  });

  it('answers the readiness check', async () => {
    await expect(connector.check()).resolves.toBeUndefined();
    expect(connector.state()).toBe('closed');
  });
});

describe('contract connector when the database is unreachable', () => {
  it('fails with BackofficeUnavailableError(contracts) within the timeout, without the URL, and opens the circuit', async () => {
    const url = `postgres://gateway:s3cret@127.0.0.1:${await freePort()}/contracts`;
    const connector = new ContractsSqlConnector({ url, timeoutMs: 500 }, resilience(500, 2));
    try {
      await expect(connector.open()).resolves.toBe(false);
      const started = performance.now();
      const error = await connector.getContracts(['K00000001']).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(500);
      expect(error).toBeInstanceOf(BackofficeUnavailableError);
      expect(error).toMatchObject({ system: 'contracts', extensions: { code: ErrorCode.BACKOFFICE_UNAVAILABLE } });
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).not.toMatch(/s3cret|gateway|127\.0\.0\.1/);
      await expect(connector.check()).rejects.toBeInstanceOf(BackofficeUnavailableError);
      expect(connector.state()).toBe('open');
    } finally {
      await connector.close();
    }
  });

  it('treats a missing SQLite file as an unreachable system, not as an empty database', async () => {
    const path = join(dir, 'absent.sqlite');
    const connector = new ContractsSqlConnector({ url: `sqlite:${path}`, timeoutMs: 500 }, resilience(500));
    await expect(connector.getContractsByCustomer(['C0000001'])).rejects.toMatchObject({ system: 'contracts' });
    await expect(connector.check()).rejects.toBeInstanceOf(BackofficeUnavailableError);
    expect(existsSync(path)).toBe(false);
    await connector.close();
  });

  it('gives up on a statement that waits past the timeout', async () => {
    const url = await createDatabase(process.env.TEST_POSTGRES_URL!, 'connectors_sql_lock_test');
    await seedContractsDatabase(url, data.contracts.slice(0, 50));
    const connector = new ContractsSqlConnector({ url, timeoutMs: 400 }, resilience(400));
    const locker = new Client({ connectionString: url });
    await locker.connect();
    try {
      await expect(connector.open()).resolves.toBe(true);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "CNTR_MASTER" IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      await expect(connector.getContracts(['K00000001'])).rejects.toMatchObject({ system: 'contracts' });
      expect(performance.now() - started).toBeLessThan(700);
      await locker.query('ROLLBACK');
      await expect(connector.getContracts(['K00000001'])).resolves.toEqual([expect.objectContaining({ id: 'K00000001' })]);
    } finally {
      await locker.end();
      await connector.close();
    }
  });
});
