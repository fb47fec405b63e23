import { join } from 'node:path';
import type { Logger } from 'typeorm';
import type { BackofficeSystem } from '../errors';
import { projectRoot } from '../runtime/project-root';
import { createSourceAuth } from './auth/source.auth';
import type { Backoffice, CallContext, CustomerDirectory } from './backoffice';
import { ConfiguredCatalog } from './configured/catalog.configured';
import { ConfiguredContracts } from './configured/contracts.configured';
import { ConfiguredCrm } from './configured/crm.configured';
import { OperationRunner } from './configured/operation.runner';
import { JsonHttpClient } from './http.client';
import { Resilience, type BreakerState, type CircuitBreakerOptions } from './resilience';
import { RestSource } from './sources/rest.source';
import { OpenApiMismatchError, OpenApiSource, type NamedOperation } from './sources/openapi.source';
import { SoapSource } from './sources/soap.source';
import type { Operation, SourceClient } from './sources/source';
import { SqlSource } from './sources/sql.source';
import type { BackofficeFile, SystemSpec } from './spec/backoffice.schema';
import { readBackofficeFile } from './spec/spec.loader';

/** Settings a configuration file may leave out: they come from the environment (BACKOFFICE_TIMEOUT_MS, …). */
export interface ConnectorDefaults {
  /** Budget of one back-office call, retries included, ms. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent reads after a transient failure. */
  readonly retries: number;
  /** Catalog cache TTL, ms; 0 off. */
  readonly cacheTtlMs: number;
  /** Circuit breaker of each system (a file's `breaker` keys override these). Default: see CircuitBreakerOptions. */
  readonly breaker?: CircuitBreakerOptions;
  /** Sockets per HTTP system. Default 64. */
  readonly maxSockets?: number;
  /** PostgreSQL connections per SQL system. Default 10. */
  readonly poolSize?: number;
  /** TypeORM logger of SQL systems, e.g. to count statements in tests. */
  readonly sqlLogger?: Logger;
}

export interface SystemHealth {
  readonly system: BackofficeSystem;
  readonly state: BreakerState;
}

export interface ConnectedBackoffice extends Backoffice {
  readonly crm: CustomerDirectory;
  /** Circuit state per system, for /readyz and metrics. */
  health(): SystemHealth[];
  /** The same systems, every call made for this caller (their token reaches systems configured with `auth: forward`). */
  forCaller(call: CallContext): Backoffice;
  /** Closes the HTTP agents and the database pools. */
  close(): Promise<void>;
}

/** The configuration of the simulated back office, for these addresses. */
export function defaultBackofficeFile(urls: { readonly crmUrl: string; readonly catalogUrl: string; readonly contractsDatabaseUrl: string }): BackofficeFile {
  const path = join(projectRoot(), 'config', 'backoffice.default.yaml');
  const result = readBackofficeFile(path, { CRM_URL: urls.crmUrl, CATALOG_URL: urls.catalogUrl, CONTRACTS_DATABASE_URL: urls.contractsDatabaseUrl });
  if (!result.ok) throw new RangeError(`default back-office configuration: ${result.problems.join('; ')}`);
  return result.file;
}

/**
 * Builds the long-lived clients (one HTTP agent per HTTP system, one pool per
 * database) and the connectors the configuration describes. Databases are
 * opened here when reachable, so the first query does not pay for it; when one
 * is not, the gateway starts anyway and the connector keeps trying on use.
 */
