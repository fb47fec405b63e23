import { DataSource, QueryFailedError, TypeORMError, type DataSourceOptions, type Logger } from 'typeorm';
import type { ContractRecord } from '../domain';
import { chunk, uniqueIds } from './batch.util';
import type { ContractRepository } from './backoffice';
import { ContractRowEntity } from './contract-row.entity';
import { ContractRowError, toContractRecord } from './contract.mapping';
import type { BreakerState, Resilience } from './resilience';
import { UpstreamError } from './upstream.error';

export interface ContractsSqlConnectorOptions {
  /** `sqlite:<path>` (also `sqlite://<path>`) or `postgres://…`. */
  readonly url: string;
  /** Connect and statement timeout, in ms; PostgreSQL cancels a statement that runs longer. Default 2_000. */
  readonly timeoutMs?: number;
  /** PostgreSQL connections kept in the pool. Default 10. */
  readonly poolSize?: number;
  /** Ids per `IN (…)`; far below the parameter limits of both databases. Default 500. */
  readonly batchSize?: number;
  /** TypeORM logger, e.g. to count statements in tests. Default none (TypeORM logging off). */
  readonly logger?: Logger;
}

/**
 * PostgreSQL SQLSTATE classes worth another attempt: connection exceptions,
 * insufficient resources, operator intervention (shutdown, statement timeout),
 * serialization failures and deadlocks. SQLite: a busy or locked file.
 */
const TRANSIENT_CODE = /^(08|53|57|40001|40P01|SQLITE_BUSY|SQLITE_LOCKED)/;

/** `sqlite:<path>` / `postgres://…` → TypeORM options; the URL's credentials never reach a message. */
function dataSourceOptions(options: ContractsSqlConnectorOptions, timeoutMs: number): DataSourceOptions {
  const common = {
    entities: [ContractRowEntity],
    synchronize: false,
    logging: options.logger !== undefined,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  if (options.url.startsWith('sqlite:')) {
    const database = options.url.slice('sqlite:'.length).replace(/^\/\/(?=.)/, '');
    if (database === '' || database === ':memory:') {
      throw new RangeError(`contracts database: expected sqlite:<file path>, got an in-memory or empty path`);
    }
    // The contract system owns the file: a missing file is an unreachable system, never a new empty database.
    return { ...common, type: 'better-sqlite3', database, fileMustExist: true, timeout: timeoutMs };
  }
  if (/^postgres(ql)?:\/\//.test(options.url)) {
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      poolSize: options.poolSize ?? 10,
      connectTimeoutMS: timeoutMs,
      applicationName: 'ccm-gateway',
      installExtensions: false,
      // Pool errors (a dropped idle connection) surface on the next query instead.
      poolErrorHandler: () => undefined,
      extra: { statement_timeout: timeoutMs },
    };
  }
  throw new RangeError('contracts database: expected a URL sqlite:<path> or postgres://…, got another scheme');
}

interface Statements {
  byId(count: number): string;
  byCustomer(count: number): string;
}

/**
 * SELECTs written from the entity's metadata, in the connected dialect: every
 * identifier escaped (double-quoted on both databases, which the upper-case
 * legacy names need on PostgreSQL) and aliased to the entity's property names.
 * Run through `DataSource.query`, they cost less than half of `find()`, which
 * builds the statement and hydrates entities on every call.
 */
function statements(dataSource: DataSource): Statements {
  const { driver } = dataSource;
  const metadata = dataSource.getMetadata(ContractRowEntity);
  const column = (property: keyof ContractRowEntity): string => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new TypeORMError(`ContractRowEntity has no column for ${property}`);
    return driver.escape(found.databaseName);
  };
  const columns = metadata.columns.map((c) => `${driver.escape(c.databaseName)} AS ${driver.escape(c.propertyName)}`);
  const select = `SELECT ${columns.join(', ')} FROM ${driver.escape(metadata.tableName)}`;
  const list = (count: number): string => Array.from({ length: count }, (_, i) => driver.createParameter(`p${i}`, i)).join(', ');
  return {
    byId: (count) => `${select} WHERE ${column('id')} IN (${list(count)})`,
    // CHAR(8) YYYYMMDD sorts like the date it holds; the id breaks ties so the order is stable.
    byCustomer: (count) => `${select} WHERE ${column('customerRef')} IN (${list(count)}) ORDER BY ${column('startDate')} DESC, ${column('id')} ASC`,
  };
}

