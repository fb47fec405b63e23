import type { ProductRecord } from '../domain';
import { badInput } from '../errors';
import { chunk, uniqueIds } from './batch.util';
import type { Page, PageRequest, ProductCatalog } from './backoffice';
import type { JsonHttpClient } from './http.client';
import type { BreakerState, Resilience } from './resilience';
import { TtlCache } from './ttl.cache';
import { UpstreamError } from './upstream.error';

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

/** The catalog's product as it travels on the wire. */
interface CatalogProduct {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly description: string | null;
  readonly monthlyPrice: { readonly value: string; readonly currency: string };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The product catalog over REST/JSON. Catalog data changes rarely, so products
 * can be kept for a short while: a hot product then costs no call at all, and
 * concurrent requests for a product being fetched share that one call.
 */
export class CatalogRestConnector implements ProductCatalog {
  private readonly batchSize: number;
  private readonly maxPageSize: number;
  private readonly cache: TtlCache<ProductRecord | null>;
  private readonly inflight = new Map<string, Promise<ProductRecord | null>>();

  constructor(
    private readonly http: JsonHttpClient,
    private readonly resilience: Resilience,
    options: CatalogRestConnectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxPageSize = options.maxPageSize ?? 500;
    this.cache = new TtlCache({ ttlMs: options.cacheTtlMs ?? 0, maxEntries: options.cacheMaxEntries, now: options.now });
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  async getProducts(ids: readonly string[]): Promise<readonly (ProductRecord | null)[]> {
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
      const fetching = this.fetch(missing);
      waits.push(fetching.then((products) => missing.forEach((id) => found.set(id, products.get(id) ?? null))));
      if (this.cache.enabled) this.share(missing, fetching);
    }
    await Promise.all(waits);
    return ids.map((id) => found.get(id) ?? null);
  }

  async listProducts(request: PageRequest & { readonly category?: string | null }): Promise<Page<ProductRecord>> {
    if (!Number.isInteger(request.first) || request.first < 1) {
      throw badInput(`first: expected an integer ≥ 1, got ${request.first}`, 'first');
    }
    return this.resilience.run(async (signal) => {
      const route = 'GET /products';
      let answer: { items: readonly CatalogProduct[]; total: number; next: string | null };
      try {
        answer = await this.http.get('/products', {
          signal,
          route,
          query: { category: request.category?.trim(), limit: Math.min(request.first, this.maxPageSize), cursor: request.after },
        });
      } catch (error) {
        // The limit is checked above, so a refusal can only be the cursor.
        if (error instanceof UpstreamError && error.status === 400) {
          throw badInput('after: expected a cursor returned by the previous page of this listing', 'after');
        }
        throw error;
      }
      if (!Array.isArray(answer?.items) || typeof answer.total !== 'number') {
        throw this.malformed(route, 'expected {"items": [...], "total": n, "next": ...}');
      }
      const items = answer.items.map((product) => this.toRecord(product, route));
      for (const product of items) this.cache.set(product.id, product);
      return { items, totalCount: answer.total, nextCursor: answer.next ?? null };
    }, { idempotent: true });
  }

  close(): Promise<void> {
    this.cache.clear();
    return this.http.close();
  }

  /** One batch call per 500 ids, in parallel; fills the cache, absences included. */
  private async fetch(ids: readonly string[]): Promise<Map<string, ProductRecord>> {
    const products = new Map<string, ProductRecord>();
    await Promise.all(
      chunk(ids, this.batchSize).map((batch) =>
        this.resilience.run(async (signal) => {
          const route = 'POST /products/batch';
          const answer = await this.http.post<{ items: readonly CatalogProduct[] }>('/products/batch', { ids: batch }, { signal, route });
          if (!Array.isArray(answer?.items)) throw this.malformed(route, 'expected {"items": [...]}');
          for (const product of answer.items) products.set(product.id, this.toRecord(product, route));
        }, { idempotent: true }),
      ),
    );
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

  private toRecord(product: CatalogProduct, route: string): ProductRecord {
    const price = product.monthlyPrice;
    if (!price || typeof price.value !== 'string' || !DECIMAL.test(price.value) || typeof price.currency !== 'string') {
      throw this.malformed(route, `product ${product.id}: expected monthlyPrice {"value": "12.90", "currency": "EUR"}`);
    }
    return {
      id: product.id,
      code: product.code,
      name: product.name,
      category: product.category,
      description: product.description?.trim() ? product.description : null,
      price: { amount: price.value, currency: price.currency.toUpperCase() },
    };
  }

  private malformed(route: string, expected: string): UpstreamError {
    return new UpstreamError('catalog', route, 'protocol', false, `answer of an unexpected shape (${expected})`);
  }
}
