import { Client } from 'pg';
import { seedContractsDatabase } from '../backoffice/contracts.db';
import { generateBackofficeData } from '../backoffice/seed.data';
import { createDatabase } from './support/postgres.cluster';

describe('contract system in PostgreSQL', () => {
  let url: string;
  let client: Client;

  beforeAll(async () => {
    url = await createDatabase(process.env.TEST_POSTGRES_URL!, 'backoffice_contracts_test');
    client = new Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  it('creates CNTR_MASTER with quoted upper-case columns, seeds it once and reseeds only for other data', async () => {
    const first = generateBackofficeData({ customers: 200, contracts: 2_500, products: 40, seed: 3 });
    await expect(seedContractsDatabase(url, first.contracts)).resolves.toEqual({ rows: 2_500, skipped: false });

    const { rows } = await client.query(
      'SELECT "CNTR_ID", "CNTR_NO", "CUST_REF", "PROD_REF", "STAT_CD", "DT_START", "DT_END", "AMT_MONTHLY_CT", "CCY_CD" FROM "CNTR_MASTER" ORDER BY "CNTR_ID"',
    );
    expect(rows).toEqual(first.contracts);
    const columns = await client.query(
      `SELECT column_name, data_type, character_maximum_length AS len FROM information_schema.columns WHERE table_name = 'CNTR_MASTER' ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'CNTR_ID', data_type: 'character varying', len: 12 },
      { column_name: 'CNTR_NO', data_type: 'character varying', len: 20 },
      { column_name: 'CUST_REF', data_type: 'character varying', len: 12 },
      { column_name: 'PROD_REF', data_type: 'character varying', len: 8 },
      { column_name: 'STAT_CD', data_type: 'character', len: 1 },
      { column_name: 'DT_START', data_type: 'character', len: 8 },
      { column_name: 'DT_END', data_type: 'character', len: 8 },
      { column_name: 'AMT_MONTHLY_CT', data_type: 'integer', len: null },
      { column_name: 'CCY_CD', data_type: 'character', len: 3 },
    ]);
    const indexes = await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'CNTR_MASTER' ORDER BY indexname`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['IX_CNTR_MASTER_CUST_REF', 'IX_CNTR_MASTER_PROD_REF']));

    const stamp = async (): Promise<string> =>
      (await client.query(`SELECT "SEEDED_AT" AS at FROM "SIM_SEED_INFO" WHERE "TABLE_NAME" = 'CNTR_MASTER'`)).rows[0].at;
    const seededAt = await stamp();
    await expect(seedContractsDatabase(url, first.contracts)).resolves.toEqual({ rows: 2_500, skipped: true });
    expect(await stamp()).toBe(seededAt);

    const second = generateBackofficeData({ customers: 200, contracts: 1_200, products: 40, seed: 4 });
    await expect(seedContractsDatabase(url, second.contracts)).resolves.toEqual({ rows: 1_200, skipped: false });
    const reloaded = await client.query('SELECT "CNTR_ID", "CUST_REF", "AMT_MONTHLY_CT" FROM "CNTR_MASTER" ORDER BY "CNTR_ID"');
    expect(reloaded.rows).toEqual(second.contracts.map(({ CNTR_ID, CUST_REF, AMT_MONTHLY_CT }) => ({ CNTR_ID, CUST_REF, AMT_MONTHLY_CT })));
  });

  it('lets concurrent seeders of one database finish with one consistent table', async () => {
    const data = generateBackofficeData({ customers: 100, contracts: 900, products: 30, seed: 11 });
    const results = await Promise.all([seedContractsDatabase(url, data.contracts), seedContractsDatabase(url, data.contracts)]);
    expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
    expect((await client.query('SELECT COUNT(*)::int AS n FROM "CNTR_MASTER"')).rows[0].n).toBe(900);
  });

  it('refuses URLs it cannot seed, with the expected forms in the message', async () => {
    await expect(seedContractsDatabase('mysql://localhost/x', [])).rejects.toThrow(/expected sqlite:<path> or postgres:\/\//);
    await expect(seedContractsDatabase('sqlite::memory:', [])).rejects.toThrow(/in-memory/);
  });
});
