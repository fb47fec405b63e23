import type { ProductRecord } from '../../domain';
import { badInput } from '../../errors';
import { uniqueIds } from '../batch.util';
import type { CallContext, Page, PageRequest, ProductCatalog } from '../backoffice';
import { compileProductMapper, type ProductMapper } from '../mapping/product.mapper';
import type { BreakerState, Resilience } from '../resilience';
import type { CatalogSpec } from '../spec/backoffice.schema';
import { TtlCache } from '../ttl.cache';
import type { OperationRunner } from './operation.runner';

export interface CatalogCacheOptions {
  /** How long a product (or its absence) is served from memory, ms; 0 off. */
  readonly cacheTtlMs: number;
  /** Most products kept. Default 10_000. */
  readonly cacheMaxEntries?: number;
  /** Clock of the cache, for tests. */
  readonly now?: () => number;
}

/**
 * The product catalog as its configuration describes it. Catalog data changes
 * rarely, so products can be kept for a short while: a hot product then costs
 * no call, and concurrent requests for a product being fetched share that call.
 */
export class ConfiguredCatalog implements ProductCatalog {
  private readonly map: ProductMapper;
  private readonly cache: TtlCache<ProductRecord | null>;
  private readonly inflight = new Map<string, Promise<ProductRecord | null>>();

  constructor(
    private readonly spec: CatalogSpec,
    private readonly runner: OperationRunner,
    private readonly resilience: Resilience,
    options: CatalogCacheOptions,
  ) {
    this.map = compileProductMapper(spec.products.map);
    this.cache = new TtlCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  async getProducts(ids: readonly string[], call?: CallContext): Promise<readonly (ProductRecord | null)[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, ProductRecord | null>();
    const waits: Promise<unknown>[] = [];
    const missing: string[] = [];
    for (const id of uniqueIds(ids)) {
      const cached = this.cache.get(id);
      const pending = cached === undefined ? this.inflight.get(id) : undefined;
      if (cached !== undefined) found.set(id, cached);
      else if (pending) waits.push(pending.then((product) => found.set(id, product)));
      else missing.push(id);
    }
    if (missing.length > 0) {
      const fetching = this.fetch(missing, call);
      waits.push(fetching.then((products) => missing.forEach((id) => found.set(id, products.get(id) ?? null))));
      if (this.cache.enabled) this.share(missing, fetching);
    }
    await Promise.all(waits);
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

  /** Fills the cache, absences included. */
  private async fetch(ids: readonly string[], call?: CallContext): Promise<Map<string, ProductRecord>> {
    const records = await this.runner.byIds(this.spec.products.byIds, ids, this.map, call);
    const products = new Map(records.map((product) => [product.id, product]));
    for (const id of ids) this.cache.set(id, products.get(id) ?? null);
    return products;
  }

  /** Lets concurrent callers wait for ids already being fetched instead of asking again. */
  private share(ids: readonly string[], fetching: Promise<Map<string, ProductRecord>>): void {
    const entries = ids.map((id) => {
      const promise = fetching.then((products) => products.get(id) ?? null);
      // Only callers that joined observe a failure; an unobserved one must not surface as unhandled.
      promise.catch(() => undefined);
      this.inflight.set(id, promise);
      return [id, promise] as const;
    });
    const forget = (): void => {
      for (const [id, promise] of entries) if (this.inflight.get(id) === promise) this.inflight.delete(id);
    };
    fetching.then(forget, forget);
  }
}
