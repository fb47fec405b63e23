import { controlPaths, cursorParameter, errorResponses, errorSchema, idsBody, limitParameter } from './openapi.common';

const productRef = { $ref: '#/components/schemas/CatalogProduct' };

/** The product catalog's OpenAPI 3.1 document, served at `GET /openapi.json`. */
export function catalogOpenApi(categories: readonly string[]): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Simulated product catalog', version: '1.0.0', description: 'Insurance, banking and energy products with monthly prices.' },
    paths: {
      '/products': {
        get: {
          operationId: 'listProducts',
          summary: 'Products in id order, optionally of one category',
          parameters: [{ name: 'category', in: 'query', schema: { type: 'string', examples: categories } }, limitParameter(50, 500), cursorParameter],
          responses: {
            200: {
              description: 'One page',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['items', 'total', 'next'],
                    properties: { items: { type: 'array', items: productRef }, total: { type: 'integer' }, next: { type: ['string', 'null'] } },
                  },
                },
              },
            },
            400: errorResponses.badRequest,
            503: errorResponses.unavailable,
          },
        },
      },
      '/products/{productId}': {
        get: {
          operationId: 'getProduct',
          parameters: [{ name: 'productId', in: 'path', required: true, schema: { type: 'string', examples: ['P0001'] } }],
          responses: {
            200: { description: 'The product', content: { 'application/json': { schema: productRef } } },
            404: errorResponses.notFound,
            503: errorResponses.unavailable,
          },
        },
      },
      '/products/batch': {
        post: {
          operationId: 'batchProducts',
          summary: 'Many products at once; unknown ids are left out',
          requestBody: idsBody(500, 'P0001'),
          responses: {
            200: {
              description: 'The products found',
              content: { 'application/json': { schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: productRef } } } } },
            },
            400: errorResponses.badRequest,
            503: errorResponses.unavailable,
          },
        },
      },
      ...controlPaths,
    },
    components: {
      schemas: {
        Error: errorSchema,
        CatalogProduct: {
          type: 'object',
          required: ['id', 'code', 'name', 'category', 'description', 'monthlyPrice'],
          properties: {
            id: { type: 'string', pattern: '^P\\d{4,}$' },
            code: { type: 'string', examples: ['HOME-BASIC-01'] },
            name: { type: 'string' },
            category: { type: 'string', examples: categories },
            description: { type: ['string', 'null'] },
            monthlyPrice: {
              type: 'object',
              required: ['value', 'currency'],
              properties: {
                value: { type: 'string', pattern: '^\\d+\\.\\d{2}$', description: 'Decimal string, never a float' },
                currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' },
              },
            },
          },
        },
      },
    },
  };
}
