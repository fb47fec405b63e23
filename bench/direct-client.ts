import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContractRowEntity } from '../src/connectors/contract-row.entity';
import { toContractRecord } from '../src/connectors/contract.mapping';
import { toCustomerRecord, type CrmCustomer } from '../src/connectors/crm.mapping';
import { displayName, type ContractRecord, type CustomerRecord } from '../src/domain';
import { inList, openSqlReader, type SqlReader } from './direct.sql';

export interface DirectClientOptions {
  readonly crmUrl: string;
  readonly catalogUrl: string;
  /** The contract system's database, as the gateway's contract connector reads it. */
  readonly contractsDatabaseUrl: string;
  /** The gateway's own store (communications and deliveries), read, never written. */
  readonly storeUrl: string;
  /** How long a product is kept, in ms, like the gateway's catalog cache (CATALOG_CACHE_TTL_MS); 0: no cache. */
  readonly catalogCacheMs: number;
}

/** POST paths of the two answers; the bodies are the gateway's GraphQL bodies (the 360 view reads `variables.id`). */
export const DIRECT_PATHS = { list: '/customers', view360: '/customer360' } as const;

interface CatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly monthlyPrice: { readonly value: string; readonly currency: string };
}

const CONTRACT_COLUMNS = '"CNTR_ID" AS "id", "CNTR_NO" AS "number", "CUST_REF" AS "customerRef", "PROD_REF" AS "productRef", "STAT_CD" AS "statusCode", '
  + '"DT_START" AS "startDate", "DT_END" AS "endDate", "AMT_MONTHLY_CT" AS "monthlyAmountMinor", "CCY_CD" AS "currency"';

/**
 * The limit the customer view is compared with: the same data as the
 * gateway's list query and 360 view, fetched with the same batching (one CRM
 * call, one contract SQL query, one batched catalog call behind a cache with
 * the gateway's TTL, the contact history in three statements), written by hand
 * on node:http with no GraphQL. It reuses the gateway's pure mapping functions
 * (CRM and contract rows to records), so both answers are the same JSON, and
 * starts what does not depend on another answer at once, as a hand-written
 * client would.
 */
