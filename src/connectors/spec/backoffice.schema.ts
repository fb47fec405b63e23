import { z } from 'zod';
import { Channel } from '../../domain';

/*
 * The shape of a back-office configuration file (BACKOFFICE_CONFIG). Every key
 * is documented in docs/connectors.md with its default; objects are strict so a
 * misspelt key is reported instead of silently ignored.
 */

const positiveInt = (max: number) => z.number().int().min(1).max(max);
const text = z.string().min(1);

/** A mapping expression: a dotted path (`contact.email`) or any JSONata expression. */
const expression = z.string().min(1);

/** One gateway field: an expression, or the expression with a default, an enum map or a date format. */
export const fieldSchema = z.union([
  expression,
  z
    .object({
      expr: expression,
      /** Used when the expression yields nothing (or a value the enum map does not know). */
      default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      /** Source value → gateway value, e.g. `{ A: ACTIVE }`; matched exactly, then ignoring case. */
      enum: z.record(z.string(), z.string()).optional(),
      /** Dates only: `YYYYMMDD`, `YYYY-MM-DD`, `DD.MM.YYYY`, `epoch-ms`, `epoch-s`; default ISO-8601. */
      format: z.enum(['iso', 'YYYYMMDD', 'YYYY-MM-DD', 'DD.MM.YYYY', 'epoch-ms', 'epoch-s']).optional(),
    })
    .strict(),
]);
export type FieldSpec = z.infer<typeof fieldSchema>;

const moneySchema = z
  .object({ amount: expression.optional(), minorUnits: expression.optional(), currency: fieldSchema })
  .strict()
  .refine((m) => (m.amount === undefined) !== (m.minorUnits === undefined), { message: 'expected exactly one of amount or minorUnits' });

const attributesSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier'), fieldSchema);

export const customerMapSchema = z
  .object({
    id: fieldSchema,
    kind: fieldSchema.optional(),
    firstName: fieldSchema.optional(),
    lastName: fieldSchema.optional(),
    companyName: fieldSchema.optional(),
    email: fieldSchema.optional(),
    phone: fieldSchema.optional(),
    language: fieldSchema.optional(),
    segment: fieldSchema.optional(),
    preferredChannel: fieldSchema.optional(),
    /** HTTPS endpoint the customer registered for documents (channel WEBHOOK). */
    webhookUrl: fieldSchema.optional(),
    /** Per channel, an expression that is true when the customer consents; or one expression giving a list of channels. */
    consents: z.union([expression, z.record(z.nativeEnum(Channel), fieldSchema)]).optional(),
    postalAddress: z
      .object({ lines: z.union([expression, z.array(expression)]), postalCode: fieldSchema, city: fieldSchema, country: fieldSchema })
      .strict()
      .optional(),
    attributes: attributesSchema.optional(),
  })
  .strict();

export const contractMapSchema = z
  .object({
    id: fieldSchema,
    number: fieldSchema,
    status: fieldSchema,
    startDate: fieldSchema,
    endDate: fieldSchema.optional(),
    monthlyAmount: moneySchema,
    customerId: fieldSchema,
    productId: fieldSchema,
    attributes: attributesSchema.optional(),
  })
  .strict();

export const productMapSchema = z
  .object({
    id: fieldSchema,
    code: fieldSchema,
    name: fieldSchema,
    category: fieldSchema,
    description: fieldSchema.optional(),
    price: moneySchema,
    attributes: attributesSchema.optional(),
  })
  .strict();

const pagingSchema = z
  .object({
    style: z.enum(['cursor', 'offset', 'page']),
    /** Expression for the total count in the answer. */
    total: expression,
    /** Cursor style: expression for the next cursor (null or absent on the last page). */
    next: expression.optional(),
    /** Page style: number of the first page. Default 1. */
    firstPage: z.number().int().min(0).max(1).optional(),
    /** Largest page the system serves; a larger request is capped. Default 100. */
    maxPageSize: positiveInt(10_000).optional(),
  })
  .strict()
  .refine((p) => p.style !== 'cursor' || p.next !== undefined, { message: 'expected next (the expression of the next cursor) with style cursor', path: ['next'] });

const template = z.record(z.string(), z.unknown());

/** How a REST or SOAP call is made. Placeholders: {ids} {id} {search} {category} {limit} {offset} {page} {cursor} and the written fields. */
const callFields = {
  /** REST: HTTP method. Default GET (POST with ids in the body). */
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).optional(),
  /** REST: path below the system URL, e.g. `/customers/lookup` or `/products/{id}`. */
  url: z.string().regex(/^\/[^\s]*$/, 'expected a path below the system URL starting with /').optional(),
  /** REST: query parameters, values may hold placeholders; an empty value leaves the parameter out. */
  query: z.record(z.string(), z.string()).optional(),
  /** REST: JSON body; SOAP: the operation's arguments. A string that is exactly one placeholder keeps its type (a list of ids stays a list). */
  body: template.optional(),
  /** SOAP: the operation name, or Service.Port.Operation; openapi: an operationId of the document (path and method come from it). */
  operation: text.optional(),
  /** SQL: the statement; `:ids` expands to the bound list. */
  sql: text.optional(),
  /** Expression that selects the records in the answer. Default: the answer itself (SQL: the rows). */
  items: expression.optional(),
};

