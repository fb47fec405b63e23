import { DataSource, type Logger } from 'typeorm';
import type { BackofficeSystem } from '../../errors';
import { sqlDataSourceOptions, sqlUpstreamError } from '../sql.support';
import { UpstreamError } from '../upstream.error';
import type { SourceClient, SourceRequest } from './source';

export interface SqlSourceOptions {
  readonly system: BackofficeSystem;
  readonly url: string;
  /** Connect and statement timeout, ms. */
  readonly timeoutMs: number;
  readonly poolSize?: number;
  readonly logger?: Logger;
}

/**
 * A database reached with the operation's own statement: `:ids` becomes one
 * bound parameter per id in the connected dialect (`?` or `$n`), nothing is
 * ever spliced into the text. The pool opens on first use (or `open()`), so the
 * gateway starts while the database is down.
 */
export class SqlSource implements SourceClient {
  private readonly dataSource: DataSource;
  private connecting: Promise<DataSource> | null = null;
  private closed = false;
  private readonly statements = new Map<string, (count: number) => string>();

  constructor(private readonly options: SqlSourceOptions) {
    this.dataSource = new DataSource(sqlDataSourceOptions(`${options.system} database`, options, options.timeoutMs));
  }

  async send(request: SourceRequest): Promise<unknown> {
    const sql = request.op.sql as string;
    const ids = (request.vars.ids as readonly string[] | undefined) ?? [];
    try {
      const dataSource = await this.connect();
      return await dataSource.query(this.statement(dataSource, sql)(ids.length), [...ids]);
    } catch (error) {
      throw sqlUpstreamError(this.options.system, error, request.route);
    }
  }

  open(): Promise<boolean> {
    return this.connect().then(() => true, () => false);
  }

  async check(): Promise<void> {
    try {
      await (await this.connect()).query('SELECT 1');
    } catch (error) {
      throw sqlUpstreamError(this.options.system, error, 'SELECT 1');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** The statement with `:ids` expanded for `count` ids, built once per statement and dialect. */
  private statement(dataSource: DataSource, sql: string): (count: number) => string {
    let build = this.statements.get(sql);
    if (!build) {
      const parts = sql.split(/:ids\b/);
      build = (count) => {
        const list = Array.from({ length: Math.max(1, count) }, (_, i) => dataSource.driver.createParameter(`p${i}`, i)).join(', ');
        return parts.join(list);
      };
      this.statements.set(sql, build);
    }
    return build;
  }

  private connect(): Promise<DataSource> {
    if (this.closed) return Promise.reject(new UpstreamError(this.options.system, 'connect', 'protocol', false, 'connector closed'));
    if (this.dataSource.isInitialized) return Promise.resolve(this.dataSource);
    this.connecting ??= this.dataSource.initialize().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }
}
