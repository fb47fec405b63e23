import type { ProductRecord } from '../../domain';
import { badInput } from '../../errors';
import { uniqueIds } from '../batch.util';
import type { CallContext, Page, PageRequest, ProductCatalog } from '../backoffice';
import { compileProductMapper, type ProductMapper } from '../mapping/product.mapper';
import type { BreakerState, Resilience } from '../resilience';
import type { CatalogSpec } from '../spec/backoffice.schema';
import { RecordCache, type RecordCacheOptions } from './record.cache';
import type { OperationRunner } from './operation.runner';

/** The catalog's cache: `cacheTtlMs`, from CATALOG_CACHE_TTL_MS unless the file says otherwise. */
export type CatalogCacheOptions = RecordCacheOptions;

/**
 * The product catalog as its configuration describes it. Catalog data changes
 * rarely, so products can be kept for a short while: a hot product then costs
 * no call, and concurrent requests for a product being fetched share that call.
 */
export class ConfiguredCatalog implements ProductCatalog {
  private readonly map: ProductMapper;
  private readonly cache: RecordCache<ProductRecord | null>;

  constructor(
    private readonly spec: CatalogSpec,
    private readonly runner: OperationRunner,
    private readonly resilience: Resilience,
    options: CatalogCacheOptions,
  ) {
    this.map = compileProductMapper(spec.products.map);
    this.cache = new RecordCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  async getProducts(ids: readonly string[], call?: CallContext): Promise<readonly (ProductRecord | null)[]> {
    if (ids.length === 0) return [];
    const found = await this.cache.load(uniqueIds(ids), (missing) => this.fetch(missing, call), null);
    return ids.map((id) => found.get(id) ?? null);
  }

  async listProducts(request: PageRequest & { readonly category?: string | null }, call?: CallContext): Promise<Page<ProductRecord>> {
    if (!Number.isInteger(request.first) || request.first < 1) {
      throw badInput(`first: expected an integer ≥ 1, got ${request.first}`, 'first');
    }
    const page = await this.runner.page(
      this.spec.products.list,
      { first: request.first, after: request.after, filter: { name: 'category', value: request.category?.trim() ?? '' } },
      this.map,
      call,
    );
    for (const product of page.items) this.cache.set(product.id, product);
    return page;
  }

  close(): Promise<void> {
    this.cache.clear();
    return Promise.resolve();
  }

  private async fetch(ids: readonly string[], call?: CallContext): Promise<Map<string, ProductRecord>> {
    const records = await this.runner.byIds(this.spec.products.byIds, ids, this.map, call);
    return new Map(records.map((product) => [product.id, product]));
  }
}
