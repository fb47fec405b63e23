import { controlPaths, cursorParameter, errorResponses, errorSchema, idsBody, limitParameter } from './openapi.common';

const nullable = (type: string, extra: object = {}): object => ({ type: [type, 'null'], ...extra });
const customerRef = { $ref: '#/components/schemas/CrmCustomer' };

/** The CRM's OpenAPI 3.1 document, served at `GET /openapi.json`. */
export function crmOpenApi(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Simulated CRM',
      version: '1.0.0',
      description: 'Customers, their contact data, language, segment and communication consents.',
    },
    paths: {
      '/customers': {
        get: {
          operationId: 'searchCustomers',
          summary: 'Search customers by name, company, e-mail or id (case-insensitive substring), in id order; or all customers with one mobile number',
          parameters: [
            { name: 'search', in: 'query', schema: { type: 'string', maxLength: 200 } },
            { name: 'phone', in: 'query', description: 'E.164 mobile number; when given, `search` and paging are ignored', schema: { type: 'string', examples: ['+33612345678'] } },
            limitParameter(20, 200),
            cursorParameter,
          ],
          responses: {
            200: {
              description: 'One page',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CustomerPage' } } },
            },
            400: errorResponses.badRequest,
            503: errorResponses.unavailable,
          },
        },
      },
      '/customers/{customerId}': {
        get: {
          operationId: 'getCustomer',
          parameters: [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string', examples: ['C0000001'] } }],
          responses: {
            200: { description: 'The customer', content: { 'application/json': { schema: customerRef } } },
            404: errorResponses.notFound,
            503: errorResponses.unavailable,
          },
        },
      },
      '/customers/{customerId}/preferences': {
        patch: {
          operationId: 'updatePreferences',
          summary: 'Change communication preferences; only the keys given change, consents channel by channel',
          parameters: [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string', examples: ['C0000001'] } }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    preferredChannel: { enum: ['email', 'sms', 'letter', 'portal', 'whatsapp', 'webhook', null] },
                    consents: { type: 'object', additionalProperties: { type: 'boolean' } },
                    preferredLanguage: { type: 'string', pattern: '^[a-z]{2,3}$' },
                    paperless: { type: 'boolean' },
                    timeZone: nullable('string', { description: 'IANA zone' }),
                    quietHours: { oneOf: [{ type: 'null' }, { type: 'object', required: ['start', 'end'], properties: { start: { type: 'string' }, end: { type: 'string' } } }] },
                  },
                },
              },
            },
          },
          responses: {
            200: { description: 'The customer as now stored', content: { 'application/json': { schema: customerRef } } },
            400: errorResponses.badRequest,
            404: errorResponses.notFound,
            503: errorResponses.unavailable,
          },
        },
      },
      '/customers/lookup': {
        post: {
          operationId: 'lookupCustomers',
          summary: 'Many customers at once; order of `data` is not guaranteed',
          requestBody: idsBody(500, 'C0000001'),
          responses: {
            200: {
              description: 'The customers found, and the ids that were not',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['data', 'missing'],
                    properties: { data: { type: 'array', items: customerRef }, missing: { type: 'array', items: { type: 'string' } } },
                  },
                },
              },
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
        CustomerPage: {
          type: 'object',
          required: ['data', 'page'],
          properties: {
            data: { type: 'array', items: customerRef },
            page: {
              type: 'object',
              required: ['total', 'nextCursor'],
              properties: { total: { type: 'integer' }, nextCursor: nullable('string') },
            },
          },
        },
        CrmCustomer: {
          type: 'object',
          required: ['customerId', 'type', 'givenName', 'familyName', 'organisationName', 'contact', 'address',
            'preferredLanguage', 'segment', 'communication', 'updatedAt'],
          properties: {
            customerId: { type: 'string', pattern: '^C\\d{7,}$' },
            type: { enum: ['PRIVATE', 'BUSINESS'] },
            givenName: nullable('string'),
            familyName: nullable('string'),
            organisationName: nullable('string', { description: 'Set for BUSINESS customers' }),
            contact: {
              type: 'object',
              required: ['email', 'mobile'],
              properties: {
                email: nullable('string', { format: 'email' }),
                mobile: nullable('string', { pattern: '^\\+[1-9]\\d{6,14}$', description: 'E.164' }),
              },
            },
            address: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  required: ['street', 'additional', 'postcode', 'town', 'countryCode'],
                  properties: {
                    street: { type: 'string' },
                    additional: nullable('string'),
                    postcode: { type: 'string' },
                    town: { type: 'string' },
                    countryCode: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
                  },
                },
              ],
            },
            preferredLanguage: { type: 'string', examples: ['fr', 'de', 'en'] },
            segment: { enum: ['retail', 'premium', 'business'] },
            communication: {
              type: 'object',
              required: ['preferredChannel', 'consents'],
              properties: {
                preferredChannel: { enum: ['email', 'sms', 'letter', 'portal', null] },
                consents: {
                  type: 'object',
                  description: 'Consent per digital channel; letters need none.',
                  required: ['email', 'sms', 'portal'],
                  properties: { email: { type: 'boolean' }, sms: { type: 'boolean' }, portal: { type: 'boolean' } },
                },
              },
            },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
