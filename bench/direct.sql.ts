import { Pool } from 'pg';

/** Rows of a SELECT, on SQLite (better-sqlite3, prepared once per statement text) or PostgreSQL (a pool). */
export interface SqlReader {
  /** `$1`, `$2`… on PostgreSQL, `?` on SQLite. */
  placeholder(index: number): string;
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The part of better-sqlite3 used here; it ships no type declarations of its own. */
interface SqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}
type SqliteConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => SqliteDatabase;

/**
 * `sqlite:<path>` (also `sqlite://<path>`) opens the file read-only, next to the
 * process that writes it (WAL lets both go on); `postgres://…` opens a pool of
 * `poolSize` connections, as the gateway's store and contract connector do.
 */
export function openSqlReader(url: string, poolSize = 10): SqlReader {
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) {
    const Database = require('better-sqlite3') as SqliteConstructor;
    const db = new Database(sqlite[1], { readonly: true, fileMustExist: true, timeout: 2_000 });
    const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
    return {
      placeholder: () => '?',
      all: async <T>(sql: string, params: readonly unknown[]) => {
        let statement = prepared.get(sql);
        if (!statement) {
          statement = db.prepare(sql);
          prepared.set(sql, statement);
        }
        return statement.all(...params) as T[];
      },
      close: async () => db.close(),
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new Pool({ connectionString: url, max: poolSize });
    // An idle connection dropped by the server surfaces on the next query instead.
    pool.on('error', () => undefined);
    return {
      placeholder: (index) => `$${index + 1}`,
      all: async <T>(sql: string, params: readonly unknown[]) => (await pool.query(sql, params as unknown[])).rows as T[],
      close: () => pool.end(),
    };
  }
  throw new RangeError('direct client: expected a database URL sqlite:<path> or postgres://…, got another scheme');
}

/** `(?, ?, ?)` or `($1, $2, $3)` for an IN list of `count` values. */
export function inList(reader: SqlReader, count: number, offset = 0): string {
  return `(${Array.from({ length: count }, (_, i) => reader.placeholder(offset + i)).join(', ')})`;
}
