import { RandomSource, WeightedChoice } from './random.source';
import type { CatalogProduct, ContractRow, ContractStatusCode, CrmCustomer } from './wire.types';

const STATUS_WEIGHTS = new WeightedChoice<ContractStatusCode>({ A: 75, S: 5, T: 15, P: 5 });
const BUSINESS_ONLY = new Set(['FLEET', 'BIZACC', 'BIZCARD']);
const PRIVATE_ONLY = new Set(['YOUTH', 'TENANT', 'HEALTH', 'DENTAL', 'PENSION']);
const DAY_MS = 86_400_000;

/** The first contracts belong to the fixed customers, so they always hold something (see the README). */
const FIXED_HOLDINGS: readonly { readonly customer: number; readonly category?: string; readonly status: ContractStatusCode }[] = [
  { customer: 1, category: 'insurance-home', status: 'A' },
  { customer: 1, category: 'account', status: 'A' },
  { customer: 1, category: 'insurance-car', status: 'T' },
  ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((customer) => ({ customer, status: 'A' as const })),
];

export function contractId(index: number): string {
  return `K${String(index).padStart(8, '0')}`;
}

/**
 * Every day from `first` to `last` (UTC day numbers) as `YYYYMMDD`, with the day
 * number of the first of its month: built once, so the loop below makes no Date objects.
 */
function calendar(first: number, last: number): { readonly ymd: string[]; readonly monthStart: number[] } {
  const ymd: string[] = [];
  const monthStart: number[] = [];
  for (let day = first; day <= last; day += 1) {
    const date = new Date(day * DAY_MS);
    ymd.push(date.toISOString().slice(0, 10).replace(/-/g, ''));
    monthStart.push(day - (date.getUTCDate() - 1));
  }
  return { ymd, monthStart };
}

function currencyOf(customer: CrmCustomer): string {
  const country = customer.address?.countryCode;
  return country === 'CH' ? 'CHF' : country === 'GB' ? 'GBP' : 'EUR';
}

/** Products a customer of each currency and type would hold, falling back to the whole catalog for tiny ones. */
function productPools(products: readonly CatalogProduct[]): (customer: CrmCustomer, category?: string) => readonly CatalogProduct[] {
  const pools = new Map<string, CatalogProduct[]>();
  const add = (key: string, product: CatalogProduct): void => {
    const pool = pools.get(key);
    if (pool) pool.push(product);
    else pools.set(key, [product]);
  };
  for (const product of products) {
    const family = product.code.split('-')[0];
    for (const type of ['PRIVATE', 'BUSINESS']) {
      if ((type === 'PRIVATE' && BUSINESS_ONLY.has(family)) || (type === 'BUSINESS' && PRIVATE_ONLY.has(family))) continue;
      add(`${type}|${product.monthlyPrice.currency}`, product);
      add(`${type}|${product.monthlyPrice.currency}|${product.category}`, product);
    }
    add(`*|${product.category}`, product);
  }
  return (customer, category) =>
    (category
      ? pools.get(`${customer.type}|${currencyOf(customer)}|${category}`) ?? pools.get(`*|${category}`)
      : pools.get(`${customer.type}|${currencyOf(customer)}`) ?? pools.get(`${customer.type}|EUR`)) ?? products;
}

/** Monthly amount in cents: the list price adjusted to the customer's risk or usage; loans and savings vary widely. */
function amountCents(rng: RandomSource, product: CatalogProduct, list: number, customer: CrmCustomer): number {
  if (list === 0) return 0;
  if (product.category === 'loan' || product.category === 'savings') return Math.round((list * (0.4 + rng.next() * 2.6)) / 100) * 100;
  const scale = customer.type === 'BUSINESS' && product.category !== 'card' ? 1.5 + rng.next() * 1.5 : 0.95 + rng.next() * 0.4;
  return Math.round((list * scale) / 10) * 10;
}

/**
 * `count` contracts, K00000001 upwards, each held by one of `customers` for one of `products`.
 * Dates are relative to `asOf`, never to the clock, so the same seed gives the same rows.
 */
export function generateContracts(
  seed: number,
  count: number,
  customers: readonly CrmCustomer[],
  products: readonly CatalogProduct[],
  asOf: Date,
): ContractRow[] {
  if (count > 0 && (customers.length === 0 || products.length === 0)) {
    throw new RangeError(`contracts need customers and products, got ${customers.length} customers and ${products.length} products`);
  }
  const rng = RandomSource.forStream(seed, 'contracts');
  const poolFor = productPools(products);
  const listCents = new Map(products.map((p) => [p, Number(p.monthlyPrice.value.replace('.', ''))]));
  const prefixes = new Map(products.map((p) => [p, p.code.split('-').slice(0, 2).map((part) => part[0]).join('')]));
  const today = Math.floor(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()) / DAY_MS);
  const first = today - 3700;
  const days = calendar(first, today + 61);
  const rows: ContractRow[] = [];
  for (let i = 0; i < count; i += 1) {
    const fixed = FIXED_HOLDINGS[i] && FIXED_HOLDINGS[i].customer <= customers.length ? FIXED_HOLDINGS[i] : undefined;
    const customer = customers[fixed ? fixed.customer - 1 : rng.int(0, customers.length - 1)];
    const product = rng.pick(poolFor(customer, fixed?.category));
    const status = fixed?.status ?? rng.weighted(STATUS_WEIGHTS);
    let start: number;
    let end: number | null = null;
    if (status === 'P') {
      start = today + rng.int(1, 60);
    } else {
      start = today - rng.int(30, 3650);
      // Many contracts start on the first of a month, as insurers and utilities like them to.
      if (rng.chance(0.5)) start = days.monthStart[start - first];
      if (status === 'T') end = Math.min(start + rng.int(30, Math.max(30, today - start - 1)), today - 1);
    }
    const startDate = days.ymd[start - first];
    // A multiplier coprime to 10 is a bijection modulo 10^6: unique six-digit numbers that do not run in id order.
    const serial = count < 1_000_000 ? String((i * 7919 + 4711) % 1_000_000).padStart(6, '0') : String(i + 1).padStart(7, '0');
    rows.push({
      CNTR_ID: contractId(i + 1),
      CNTR_NO: `${prefixes.get(product)}-${startDate.slice(0, 4)}-${serial}`,
      CUST_REF: customer.customerId,
      PROD_REF: product.id,
      STAT_CD: status,
      DT_START: startDate,
      DT_END: end === null ? null : days.ymd[end - first],
      AMT_MONTHLY_CT: amountCents(rng, product, listCents.get(product)!, customer),
      CCY_CD: product.monthlyPrice.currency,
    });
  }
  return rows;
}