export async function startDirectClient(options: DirectClientOptions): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' });
  const contracts: SqlReader = openSqlReader(options.contractsDatabaseUrl);
  const store: SqlReader = openSqlReader(options.storeUrl);
  const catalogCache = new Map<string, { product: CatalogProduct | null; expires: number }>();

  const call = <T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: http.OutgoingHttpHeaders = payload === undefined ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      const request = http.request(`${base}${path}`, { method, agent, headers, timeout: 10_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`${method} ${path}: expected 200, got ${response.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch (error) {
            reject(error);
          }
        });
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      request.on('error', reject);
      request.end(payload);
    });

  const contractsOf = async (customerIds: readonly string[]): Promise<Map<string, ContractRecord[]>> => {
    const sql = `SELECT ${CONTRACT_COLUMNS} FROM "CNTR_MASTER" WHERE "CUST_REF" IN ${inList(contracts, customerIds.length)} ORDER BY "DT_START" DESC, "CNTR_ID" ASC`;
    const byCustomer = new Map<string, ContractRecord[]>();
    for (const row of await contracts.all<ContractRowEntity>(sql, customerIds)) {
      const record = toContractRecord(row);
      const list = byCustomer.get(record.customerId);
      if (list) list.push(record);
      else byCustomer.set(record.customerId, [record]);
    }
    return byCustomer;
  };

  const productsOf = async (records: readonly ContractRecord[]): Promise<Map<string, CatalogProduct | null>> => {
    const now = Date.now();
    const found = new Map<string, CatalogProduct | null>();
    const missing: string[] = [];
    for (const id of new Set(records.map((r) => r.productId))) {
      const cached = catalogCache.get(id);
      if (cached && cached.expires > now) found.set(id, cached.product);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const answer = await call<{ items: CatalogProduct[] }>(options.catalogUrl, 'POST', '/products/batch', { ids: missing });
      const byId = new Map(answer.items.map((p) => [p.id, p]));
      for (const id of missing) {
        const product = byId.get(id) ?? null;
        found.set(id, product);
        if (options.catalogCacheMs > 0) catalogCache.set(id, { product, expires: now + options.catalogCacheMs });
      }
    }
    return found;
  };

  const list = async (): Promise<unknown> => {
    const page = await call<{ data: CrmCustomer[] }>(options.crmUrl, 'GET', '/customers?limit=20');
    const customers = page.data.map((c) => toCustomerRecord(c, 'en'));
    const byCustomer = customers.length ? await contractsOf(customers.map((c) => c.id)) : new Map<string, ContractRecord[]>();
    const products = await productsOf([...byCustomer.values()].flat());
    const edges = customers.map((customer) => ({
      node: {
        displayName: displayName(customer),
        contracts: (byCustomer.get(customer.id) ?? []).map((k) => {
          const product = products.get(k.productId);
          return { number: k.number, product: product ? { name: product.name } : null };
        }),
      },
    }));
    return { data: { customers: { edges } } };
  };

  const history = async (customerId: string): Promise<unknown> => {
    const p = store.placeholder(0);
    const [[count], page] = await Promise.all([
      store.all<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "communication" WHERE "customerId" = ${p}`, [customerId]),
      store.all<{ id: string; templateKey: string; status: string; createdAt: number | string }>(
        `SELECT "id", "templateKey", "status", "createdAt" FROM "communication" WHERE "customerId" = ${p} ORDER BY "createdAt" DESC, "id" DESC LIMIT 10`, [customerId]),
    ]);
    const ids = page.map((c) => c.id);
    const deliveries = ids.length === 0 ? [] : await store.all<{ communicationId: string; channel: string; status: string; updatedAt: number | string }>(
      `SELECT "communicationId", "channel", "status", "updatedAt" FROM "delivery" WHERE "communicationId" IN ${inList(store, ids.length)} ORDER BY "ordinal" ASC`, ids);
    const byCommunication = new Map<string, { channel: string; status: string; updatedAt: string }[]>();
    for (const d of deliveries) {
      const item = { channel: d.channel, status: d.status, updatedAt: new Date(Number(d.updatedAt)).toISOString() };
      const group = byCommunication.get(d.communicationId);
      if (group) group.push(item);
      else byCommunication.set(d.communicationId, [item]);
    }
    const edges = page.map((c) => ({
      node: { id: c.id, templateKey: c.templateKey, status: c.status, createdAt: new Date(Number(c.createdAt)).toISOString(), deliveries: byCommunication.get(c.id) ?? [] },
    }));
    return { totalCount: Number(count?.n ?? 0), edges };
  };

  const view360 = async (id: string): Promise<unknown> => {
    // Everything keyed by the customer id at once; the catalog once the contracts name the products.
    const [lookup, byCustomer, communications] = await Promise.all([
      call<{ data: CrmCustomer[] }>(options.crmUrl, 'POST', '/customers/lookup', { ids: [id] }),
      contractsOf([id]),
      history(id),
    ]);
    const crmCustomer = lookup.data.find((c) => c.customerId === id);
    if (!crmCustomer) return { data: { customer: null } };
    const customer: CustomerRecord = toCustomerRecord(crmCustomer, 'en');
    const held = byCustomer.get(id) ?? [];
    const products = await productsOf(held);
    return {
      data: {
        customer: {
          id: customer.id,
          displayName: displayName(customer),
          email: customer.email,
          phone: customer.phone,
          language: customer.language,
          segment: customer.segment,
          postalAddress: customer.postalAddress,
          preferences: { preferredChannel: customer.preferredChannel, consents: customer.consents },
          contracts: held.map((k) => {
            const product = products.get(k.productId);
            return {
              number: k.number,
              status: k.status,
              startDate: k.startDate.toISOString(),
              monthlyAmount: k.monthlyAmount,
              product: product ? { name: product.name, category: product.category, price: { amount: product.monthlyPrice.value, currency: product.monthlyPrice.currency.toUpperCase() } } : null,
            };
          }),
          communications,
        },
      },
    };
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = async (): Promise<unknown> => {
        if (request.url === DIRECT_PATHS.list) return list();
        if (request.url === DIRECT_PATHS.view360) {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { id?: unknown } };
          if (typeof body.variables?.id !== 'string') throw new Error('expected {"variables": {"id": "C…"}}');
          return view360(body.variables.id);
        }
        throw new Error(`no route ${request.method} ${request.url}`);
      };
      answer().then(
        (body) => {
          const json = JSON.stringify(body);
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
          response.end(json);
        },
        (error: unknown) => {
          const json = JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] });
          response.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
          response.end(json);
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      await Promise.all([contracts.close(), store.close()]);
    },
  };
}
