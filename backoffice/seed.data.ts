import { generateContracts } from './contracts.data';
import { generateCustomers } from './customers.data';
import { generateProducts } from './products.data';
import type { BackofficeData } from './wire.types';

export interface SeedOptions {
  /** Default 10,000. */
  readonly customers?: number;
  /** Default 25,000. */
  readonly contracts?: number;
  /** Default 200. */
  readonly products?: number;
  /** Default 42. */
  readonly seed?: number;
  /**
   * The "today" of the generated data (contract dates, update stamps). Default
   * 2026-06-30: fixed rather than the clock, so a seed always gives the same data.
   */
  readonly asOf?: Date;
  /** Where business customers' document endpoints point (`<base>/<customerId>`); default: `https://erp-<id>.example/documents`. */
  readonly webhookBaseUrl?: string | null;
}

export const DEFAULT_AS_OF = '2026-06-30T00:00:00.000Z';

function count(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return result;
}

/**
 * Customers, products and contracts of the simulated back-office, deterministic
 * for a given seed and sizes. Each kind has its own random stream, so changing
 * one size leaves the other records as they were.
 */
export function generateBackofficeData(options: SeedOptions = {}): BackofficeData {
  const customerCount = count('customers', options.customers, 10_000, 1, 1_000_000);
  const contractCount = count('contracts', options.contracts, 25_000, 0, 5_000_000);
  const productCount = count('products', options.products, 200, 1, 100_000);
  const seed = count('seed', options.seed, 42, 0, 2 ** 32 - 1);
  const asOf = options.asOf ?? new Date(DEFAULT_AS_OF);
  if (Number.isNaN(asOf.getTime())) throw new RangeError(`asOf: expected a valid date, got ${String(asOf)}`);
  const customers = generateCustomers(seed, customerCount, asOf, options.webhookBaseUrl ?? null);
  const products = generateProducts(seed, productCount);
  const contracts = generateContracts(seed, contractCount, customers, products, asOf);
  return { customers, products, contracts };
}
