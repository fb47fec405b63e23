import { QueryFailedError, TypeORMError, type DataSourceOptions, type Logger } from 'typeorm';
import type { BackofficeSystem } from '../errors';
import { UpstreamError } from './upstream.error';

export interface SqlConnectionOptions {
  /** `sqlite:<path>` (also `sqlite://<path>`) or `postgres://…`. */
  readonly url: string;
  /** PostgreSQL connections kept in the pool. Default 10. */
  readonly poolSize?: number;
  /** TypeORM logger, e.g. to count statements in tests. Default none (TypeORM logging off). */
  readonly logger?: Logger;
}

/**
 * PostgreSQL SQLSTATE classes worth another attempt: connection exceptions,
 * insufficient resources, operator intervention (shutdown, statement timeout),
 * serialization failures and deadlocks. SQLite: a busy or locked file.
 */
export const TRANSIENT_CODE = /^(08|53|57|40001|40P01|SQLITE_BUSY|SQLITE_LOCKED)/;

/** `sqlite:<path>` / `postgres://…` → TypeORM options; the URL's credentials never reach a message. */
export function sqlDataSourceOptions(name: string, options: SqlConnectionOptions, timeoutMs: number, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  const common = {
    entities,
    synchronize: false,
    logging: options.logger !== undefined,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  if (options.url.startsWith('sqlite:')) {
    const database = options.url.slice('sqlite:'.length).replace(/^\/\/(?=.)/, '');
    if (database === '' || database === ':memory:') {
      throw new RangeError(`${name}: expected sqlite:<file path>, got an in-memory or empty path`);
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
  throw new RangeError(`${name}: expected a URL sqlite:<path> or postgres://…, got another scheme`);
}

/** A log-safe UpstreamError: codes and our own words only, never the driver's message (it may quote values). */
export function sqlUpstreamError(system: BackofficeSystem, error: unknown, route: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const code = String((error as { code?: unknown })?.code ?? (error as { driverError?: { code?: unknown } })?.driverError?.code ?? '');
  if (error instanceof QueryFailedError) {
    const transient = TRANSIENT_CODE.test(code);
    const kind = code === '57014' ? 'timeout' : transient ? 'network' : 'query';
    return new UpstreamError(system, route, kind, transient, `query failed (${code || 'no code'})`);
  }
  if (error instanceof TypeORMError) {
    return new UpstreamError(system, route, 'protocol', false, `data source error (${error.name})`);
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new UpstreamError(system, route, 'network', true, `database unreachable (${code || name})`);
}