const idsSchema = z
  .object({
    /** query: one parameter, ids joined by `separator`; repeat: the parameter once per id; body: a JSON list (see body); path: one call per id (`{id}` in url). */
    in: z.enum(['query', 'repeat', 'body', 'path']),
    /** Parameter name for query and repeat. Default ids. */
    name: text.optional(),
    /** Default ",". */
    separator: text.optional(),
  })
  .strict();

export const batchOperationSchema = z
  .object({
    ...callFields,
    ids: idsSchema.optional(),
    /** Ids per call. Default 100. */
    maxBatch: positiveInt(10_000).optional(),
    /** One call per id: calls at once. Default 8. */
    concurrency: positiveInt(256).optional(),
    /** One call per id: HTTP statuses that mean "no such record". Default [404]. */
    missing: z.array(z.number().int().min(400).max(599)).optional(),
  })
  .strict();

export const pageOperationSchema = z.object({ ...callFields, paging: pagingSchema }).strict();

export const writeOperationSchema = z.object({ ...callFields }).strict();

/** One call, the records it answers (a lookup by a value other than the id). */
export const lookupOperationSchema = z.object({ ...callFields }).strict();

const breakerSchema = z
  .object({
    failureThreshold: positiveInt(1_000).optional(),
    failureRatio: z.number().min(0).max(1).optional(),
    windowSize: positiveInt(10_000).optional(),
    minimumCalls: positiveInt(10_000).optional(),
    coolDownMs: positiveInt(3_600_000).optional(),
  })
  .strict();

export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('apiKey'), header: text.optional(), value: text }).strict(),
  z.object({ type: z.literal('bearer'), token: text }).strict(),
  z
    .object({
      type: z.literal('oauth2'),
      tokenUrl: z.string().url(),
      clientId: text,
      clientSecret: text,
      scope: text.optional(),
      audience: text.optional(),
    })
    .strict(),
  /** The caller's own bearer token, as it reached the gateway; calls from workers go without. */
  z.object({ type: z.literal('forward'), header: text.optional() }).strict(),
]);
export type AuthSpec = z.infer<typeof authSchema>;

const systemFields = {
  kind: z.enum(['rest', 'openapi', 'sql', 'soap']),
  /** rest/openapi: base URL; sql: sqlite:<path> or postgres://…; soap: the service URL (WSDL at ?wsdl unless `wsdl`). */
  url: text,
  /** soap: where the WSDL is. Default `<url>?wsdl`. openapi: where the OpenAPI document is. Default `<url>/openapi.json`. */
  wsdl: text.optional(),
  openapi: text.optional(),
  auth: authSchema.optional(),
  /** Budget of one call, retries included, ms. Default BACKOFFICE_TIMEOUT_MS. */
  timeoutMs: positiveInt(120_000).optional(),
  /** Default BACKOFFICE_RETRIES. */
  retries: z.number().int().min(0).max(5).optional(),
  breaker: breakerSchema.optional(),
  /** Records kept in memory this long, ms; 0 off. Default: CATALOG_CACHE_TTL_MS for the catalog, 0 for the others. */
  cacheTtlMs: z.number().int().min(0).max(86_400_000).optional(),
  /** HTTP sockets (rest/openapi/soap). Default 64. */
  maxSockets: positiveInt(1_024).optional(),
  /** Database connections (sql, PostgreSQL). Default 10. */
  poolSize: positiveInt(200).optional(),
};

export const backofficeFileSchema = z
  .object({
    version: z.literal(1).optional(),
    backoffice: z
      .object({
        crm: z
          .object({
            ...systemFields,
            /** Language of customers whose record has none. Default en. */
            defaultLanguage: z.string().regex(/^[a-z]{2,3}$/, 'expected a primary language subtag such as en').optional(),
            customers: z
              .object({
                byIds: batchOperationSchema,
                search: pageOperationSchema,
                byPhone: lookupOperationSchema.optional(),
                updatePreferences: writeOperationSchema.optional(),
                map: customerMapSchema,
              })
              .strict(),
          })
          .strict(),
        contracts: z
          .object({
            ...systemFields,
            contracts: z.object({ byIds: batchOperationSchema, byCustomerIds: batchOperationSchema, map: contractMapSchema }).strict(),
          })
          .strict(),
        catalog: z
          .object({
            ...systemFields,
            products: z.object({ byIds: batchOperationSchema, list: pageOperationSchema, map: productMapSchema }).strict(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type BackofficeFile = z.infer<typeof backofficeFileSchema>;
export type SystemSpec = BackofficeFile['backoffice']['crm' | 'contracts' | 'catalog'];
export type CrmSpec = BackofficeFile['backoffice']['crm'];
export type ContractsSpec = BackofficeFile['backoffice']['contracts'];
export type CatalogSpec = BackofficeFile['backoffice']['catalog'];
export type BatchOperation = z.infer<typeof batchOperationSchema>;
export type PageOperation = z.infer<typeof pageOperationSchema>;
export type WriteOperation = z.infer<typeof writeOperationSchema>;
export type LookupOperation = z.infer<typeof lookupOperationSchema>;
export type CustomerMap = z.infer<typeof customerMapSchema>;
export type ContractMap = z.infer<typeof contractMapSchema>;
export type ProductMap = z.infer<typeof productMapSchema>;