/**
 * The contract system's legacy table CNTR_MASTER through TypeORM. The pool is
 * opened on first use (or by `open()`), so the gateway starts while the
 * database is down and reports it as unavailable instead of failing to boot.
 */
export class ContractsSqlConnector implements ContractRepository {
  private readonly dataSource: DataSource;
  private readonly batchSize: number;
  private connecting: Promise<Statements> | null = null;
  private sql: Statements | null = null;
  private closed = false;

  constructor(options: ContractsSqlConnectorOptions, private readonly resilience: Resilience) {
    this.dataSource = new DataSource(dataSourceOptions(options, options.timeoutMs ?? 2_000));
    this.batchSize = options.batchSize ?? 500;
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  /** Opens the pool ahead of the first query; false (and no error) when the database is unreachable now. */
  async open(): Promise<boolean> {
    return this.connect().then(() => true, () => false);
  }

  async getContracts(ids: readonly string[]): Promise<readonly (ContractRecord | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.select('SELECT CNTR_MASTER by id', uniqueIds(ids), (sql, count) => sql.byId(count));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async getContractsByCustomer(customerIds: readonly string[]): Promise<readonly (readonly ContractRecord[])[]> {
    if (customerIds.length === 0) return [];
    const rows = await this.select('SELECT CNTR_MASTER by customer', uniqueIds(customerIds), (sql, count) => sql.byCustomer(count));
    const byCustomer = new Map<string, ContractRecord[]>();
    for (const contract of rows) {
      const list = byCustomer.get(contract.customerId);
      if (list) list.push(contract);
      else byCustomer.set(contract.customerId, [contract]);
    }
    return customerIds.map((id) => byCustomer.get(id) ?? []);
  }

  async check(): Promise<void> {
    await this.resilience.run(async () => {
      try {
        await this.connect();
        await this.dataSource.query('SELECT 1');
      } catch (error) {
        throw this.upstream(error, 'SELECT 1');
      }
    }, { idempotent: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** One statement per batch of keys, batches in parallel (the pool serves them; SQLite runs them in turn). */
  private async select(
    route: string,
    keys: readonly string[],
    statement: (sql: Statements, count: number) => string,
  ): Promise<ContractRecord[]> {
    const batches = await Promise.all(
      chunk(keys, this.batchSize).map((batch) =>
        this.resilience.run(async () => {
          try {
            const sql = await this.connect();
            const rows: ContractRowEntity[] = await this.dataSource.query(statement(sql, batch.length), batch);
            return rows.map(toContractRecord);
          } catch (error) {
            throw this.upstream(error, route);
          }
        }, { idempotent: true }),
      ),
    );
    return batches.flat();
  }

  private connect(): Promise<Statements> {
    if (this.closed) return Promise.reject(new UpstreamError('contracts', 'connect', 'protocol', false, 'connector closed'));
    if (this.sql && this.dataSource.isInitialized) return Promise.resolve(this.sql);
    this.connecting ??= this.dataSource.initialize().then(
      (dataSource) => (this.sql = statements(dataSource)),
      (error: unknown) => {
        this.connecting = null;
        throw error;
      },
    );
    return this.connecting;
  }

  /** A log-safe UpstreamError: codes and our own words only, never the driver's message (it may quote values). */
  private upstream(error: unknown, route: string): UpstreamError {
    if (error instanceof UpstreamError) return error;
    if (error instanceof ContractRowError) return new UpstreamError('contracts', route, 'protocol', false, error.message);
    const code = String((error as { code?: unknown })?.code ?? (error as { driverError?: { code?: unknown } })?.driverError?.code ?? '');
    if (error instanceof QueryFailedError) {
      const transient = TRANSIENT_CODE.test(code);
      const kind = code === '57014' ? 'timeout' : transient ? 'network' : 'query';
      return new UpstreamError('contracts', route, kind, transient, `query failed (${code || 'no code'})`);
    }
    if (error instanceof TypeORMError) {
      return new UpstreamError('contracts', route, 'protocol', false, `data source error (${error.name})`);
    }
    const name = error instanceof Error ? error.name : typeof error;
    return new UpstreamError('contracts', route, 'network', true, `database unreachable (${code || name})`);
  }
}
