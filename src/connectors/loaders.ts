import { types } from 'node:util';
import DataLoader from 'dataloader';
import type { ContractRecord, CustomerRecord, ProductRecord } from '../domain';
import { BackofficeUnavailableError, type BackofficeSystem } from '../errors';
import type { Backoffice } from './backoffice';

/**
 * Per-request loaders: every `load(id)` made while one GraphQL request resolves
 * a level of the tree becomes one call per system, and each record is fetched
 * at most once per request. Missing records load as null (the schema decides
 * whether that is null or NOT_FOUND); when a system fails, only the keys of
 * that batch reject, with its BackofficeUnavailableError, so only the fields
 * that depend on that system fail and the rest of the response resolves.
 */
export interface Loaders {
  readonly customer: DataLoader<string, CustomerRecord | null>;
  readonly contract: DataLoader<string, ContractRecord | null>;
  /** Newest start date first. */
  readonly contractsByCustomer: DataLoader<string, readonly ContractRecord[]>;
  readonly product: DataLoader<string, ProductRecord | null>;
}

export interface LoadersOptions {
  /** Keys per batch function call; the connectors split large batches further. Default unlimited. */
  readonly maxBatchSize?: number;
}

/** Answers in key order, or the same error for every key when the system failed or answered out of shape. */
async function batch<V>(
  system: BackofficeSystem,
  keys: readonly string[],
  fetch: (keys: readonly string[]) => Promise<readonly V[]>,
): Promise<(V | Error)[]> {
  let values: readonly V[];
  try {
    values = await fetch(keys);
  } catch (error) {
    const failure = asError(system, error);
    return keys.map(() => failure);
  }
  if (values.length !== keys.length) {
    const failure = new BackofficeUnavailableError(system, `expected ${keys.length} answers in key order, got ${values.length}`);
    return keys.map(() => failure);
  }
  return [...values];
}

/**
 * DataLoader rejects a key only for an `Error` of this realm. A native error
 * of another realm (a socket error surfacing in a test sandbox or a worker
 * thread) is still the error it is — the store's preference overlay going
 * away is SERVICE_UNAVAILABLE, not the CRM — so it is rewrapped with its
 * message, code and driver error; only a thrown non-error is the system's.
 */
function asError(system: BackofficeSystem, error: unknown): Error {
  if (error instanceof Error) return error;
  if (!types.isNativeError(error)) return new BackofficeUnavailableError(system, 'unexpected failure');
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  return Object.assign(new Error(error.message, { cause: error }), { code, driverError });
}

export function createLoaders(backoffice: Backoffice, options: LoadersOptions = {}): Loaders {
  const settings = { maxBatchSize: options.maxBatchSize ?? Infinity };
  const contract = new DataLoader<string, ContractRecord | null>(
    (ids) => batch('contracts', ids, (keys) => backoffice.contracts.getContracts(keys)),
    settings,
  );
  const contractsByCustomer = new DataLoader<string, readonly ContractRecord[]>(async (customerIds) => {
    const results = await batch('contracts', customerIds, (keys) => backoffice.contracts.getContractsByCustomer(keys));
    // A customer's contracts are then also known by id: `contract(id)` later in the request costs no query.
    for (const result of results) {
      if (result instanceof Error) continue;
      for (const record of result) contract.prime(record.id, record);
    }
    return results;
  }, settings);
  return {
    customer: new DataLoader((ids) => batch('crm', ids, (keys) => backoffice.crm.getCustomers(keys)), settings),
    contract,
    contractsByCustomer,
    product: new DataLoader((ids) => batch('catalog', ids, (keys) => backoffice.catalog.getProducts(keys)), settings),
  };
}
