import { createCatalogService } from './catalog.server';
import { seedContractsDatabase } from './contracts.db';
import { createCrmService } from './crm.server';
import type { FaultSettings, JsonService, ServiceStats } from './json.service';
import { generateBackofficeData } from './seed.data';
import type { BackofficeData } from './wire.types';

export interface BackofficeOptions {
  /** Default 10,000. */
  readonly customers?: number;
  /** Default 25,000. */
  readonly contracts?: number;
  /** Default 200. */
  readonly products?: number;
  /** Default 42. */
  readonly seed?: number;
  /** Start-up latency of both HTTP systems, in ms. Default 0. */
  readonly latencyMs?: number;
  /** Start-up failure rate of both HTTP systems, 0–1. Default 0. */
  readonly failureRate?: number;
  /** `sqlite:<path>` or `postgres://…`: where CNTR_MASTER is created and seeded. */
  readonly contractsDatabaseUrl: string;
  /** Where business customers' document endpoints point (`<base>/<customerId>`); default: `https://erp-<id>.example/documents`. */
  readonly webhookBaseUrl?: string | null;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** CRM port; the catalog listens on port + 1. Default 0: both on free ports. */
  readonly port?: number;
}

export type HttpSystem = 'crm' | 'catalog';

export interface RunningBackoffice {
  readonly crmUrl: string;
  readonly catalogUrl: string;
  readonly contractsDatabaseUrl: string;
  /** Same as `PUT /_control` on that system; returns the new settings. */
  control(system: HttpSystem, settings: Partial<FaultSettings>): FaultSettings;
  /** Same as `GET /_stats`. */
  stats(system: HttpSystem): ServiceStats;
  /** Resets the counts of both systems. */
  resetStats(): void;
  /** The generated records in the systems' own shapes, for tests that need to know what is there. */
  readonly data: BackofficeData;
  close(): Promise<void>;
}

/**
 * Generates the data, seeds the contract database and starts the CRM and the
 * catalog. Everything comes from `options`; a failed start leaves nothing running.
 */
export async function startBackoffice(options: BackofficeOptions): Promise<RunningBackoffice> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    throw new RangeError(`port: expected an integer from 0 to 65534 (the catalog takes port + 1), got ${String(options.port)}`);
  }
  const data = generateBackofficeData(options);
  const seed = options.seed ?? 42;
  const faults = { latencyMs: options.latencyMs, failureRate: options.failureRate };
  // Built before seeding, so bad fault settings fail fast; nothing listens yet.
  const services: Record<HttpSystem, JsonService> = {
    crm: createCrmService(data.customers, { ...faults, seed }),
    catalog: createCatalogService(data.products, { ...faults, seed: seed + 1 }),
  };
  await seedContractsDatabase(options.contractsDatabaseUrl, data.contracts);
  const closeAll = (): Promise<void> => Promise.all([services.crm.close(), services.catalog.close()]).then(() => undefined);
  let crmUrl: string;
  let catalogUrl: string;
  try {
    crmUrl = await services.crm.listen(port, host);
    catalogUrl = await services.catalog.listen(port === 0 ? 0 : port + 1, host);
  } catch (error) {
    await closeAll();
    throw error;
  }

  return {
    crmUrl,
    catalogUrl,
    contractsDatabaseUrl: options.contractsDatabaseUrl,
    data,
    control: (system, settings) => services[system].control(settings),
    stats: (system) => services[system].stats(),
    resetStats: () => {
      services.crm.resetStats();
      services.catalog.resetStats();
    },
    close: closeAll,
  };
}