export async function connectBackoffice(file: BackofficeFile, defaults: ConnectorDefaults): Promise<ConnectedBackoffice> {
  const { crm: crmSpec, contracts: contractsSpec, catalog: catalogSpec } = file.backoffice;
  const built: { system: BackofficeSystem; source: SourceClient; resilience: Resilience; runner: OperationRunner }[] = [];
  const build = (system: BackofficeSystem, spec: SystemSpec): (typeof built)[number] => {
    const timeoutMs = spec.timeoutMs ?? defaults.timeoutMs;
    const resilience = new Resilience({ system, timeoutMs, retries: spec.retries ?? defaults.retries, breaker: { ...defaults.breaker, ...spec.breaker } });
    const source = sourceFor(system, spec, timeoutMs, defaults);
    const entry = { system, source, resilience, runner: new OperationRunner(system, source, resilience) };
    built.push(entry);
    return entry;
  };
  const crmParts = build('crm', crmSpec);
  const contractsParts = build('contracts', contractsSpec);
  const catalogParts = build('catalog', catalogSpec);
  // Customers and contracts are cached only when the file asks for it; the catalog follows CATALOG_CACHE_TTL_MS.
  const crm = new ConfiguredCrm(crmSpec, crmParts.runner, crmParts.resilience, { cacheTtlMs: crmSpec.cacheTtlMs ?? 0 });
  const contracts = new ConfiguredContracts(contractsSpec, contractsParts.runner, contractsParts.resilience, contractsParts.source, { cacheTtlMs: contractsSpec.cacheTtlMs ?? 0 });
  const catalog = new ConfiguredCatalog(catalogSpec, catalogParts.runner, catalogParts.resilience, { cacheTtlMs: catalogSpec.cacheTtlMs ?? defaults.cacheTtlMs });
  const opened = await Promise.allSettled(built.map((part) => part.source.open()));
  const refused = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (refused) {
    // A system that contradicts the configuration (an OpenAPI document without a named operation) stops the start.
    await Promise.all(built.map((part) => part.source.close().catch(() => undefined)));
    throw refused.reason;
  }

  return {
    crm,
    contracts,
    catalog,
    health: () => built.map((part) => ({ system: part.system, state: part.resilience.state() })),
    forCaller: (call) => ({
      crm: {
        getCustomers: (ids) => crm.getCustomers(ids, call),
        searchCustomers: (request) => crm.searchCustomers(request, call),
        findByPhone: (phone) => crm.findByPhone(phone, call),
      },
      contracts: {
        getContracts: (ids) => contracts.getContracts(ids, call),
        getContractsByCustomer: (ids) => contracts.getContractsByCustomer(ids, call),
        check: () => contracts.check(),
      },
      catalog: {
        getProducts: (ids) => catalog.getProducts(ids, call),
        listProducts: (request) => catalog.listProducts(request, call),
      },
    }),
    close: async () => {
      await catalog.close();
      await Promise.all(built.map((part) => part.source.close()));
    },
  };
}

/**
 * `check-config --reach`: reads the OpenAPI document of every `kind: openapi`
 * system and checks the operations the file names against it, as the start
 * does. Problems are lines naming their path; a document that cannot be read
 * names its system.
 */
export async function checkOpenApiDocuments(file: BackofficeFile, timeoutMs: number): Promise<{ readonly problems: string[]; readonly unreachable: string[] }> {
  const problems: string[] = [];
  const unreachable: string[] = [];
  for (const system of ['crm', 'contracts', 'catalog'] as const) {
    const spec = file.backoffice[system];
    if (spec.kind !== 'openapi') continue;
    const source = sourceFor(system, spec, timeoutMs, { timeoutMs, retries: 0, cacheTtlMs: 0 }) as OpenApiSource;
    try {
      await source.verify(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      if (error instanceof OpenApiMismatchError) problems.push(...error.problems);
      else unreachable.push(`backoffice.${system}: the OpenAPI document could not be read (${error instanceof Error ? error.message : 'an error'})`);
    } finally {
      await source.close();
    }
  }
  return { problems, unreachable };
}

function sourceFor(system: BackofficeSystem, spec: SystemSpec, timeoutMs: number, defaults: ConnectorDefaults): SourceClient {
  switch (spec.kind) {
    case 'rest':
      return new RestSource(
        new JsonHttpClient({ system, baseUrl: spec.url, timeoutMs, maxSockets: spec.maxSockets ?? defaults.maxSockets }),
        createSourceAuth(system, spec.auth, timeoutMs),
      );
    case 'openapi': {
      const auth = createSourceAuth(system, spec.auth, timeoutMs);
      const rest = new RestSource(new JsonHttpClient({ system, baseUrl: spec.url, timeoutMs, maxSockets: spec.maxSockets ?? defaults.maxSockets }), auth);
      return new OpenApiSource(rest, {
        system,
        url: spec.url,
        document: spec.openapi ?? `${spec.url.replace(/\/+$/, '')}/openapi.json`,
        timeoutMs,
        auth,
        operations: namedOperations(system, spec),
      });
    }
    case 'sql':
      return new SqlSource({ system, url: spec.url, timeoutMs, poolSize: spec.poolSize ?? defaults.poolSize, logger: defaults.sqlLogger });
    case 'soap':
      return new SoapSource({ system, url: spec.url, wsdl: spec.wsdl, timeoutMs, auth: createSourceAuth(system, spec.auth, timeoutMs) });
    default:
      spec.kind satisfies never;
      throw new RangeError('unknown system kind');
  }
}

/** The operations of a system named by operationId, with their path in the file (`backoffice.crm.customers.byIds`). */
function namedOperations(system: BackofficeSystem, spec: SystemSpec): NamedOperation[] {
  const entity = 'customers' in spec ? 'customers' : 'contracts' in spec ? 'contracts' : 'products';
  const operations = (spec as unknown as Record<string, Record<string, unknown>>)[entity];
  return Object.entries(operations).flatMap(([name, op]) =>
    name !== 'map' && op && typeof op === 'object' && (op as Operation).operation !== undefined ? [{ at: `backoffice.${system}.${entity}.${name}`, op: op as Operation }] : [],
  );
}
