import type { BackofficeSystem } from '../errors';
import type { Backoffice } from './backoffice';
import { CatalogRestConnector } from './catalog.rest';
import { ContractsSqlConnector } from './contracts.sql';
import { CrmRestConnector } from './crm.rest';
import { JsonHttpClient } from './http.client';
import { Resilience, type BreakerState, type CircuitBreakerOptions } from './resilience';

export interface BackofficeConfig {
  readonly crmUrl: string;
  readonly catalogUrl: string;
  /** `sqlite:<path>` or `postgres://…` */
  readonly contractsDatabaseUrl: string;
  /** Budget of one back-office call, retries included, in ms. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent reads after a transient failure. */
  readonly retries: number;
  /** Catalog cache TTL in ms; 0 turns it off. */
  readonly cacheTtlMs: number;
  /** Circuit breaker of each system. Default: see CircuitBreakerOptions. */
  readonly breaker?: CircuitBreakerOptions;
  /** Sockets per HTTP system. Default 64. */
  readonly maxSockets?: number;
  /** PostgreSQL connections of the contract system. Default 10. */
  readonly contractsPoolSize?: number;
}

export interface SystemHealth {
  readonly system: BackofficeSystem;
  readonly state: BreakerState;
}

export interface ConnectedBackoffice extends Backoffice {
  /** Circuit state per system, for /readyz and metrics. */
  health(): SystemHealth[];
  /** Closes the HTTP agents and the database pool. */
  close(): Promise<void>;
}

/**
 * Builds the long-lived clients (one HTTP agent per system, one database pool)
 * and the connectors around them. The contract database is opened here when it
 * is reachable, so the first query does not pay for it; when it is not, the
 * gateway starts anyway and the connector keeps trying on use.
 */
export async function createBackoffice(config: BackofficeConfig): Promise<ConnectedBackoffice> {
  const resilience = (system: BackofficeSystem): Resilience =>
    new Resilience({ system, timeoutMs: config.timeoutMs, retries: config.retries, breaker: config.breaker });
  const http = (system: BackofficeSystem, baseUrl: string): JsonHttpClient =>
    new JsonHttpClient({ system, baseUrl, timeoutMs: config.timeoutMs, maxSockets: config.maxSockets });

  const crm = new CrmRestConnector(http('crm', config.crmUrl), resilience('crm'));
  const catalog = new CatalogRestConnector(http('catalog', config.catalogUrl), resilience('catalog'), {
    cacheTtlMs: config.cacheTtlMs,
  });
  const contracts = new ContractsSqlConnector(
    { url: config.contractsDatabaseUrl, timeoutMs: config.timeoutMs, poolSize: config.contractsPoolSize },
    resilience('contracts'),
  );
  await contracts.open();

  return {
    crm,
    contracts,
    catalog,
    health: () => [
      { system: 'crm', state: crm.state() },
      { system: 'contracts', state: contracts.state() },
      { system: 'catalog', state: catalog.state() },
    ],
    close: async () => {
      await Promise.all([crm.close(), catalog.close(), contracts.close()]);
    },
  };
}
