import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';
import type { ContractRow } from './wire.types';

/*
 * The contract system: table CNTR_MASTER with the legacy column names of the README,
 * in SQLite or PostgreSQL. Identifiers are created double-quoted and upper-case, so
 * `SELECT "CNTR_ID" FROM "CNTR_MASTER"` reads the same on both.
 */

export interface SeedResult {
  readonly rows: number;
  /** True when the database already held exactly these rows and was left alone. */
  readonly skipped: boolean;
}

const COLUMNS = ['CNTR_ID', 'CNTR_NO', 'CUST_REF', 'PROD_REF', 'STAT_CD', 'DT_START', 'DT_END', 'AMT_MONTHLY_CT', 'CCY_CD'] as const;

const CREATE_TABLE = `CREATE TABLE "CNTR_MASTER" (
  "CNTR_ID" VARCHAR(12) NOT NULL PRIMARY KEY,
  "CNTR_NO" VARCHAR(20) NOT NULL,
  "CUST_REF" VARCHAR(12) NOT NULL,
  "PROD_REF" VARCHAR(8) NOT NULL,
  "STAT_CD" CHAR(1) NOT NULL,
  "DT_START" CHAR(8) NOT NULL,
  "DT_END" CHAR(8) NULL,
  "AMT_MONTHLY_CT" INTEGER NOT NULL,
  "CCY_CD" CHAR(3) NOT NULL
)`;

/** Built after the rows are in: one sort beats maintaining the index row by row. */
const CREATE_INDEXES = [
  'CREATE INDEX "IX_CNTR_MASTER_CUST_REF" ON "CNTR_MASTER" ("CUST_REF")',
  'CREATE INDEX "IX_CNTR_MASTER_PROD_REF" ON "CNTR_MASTER" ("PROD_REF")',
];

/** Remembers what was seeded, so starting again with the same data costs one query instead of a reload. */
const CREATE_MARKER = `CREATE TABLE IF NOT EXISTS "SIM_SEED_INFO" (
  "TABLE_NAME" VARCHAR(64) NOT NULL PRIMARY KEY,
  "FINGERPRINT" VARCHAR(64) NOT NULL,
  "ROW_COUNT" INTEGER NOT NULL,
  "SEEDED_AT" VARCHAR(24) NOT NULL
)`;

const SELECT_MARKER = `SELECT "FINGERPRINT" AS fingerprint FROM "SIM_SEED_INFO" WHERE "TABLE_NAME" = 'CNTR_MASTER'`;

function upsertMarker(placeholders: readonly string[]): string {
  return `INSERT INTO "SIM_SEED_INFO" ("TABLE_NAME", "FINGERPRINT", "ROW_COUNT", "SEEDED_AT") VALUES ('CNTR_MASTER', ${placeholders.join(', ')})
    ON CONFLICT ("TABLE_NAME") DO UPDATE SET "FINGERPRINT" = excluded."FINGERPRINT", "ROW_COUNT" = excluded."ROW_COUNT", "SEEDED_AT" = excluded."SEEDED_AT"`;
}

function insertSql(rowCount: number, placeholder: (index: number) => string): string {
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r += 1) {
    tuples.push(`(${COLUMNS.map((_, c) => placeholder(r * COLUMNS.length + c)).join(', ')})`);
  }
  return `INSERT INTO "CNTR_MASTER" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`;
}

function flatten(rows: readonly ContractRow[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const column of COLUMNS) values.push(row[column]);
  return values;
}

/** A hash of the rows themselves: a new seed, new sizes or a changed generator all reload the table. */
function fingerprintOf(rows: readonly ContractRow[]): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

/** `sqlite:<path>` (also `sqlite://<path>`) → the file path. */
function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=.)/, '');
  if (path === '' || path === ':memory:') {
    const why = 'an in-memory database is invisible to other connections';
    throw new RangeError(`contractsDatabaseUrl: expected sqlite:<file path> (${why}), got ${JSON.stringify(url)}`);
  }
  return path;
}

/** The part of better-sqlite3 used here; it ships no type declarations of its own. */
interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown };
  pragma(sql: string): unknown;
  close(): void;
}
type SqliteConstructor = new (path: string, options?: { timeout?: number }) => SqliteDatabase;

