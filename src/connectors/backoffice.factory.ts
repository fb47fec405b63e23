import { connectBackoffice, defaultBackofficeFile, type ConnectedBackoffice } from './backoffice.connect';
import type { CircuitBreakerOptions } from './resilience';

export type { ConnectedBackoffice, SystemHealth } from './backoffice.connect';

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

/**
 * The simulated back office's systems at these addresses, through the default
 * configuration (config/backoffice.default.yaml): the same connectors a
 * BACKOFFICE_CONFIG file describes, so there is one code path for both.
 */
export function createBackoffice(config: BackofficeConfig): Promise<ConnectedBackoffice> {
  return connectBackoffice(defaultBackofficeFile(config), {
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    cacheTtlMs: config.cacheTtlMs,
    breaker: config.breaker,
    maxSockets: config.maxSockets,
    poolSize: config.contractsPoolSize,
  });
}
