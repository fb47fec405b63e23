import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

type Work<T> = (manager: EntityManager) => Promise<T>;

/**
 * TypeORM's better-sqlite3 driver has one connection and one query runner per
 * data source, so two transactions started from the same process would nest
 * into each other's savepoints. Everything the store does on SQLite is
 * therefore queued per data source. A WeakMap rather than a field: every
 * repository or archive built on the same data source must share the queue.
 */
const sqliteQueues = new WeakMap<DataSource, { tail: Promise<unknown> }>();

/** How the store runs work against either database: transactions, row locks, constraint errors. */
export class DatabaseGate {
  readonly isSqlite: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.isSqlite = dataSource.options.type === 'better-sqlite3';
  }

  /** Reads outside a transaction (queued behind writes on SQLite, where they would see uncommitted rows). */
  read<T>(work: Work<T>): Promise<T> {
    return this.isSqlite ? this.exclusive(() => work(this.dataSource.manager)) : work(this.dataSource.manager);
  }

  /**
   * One transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock up front,
   * so another process sharing the file waits for it (busy_timeout) instead of
   * failing when a read transaction tries to become a write transaction.
   * Inside `work`, use inserts, updates and query builders, not `save()`,
   * which would try to open a transaction of its own on SQLite.
   */
  write<T>(work: Work<T>): Promise<T> {
    // READ COMMITTED is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip per write.
    if (!this.isSqlite) return this.dataSource.transaction(work);
    return this.exclusive(async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.query('BEGIN IMMEDIATE');
      try {
        const result = await work(runner.manager);
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * A write that is one statement on PostgreSQL, atomic by itself: run outside
   * a transaction there (no BEGIN and COMMIT round trips), and as `write` on
   * SQLite, where it may be several statements.
   */
  statement<T>(work: Work<T>): Promise<T> {
    return this.isSqlite ? this.write(work) : work(this.dataSource.manager);
  }

  /** `SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a time already. */
  forUpdate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return this.isSqlite ? query : query.setLock('pessimistic_write');
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    let queue = sqliteQueues.get(this.dataSource);
    if (!queue) {
      queue = { tail: Promise.resolve() };
      sqliteQueues.set(this.dataSource, queue);
    }
    const result = queue.tail.then(task);
    queue.tail = result.catch(() => undefined);
    return result;
  }
}

/** A unique or primary-key constraint refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (cause as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
