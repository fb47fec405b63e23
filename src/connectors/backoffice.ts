import type { ContractRecord, ContractStatus, CustomerRecord, ProductRecord } from '../domain';

/** One page of a cursor-paged listing; `nextCursor` is opaque to callers. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
  readonly nextCursor: string | null;
}

/** Who a back-office call is made for: the caller's bearer token, for systems configured to forward it. */
export interface CallContext {
  readonly callerToken?: string | null;
}

export interface PageRequest {
  readonly first: number;
  readonly after?: string | null;
}

/**
 * Batch methods answer in key order: one entry per id, `null` where the system
 * has no such record. A failing system rejects with BackofficeUnavailableError.
 */
export interface CustomerDirectory {
  getCustomers(ids: readonly string[], call?: CallContext): Promise<readonly (CustomerRecord | null)[]>;
  searchCustomers(request: PageRequest & { readonly search?: string | null }, call?: CallContext): Promise<Page<CustomerRecord>>;
  close?(): Promise<void>;
}

export interface ContractFilter {
  readonly status?: ContractStatus | null;
  readonly productIds?: readonly string[] | null;
}

export interface ContractRepository {
  getContracts(ids: readonly string[], call?: CallContext): Promise<readonly (ContractRecord | null)[]>;
  /** Contracts of each customer, in key order; newest start date first. */
  getContractsByCustomer(customerIds: readonly string[], call?: CallContext): Promise<readonly (readonly ContractRecord[])[]>;
  /** Ping for /readyz. */
  check(): Promise<void>;
  close?(): Promise<void>;
}

export interface ProductCatalog {
  getProducts(ids: readonly string[], call?: CallContext): Promise<readonly (ProductRecord | null)[]>;
  listProducts(request: PageRequest & { readonly category?: string | null }, call?: CallContext): Promise<Page<ProductRecord>>;
  close?(): Promise<void>;
}

export interface Backoffice {
  readonly crm: CustomerDirectory;
  readonly contracts: ContractRepository;
  readonly catalog: ProductCatalog;
}
