/** OpenAPI 3.1 pieces both simulated services share: the error body and the fault-injection endpoints. */

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['NOT_FOUND', 'BAD_REQUEST', 'SERVICE_UNAVAILABLE'] },
        message: { type: 'string' },
      },
    },
  },
} as const;

const error = (description: string): object => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export const errorResponses = {
  badRequest: error('A parameter or the body is malformed; the message names it.'),
  notFound: error('No such record.'),
  unavailable: error('The system is down or failed this request (fault injection); retry later.'),
} as const;

const faultSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: { type: 'number', minimum: 0, maximum: 60000, description: 'Delay before every answer.' },
    failureRate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of requests answered with 503.' },
    down: { type: 'boolean', description: 'Answer every request with 503.' },
  },
} as const;

const statsSchema = {
  type: 'object',
  required: ['requests', 'byRoute'],
  properties: {
    requests: { type: 'integer' },
    byRoute: { type: 'object', additionalProperties: { type: 'integer' }, examples: [{ 'POST /customers/lookup': 3 }] },
  },
} as const;

const json = (schema: object): object => ({ 'application/json': { schema } });

/** `/_control` and `/_stats`: never delayed, failed or counted themselves. */
export const controlPaths = {
  '/_control': {
    get: { tags: ['simulation'], summary: 'Current fault settings', responses: { 200: { description: 'Settings', content: json(faultSettingsSchema) } } },
    put: {
      tags: ['simulation'],
      summary: 'Change latency, failure rate or availability',
      requestBody: { required: true, content: json(faultSettingsSchema) },
      responses: { 200: { description: 'The new settings', content: json(faultSettingsSchema) }, 400: errorResponses.badRequest },
    },
  },
  '/_stats': {
    get: { tags: ['simulation'], summary: 'Requests since start or last reset', responses: { 200: { description: 'Counts', content: json(statsSchema) } } },
    delete: { tags: ['simulation'], summary: 'Reset the counts', responses: { 200: { description: 'Counts, now zero', content: json(statsSchema) } } },
  },
} as const;

export const limitParameter = (fallback: number, max: number): object => ({
  name: 'limit',
  in: 'query',
  schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
});

export const cursorParameter = {
  name: 'cursor',
  in: 'query',
  description: 'Opaque; the cursor of the previous page of the same listing.',
  schema: { type: 'string' },
} as const;

export const idsBody = (max: number, example: string): object => ({
  required: true,
  content: json({
    type: 'object',
    required: ['ids'],
    properties: { ids: { type: 'array', maxItems: max, items: { type: 'string' }, examples: [[example]] } },
  }),
});
