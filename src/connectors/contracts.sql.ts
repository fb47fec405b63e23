import type { Logger } from 'typeorm';
import { ConfiguredContracts } from './configured/contracts.configured';
import { OperationRunner } from './configured/operation.runner';
import { defaultContractsSpec } from './default.specs';
import type { Resilience } from './resilience';
import { SqlSource } from './sources/sql.source';

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
 * The simulated contract system's legacy table CNTR_MASTER through the default
 * configuration's statements. The pool is opened on first use (or by `open()`),
 * so the gateway starts while the database is down.
 */
export class ContractsSqlConnector extends ConfiguredContracts {
  private readonly sql: SqlSource;

  constructor(options: ContractsSqlConnectorOptions, resilience: Resilience) {
    const spec = defaultContractsSpec();
    const { byIds, byCustomerIds } = spec.contracts;
    const source = new SqlSource({ system: 'contracts', url: options.url, timeoutMs: options.timeoutMs ?? 2_000, poolSize: options.poolSize, logger: options.logger });
    super(
      {
        ...spec,
        contracts: {
          ...spec.contracts,
          byIds: { ...byIds, maxBatch: options.batchSize ?? byIds.maxBatch },
          byCustomerIds: { ...byCustomerIds, maxBatch: options.batchSize ?? byCustomerIds.maxBatch },
        },
      },
      new OperationRunner('contracts', source, resilience),
      resilience,
      source,
    );
    this.sql = source;
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
