import { NO_AUTH } from './auth/source.auth';
import { ConfiguredCatalog } from './configured/catalog.configured';
import { OperationRunner } from './configured/operation.runner';
import { defaultCatalogSpec } from './default.specs';
import type { JsonHttpClient } from './http.client';
import type { Resilience } from './resilience';
import { RestSource } from './sources/rest.source';

export interface CatalogRestConnectorOptions {
  /** Ids per `POST /products/batch`; the catalog accepts at most 500. Default 500. */
  readonly batchSize?: number;
  /** Largest page the catalog serves; a larger `first` is capped to it. Default 500. */
  readonly maxPageSize?: number;
  /** How long a product (or its absence) is served from memory, in ms; 0 turns caching off. Default 0. */
  readonly cacheTtlMs?: number;
  /** Most products kept in memory. Default 10_000. */
  readonly cacheMaxEntries?: number;
  /** Clock of the cache, for tests. Default Date.now. */
  readonly now?: () => number;
}

/** The simulated catalog's REST/JSON API through its default configuration, over a client the caller built. */
export class CatalogRestConnector extends ConfiguredCatalog {
  constructor(
    private readonly http: JsonHttpClient,
    resilience: Resilience,
    options: CatalogRestConnectorOptions = {},
  ) {
    const spec = defaultCatalogSpec();
    const { byIds, list } = spec.products;
    super(
      {
        ...spec,
        products: {
          ...spec.products,
          byIds: { ...byIds, maxBatch: options.batchSize ?? byIds.maxBatch },
          list: { ...list, paging: { ...list.paging, maxPageSize: options.maxPageSize ?? list.paging.maxPageSize } },
        },
      },
      new OperationRunner('catalog', new RestSource(http, NO_AUTH), resilience),
      resilience,
      { cacheTtlMs: options.cacheTtlMs ?? 0, cacheMaxEntries: options.cacheMaxEntries, now: options.now },
    );
  }

  override async close(): Promise<void> {
    await super.close();
    await this.http.close();
  }
}
