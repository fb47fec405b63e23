import { Client } from 'pg';
import type { LegacyPolicyRow } from './legacy.shapes';

/*
 * The legacy contract system: table `policy_register` in PostgreSQL, lower-case
 * names, DATE and NUMERIC columns, status codes ACT/SUS/END/NEW. Recreated on
 * every start: the legacy sets in tests are small, so loading beats checking.
 */

const COLUMNS = ['policy_ref', 'policy_no', 'party_no', 'article_no', 'state', 'valid_from', 'valid_to', 'premium', 'premium_ccy', 'payment_method'] as const;
const ROWS_PER_INSERT = 1_000;

export async function seedPolicyRegister(url: string, rows: readonly LegacyPolicyRow[]): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new RangeError('legacy contracts: expected a postgres:// URL (the legacy contract system is PostgreSQL)');
  const client = new Client({ connectionString: url, application_name: 'ccm-backoffice-legacy' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('DROP TABLE IF EXISTS policy_register');
    await client.query(`CREATE TABLE policy_register (
      policy_ref VARCHAR(12) PRIMARY KEY, policy_no VARCHAR(20) NOT NULL, party_no VARCHAR(12) NOT NULL, article_no VARCHAR(8) NOT NULL,
      state CHAR(3) NOT NULL, valid_from DATE NOT NULL, valid_to DATE NULL, premium NUMERIC(12, 2) NOT NULL, premium_ccy CHAR(3) NOT NULL,
      payment_method VARCHAR(16) NOT NULL)`);
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const batch = rows.slice(start, start + ROWS_PER_INSERT);
      const values: unknown[] = [];
      const tuples = batch.map((row, r) => {
        for (const column of COLUMNS) values.push(row[column]);
        return `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`;
      });
      await client.query(`INSERT INTO policy_register (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
    }
    await client.query('CREATE INDEX ix_policy_register_party ON policy_register (party_no)');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
