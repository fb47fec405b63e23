import { catalogOpenApi } from './catalog.openapi';
import { HttpError, JsonService, type SimulatedServiceOptions } from './json.service';
import { parseIds, slicePage } from './request.params';
import type { CatalogProduct } from './wire.types';

/** The product catalog over REST/JSON (see the README): listing by category with cursor paging, one product, batch. */
export function createCatalogService(products: readonly CatalogProduct[], options: SimulatedServiceOptions = {}): JsonService {
  const byId = new Map(products.map((product) => [product.id, product]));
  const byCategory = new Map<string, CatalogProduct[]>();
  for (const product of products) {
    const list = byCategory.get(product.category);
    if (list) list.push(product);
    else byCategory.set(product.category, [product]);
  }
  const openApi = catalogOpenApi([...byCategory.keys()]);

  return new JsonService({
    name: 'product catalog',
    ...options,
    routes: [
      { method: 'GET', path: '/openapi.json', handle: () => openApi },
      {
        method: 'GET',
        path: '/products',
        handle: ({ query }) => {
          const category = query.get('category') ?? '';
          // An unknown category is an empty listing, not an error: catalogs grow new categories.
          const listed = category === '' ? products : byCategory.get(category) ?? [];
          const page = slicePage(listed, query, `category:${category}`, 50, 500);
          return { items: page.items, total: page.total, next: page.nextCursor };
        },
      },
      {
        method: 'GET',
        path: '/products/{productId}',
        handle: ({ params }) => {
          const product = byId.get(params.productId);
          if (!product) throw new HttpError(404, 'NOT_FOUND', `product ${JSON.stringify(params.productId)} was not found`);
          return product;
        },
      },
      {
        method: 'POST',
        path: '/products/batch',
        handle: ({ body }) => ({
          items: parseIds(body, 500)
            .map((id) => byId.get(id))
            .filter((product): product is CatalogProduct => product !== undefined),
        }),
      },
    ],
  });
}
