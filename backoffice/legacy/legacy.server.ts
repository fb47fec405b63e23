import type { FaultSettings, ServiceStats } from '../json.service';
import { generateBackofficeData } from '../seed.data';
import type { BackofficeData } from '../wire.types';
import { createLegacyCatalogService } from './catalog.offset';
import { LegacyCrmService } from './crm.soap';
import { toLegacyData, type LegacyData } from './legacy.shapes';
import { seedPolicyRegister } from './policies.pg';

export interface LegacyBackofficeOptions {
  /** Default 300 (a legacy set is for trying a configuration, not for load). */
  readonly customers?: number;
  /** Default 700. */
  readonly contracts?: number;
  /** Default 40. */
  readonly products?: number;
  /** Default 42. */
  readonly seed?: number;
  /** `postgres://…`: where `policy_register` is created and loaded. */
  readonly contractsDatabaseUrl: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** CRM port; the catalog listens on port + 1. Default 0: free ports. */
  readonly port?: number;
  /** Credentials the systems expect; defaults are for local use only. */
  readonly crmApiKey?: string;
  readonly catalogClientId?: string;
  readonly catalogClientSecret?: string;
}

export type LegacySystem = 'crm' | 'catalog';

export interface RunningLegacyBackoffice {
  /** The SOAP endpoint (WSDL at `?wsdl`). */
  readonly crmUrl: string;
  readonly catalogUrl: string;
  readonly catalogTokenUrl: string;
  readonly contractsDatabaseUrl: string;
  readonly credentials: { readonly crmApiKey: string; readonly catalogClientId: string; readonly catalogClientSecret: string };
  /** The environment config/backoffice.legacy.yaml reads. */
  readonly env: Readonly<Record<string, string>>;
  readonly data: LegacyData;
  /** The same records in the default simulator's shapes, to compare with. */
  readonly source: BackofficeData;
  control(system: LegacySystem, settings: Partial<FaultSettings>): FaultSettings;
  stats(system: LegacySystem): ServiceStats;
  resetStats(): void;
  /** Forgets every OAuth2 token the catalog issued: the next call with one gets 401. */
  revokeCatalogTokens(): void;
  close(): Promise<void>;
}

/** Starts the legacy flavour: SOAP CRM, PostgreSQL policy register, offset-paged catalog behind OAuth2. */
export async function startLegacyBackoffice(options: LegacyBackofficeOptions): Promise<RunningLegacyBackoffice> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const source = generateBackofficeData({ customers: options.customers ?? 300, contracts: options.contracts ?? 700, products: options.products ?? 40, seed: options.seed ?? 42 });
  const data = toLegacyData(source);
  const credentials = {
    crmApiKey: options.crmApiKey ?? 'legacy-local-key',
    catalogClientId: options.catalogClientId ?? 'ccm-gateway',
    catalogClientSecret: options.catalogClientSecret ?? 'legacy-local-secret',
  };
  await seedPolicyRegister(options.contractsDatabaseUrl, data.policies);
  const crm = new LegacyCrmService({ parties: data.parties, apiKey: credentials.crmApiKey });
  const catalog = createLegacyCatalogService({ articles: data.articles, clientId: credentials.catalogClientId, clientSecret: credentials.catalogClientSecret, seed: (options.seed ?? 42) + 1 });
  const closeAll = async (): Promise<void> => {
    await Promise.all([crm.close(), catalog.service.close()]);
  };
  let crmUrl: string;
  let catalogUrl: string;
  try {
    crmUrl = await crm.listen(port, host);
    catalogUrl = await catalog.service.listen(port === 0 ? 0 : port + 1, host);
  } catch (error) {
    await closeAll();
    throw error;
  }
  const env = {
    LEGACY_CRM_URL: crmUrl,
    LEGACY_CRM_API_KEY: credentials.crmApiKey,
    LEGACY_CONTRACTS_URL: options.contractsDatabaseUrl,
    LEGACY_CATALOG_URL: catalogUrl,
    LEGACY_CATALOG_TOKEN_URL: `${catalogUrl}/oauth/token`,
    LEGACY_CATALOG_CLIENT_ID: credentials.catalogClientId,
    LEGACY_CATALOG_CLIENT_SECRET: credentials.catalogClientSecret,
  };
  return {
    crmUrl,
    catalogUrl,
    catalogTokenUrl: env.LEGACY_CATALOG_TOKEN_URL,
    contractsDatabaseUrl: options.contractsDatabaseUrl,
    credentials,
    env,
    data,
    source,
    control: (system, settings) => (system === 'crm' ? crm.control(settings) : catalog.service.control(settings)),
    stats: (system) => (system === 'crm' ? crm.stats() : catalog.service.stats()),
    resetStats: () => {
      crm.resetStats();
      catalog.service.resetStats();
    },
    revokeCatalogTokens: () => catalog.revokeTokens(),
    close: closeAll,
  };
}
