import { createHash } from 'node:crypto';
import { QueryFailedError, type EntityManager } from 'typeorm';

/** What one statement returned: its rows (SELECT, RETURNING) and how many rows it changed. */
export interface DirectResult {
  readonly rows: Record<string, unknown>[];
  readonly changes: number;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): Record<string, unknown>[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}
interface PgClient {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** Prepared statements kept per SQLite connection, most recently used last. */
const SQLITE_CACHE_SIZE = 500;
/** Distinct texts run as named (server-side prepared) statements on PostgreSQL; beyond that, unnamed. */
const PG_NAMED_LIMIT = 500;

/**
 * Caches per connection (SQLite) or per data source's driver (PostgreSQL
 * statement names). WeakMaps rather than fields: every repository built on the
 * same data source shares them, and they go with the connection.
 */
const sqliteStatements = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();
const pgNames = new WeakMap<object, Map<string, string>>();

/**
 * One statement of the store's hot path, on the connection `manager` stands
 * for, past TypeORM's query runner. TypeORM's `query()` costs more CPU than
 * SQLite takes to run the statement: several awaits, a broadcast, a logger
 * call, and a statement cache of 100 that evicts in insertion order, so the
 * pipeline's fixed statements were compiled again and again. Here SQLite runs
 * a statement prepared once per connection, and PostgreSQL a named statement
 * parsed and planned once per connection. Inside a gate's transaction it runs
 * in that transaction (SQLite: the one connection; PostgreSQL: the
 * transaction's client). Errors are TypeORM's `QueryFailedError`, as from
 * `manager.query`, so callers tell constraint and availability errors apart
 * the same way.
 */
export async function directQuery(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<DirectResult> {
  const driver = manager.connection.driver as unknown as { databaseConnection?: SqliteDatabase; master?: PgClient };
  const values = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  if (manager.connection.options.type === 'better-sqlite3' && driver.databaseConnection) {
    try {
      const statement = sqliteStatement(driver.databaseConnection, sql);
      return statement.reader ? { rows: statement.all(...values), changes: 0 } : { rows: [], changes: statement.run(...values).changes };
    } catch (error) {
      throw new QueryFailedError(sql, values, error as Error);
    }
  }
  if (manager.connection.options.type === 'postgres') {
    const runner = manager.queryRunner;
    // In a transaction: its client. Outside one: the pool, which lends a client for the one statement.
    const client = runner && !runner.isReleased ? ((await runner.connect()) as PgClient) : driver.master;
    if (client) {
      const name = pgName(driver, sql);
      try {
        const result = await client.query(name ? { text: sql, values, name } : { text: sql, values });
        return { rows: result.rows, changes: result.rowCount ?? 0 };
      } catch (error) {
        throw new QueryFailedError(sql, values, error as Error);
      }
    }
  }
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = (await runner.query(sql, values, true)) as { records?: Record<string, unknown>[]; affected?: number | null };
    return { rows: result.records ?? [], changes: result.affected ?? 0 };
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}

function sqliteStatement(db: SqliteDatabase, sql: string): SqliteStatement {
  let cache = sqliteStatements.get(db);
  if (!cache) {
    cache = new Map();
    sqliteStatements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement) {
    // Most recently used last, so the eviction below drops the coldest.
    cache.delete(sql);
  } else {
    statement = db.prepare(sql);
    if (cache.size >= SQLITE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, statement);
  return statement;
}

/** A name per distinct text (a hash: one name never stands for two texts), for the first PG_NAMED_LIMIT texts. */
function pgName(driver: object, sql: string): string | undefined {
  let names = pgNames.get(driver);
  if (!names) {
    names = new Map();
    pgNames.set(driver, names);
  }
  let name = names.get(sql);
  if (!name && names.size < PG_NAMED_LIMIT) {
    name = `ccm_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}
