import { Pool } from 'pg';

/** A message of the minimal pipeline as the worker reads it back. */
export interface MinimalMessage {
  readonly id: string;
  readonly to: string;
  readonly body: string;
}

/** Status ranks: a callback only ever moves a message forward. */
export const MINIMAL_STATUS = { queued: 0, sent: 1, delivered: 2, failed: 3 } as const;
export type MinimalStatus = keyof typeof MINIMAL_STATUS;

/**
 * The minimal pipeline's one table and its four statements: an INSERT when a
 * message is accepted, a SELECT by primary key in the worker (job payloads
 * carry the id only, as the gateway's do), an UPDATE when Twilio answers and
 * one per status callback, each a single auto-committed statement.
 */
export interface MinimalStore {
  insert(id: string, to: string, body: string): Promise<void>;
  read(id: string): Promise<MinimalMessage | null>;
  /** SID and "sent", unless a callback already moved it further. True when the row changed. */
  markSent(id: string, sid: string): Promise<boolean>;
  /** The callback's status, only forward. True when the row changed. */
  advance(id: string, status: MinimalStatus): Promise<boolean>;
  close(): Promise<void>;
}

interface SqliteStatement { run(...params: unknown[]): { changes: number }; get(...params: unknown[]): unknown }
interface SqliteDatabase { prepare(sql: string): SqliteStatement; pragma(source: string): unknown; exec(sql: string): void; close(): void }
type SqliteConstructor = new (path: string, options?: { timeout?: number }) => SqliteDatabase;

const TABLE = 'minimal_sms';

/**
 * `sqlite:<path>`: a file of its own with the gateway's settings (WAL,
 * synchronous = NORMAL: survives a crash of the process); `postgres://…`: a
 * table in the gateway's benchmark database, a pool of 10 like the gateway's.
 */
export async function openMinimalStore(url: string): Promise<MinimalStore> {
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) {
    const Database = require('better-sqlite3') as SqliteConstructor;
    const db = new Database(sqlite[1], { timeout: 5_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id TEXT PRIMARY KEY, recipient TEXT NOT NULL, body TEXT NOT NULL, status INTEGER NOT NULL, sid TEXT, updated_at INTEGER NOT NULL)`);
    const insert = db.prepare(`INSERT INTO ${TABLE} (id, recipient, body, status, updated_at) VALUES (?, ?, ?, 0, ?)`);
    const read = db.prepare(`SELECT id, recipient AS "to", body FROM ${TABLE} WHERE id = ?`);
    const sent = db.prepare(`UPDATE ${TABLE} SET sid = ?, status = MAX(status, 1), updated_at = ? WHERE id = ? AND sid IS NULL`);
    const advance = db.prepare(`UPDATE ${TABLE} SET status = ?, updated_at = ? WHERE id = ? AND status < ?`);
    return {
      insert: async (id, to, body) => void insert.run(id, to, body, Date.now()),
      read: async (id) => (read.get(id) as MinimalMessage | undefined) ?? null,
      markSent: async (id, sid) => sent.run(sid, Date.now(), id).changes > 0,
      advance: async (id, status) => advance.run(MINIMAL_STATUS[status], Date.now(), id, MINIMAL_STATUS[status]).changes > 0,
      close: async () => db.close(),
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new Pool({ connectionString: url, max: 10, application_name: 'ccm-bench-minimal' });
    pool.on('error', () => undefined);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id TEXT PRIMARY KEY, recipient TEXT NOT NULL, body TEXT NOT NULL, status SMALLINT NOT NULL, sid TEXT, updated_at TIMESTAMPTZ NOT NULL)`);
    // Named statements: parsed and planned once per connection, as prepared statements are.
    const run = async (name: string, text: string, values: unknown[]): Promise<{ rowCount: number; rows: unknown[] }> => {
      const result = await pool.query({ name, text, values });
      return { rowCount: result.rowCount ?? 0, rows: result.rows };
    };
    return {
      insert: async (id, to, body) => void await run('minimal_insert', `INSERT INTO ${TABLE} (id, recipient, body, status, updated_at) VALUES ($1, $2, $3, 0, now())`, [id, to, body]),
      read: async (id) => ((await run('minimal_read', `SELECT id, recipient AS "to", body FROM ${TABLE} WHERE id = $1`, [id])).rows[0] as MinimalMessage | undefined) ?? null,
      markSent: async (id, sid) => (await run('minimal_sent', `UPDATE ${TABLE} SET sid = $1, status = GREATEST(status, 1), updated_at = now() WHERE id = $2 AND sid IS NULL`, [sid, id])).rowCount > 0,
      advance: async (id, status) => (await run('minimal_advance', `UPDATE ${TABLE} SET status = $1, updated_at = now() WHERE id = $2 AND status < $1`, [MINIMAL_STATUS[status], id])).rowCount > 0,
      close: () => pool.end(),
    };
  }
  throw new RangeError('minimal pipeline: expected a database URL sqlite:<path> or postgres://…, got another scheme');
}