function seedSqlite(url: string, rows: readonly ContractRow[], fingerprint: string): SeedResult {
  const path = sqlitePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const Database = require('better-sqlite3') as SqliteConstructor;
  // Another process seeding the same file waits for our write lock rather than failing.
  const db = new Database(path, { timeout: 15_000 });
  try {
    try {
      // Readers (the gateway's connector) then never block a reseed, nor a reseed them.
      db.pragma('journal_mode = WAL');
    } catch {
      // Another connection holds the file in a mode that forbids the switch: the default journal works too.
    }
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(CREATE_MARKER);
      const marker = db.prepare(SELECT_MARKER).get() as { fingerprint: string } | undefined;
      const table = db.prepare(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'CNTR_MASTER'`).get();
      if (marker?.fingerprint === fingerprint && table) {
        db.exec('COMMIT');
        return { rows: rows.length, skipped: true };
      }
      db.exec('DROP TABLE IF EXISTS "CNTR_MASTER"');
      db.exec(CREATE_TABLE);
      const batch = 500;
      const full = db.prepare(insertSql(batch, () => '?'));
      for (let start = 0; start < rows.length; start += batch) {
        const slice = rows.slice(start, start + batch);
        (slice.length === batch ? full : db.prepare(insertSql(slice.length, () => '?'))).run(...flatten(slice));
      }
      for (const sql of CREATE_INDEXES) db.exec(sql);
      db.prepare(upsertMarker(['?', '?', '?'])).run(fingerprint, rows.length, new Date().toISOString());
      db.exec('COMMIT');
      return { rows: rows.length, skipped: false };
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    db.close();
  }
}

/** Any fixed number: the advisory lock that keeps two seeders of one PostgreSQL database from interleaving. */
const PG_SEED_LOCK = 0x434e5452;

async function seedPostgres(url: string, rows: readonly ContractRow[], fingerprint: string): Promise<SeedResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PG_SEED_LOCK]);
      await client.query(CREATE_MARKER);
      const marker = await client.query<{ fingerprint: string }>(SELECT_MARKER);
      const table = await client.query<{ found: string | null }>(`SELECT to_regclass('"CNTR_MASTER"')::text AS found`);
      if (marker.rows[0]?.fingerprint === fingerprint && table.rows[0]?.found) {
        await client.query('COMMIT');
        return { rows: rows.length, skipped: true };
      }
      await client.query('DROP TABLE IF EXISTS "CNTR_MASTER"');
      await client.query(CREATE_TABLE);
      // 1,000 rows × 9 columns stays well below PostgreSQL's 65,535 parameters per statement.
      const batch = 1000;
      const fullSql = insertSql(batch, (i) => `$${i + 1}`);
      for (let start = 0; start < rows.length; start += batch) {
        const slice = rows.slice(start, start + batch);
        const sql = slice.length === batch ? fullSql : insertSql(slice.length, (i) => `$${i + 1}`);
        await client.query(sql, flatten(slice));
      }
      for (const sql of CREATE_INDEXES) await client.query(sql);
      await client.query('ANALYZE "CNTR_MASTER"');
      await client.query(upsertMarker(['$1', '$2', '$3']), [fingerprint, rows.length, new Date().toISOString()]);
      await client.query('COMMIT');
      return { rows: rows.length, skipped: false };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates CNTR_MASTER in the database at `url` (`sqlite:<path>` or `postgres://…`)
 * and fills it with `rows`, all in one transaction. Idempotent: when the database
 * already holds the same rows (same seed and sizes) nothing is reloaded; anything
 * else replaces the table. Rows changed by hand since the last seed are kept only
 * in the first case.
 */
export async function seedContractsDatabase(url: string, rows: readonly ContractRow[]): Promise<SeedResult> {
  const fingerprint = fingerprintOf(rows);
  if (url.startsWith('sqlite:')) return seedSqlite(url, rows, fingerprint);
  if (/^postgres(ql)?:\/\//.test(url)) return seedPostgres(url, rows, fingerprint);
  // Credentials in the URL stay out of the message.
  const shown = JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'));
  throw new RangeError(`contractsDatabaseUrl: expected sqlite:<path> or postgres://…, got ${shown}`);
}
