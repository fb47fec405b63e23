import type { Channel, ContractRecord, ContractStatus, CustomerRecord, ProductRecord, QuietHours } from '../domain';

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
  /** Customers whose mobile number is this E.164 number (inbound SMS); absent: the system cannot look numbers up. */
  findByPhone?(phone: string, call?: CallContext): Promise<readonly CustomerRecord[]>;
  /**
   * Writes preferences through to the system (only the fields given); absent:
   * the system takes no writes and the gateway's overlay is the only copy.
   * Resolves false when the system has no such customer.
   */
  updatePreferences?(customerId: string, patch: PreferencePatch, call?: CallContext): Promise<boolean>;
  /** false: `updatePreferences` exists but the system's configuration declares no write-through. */
  readonly writesPreferences?: boolean;
  close?(): Promise<void>;
}

/** Whether preference changes can be written through to this CRM. */
export function takesPreferenceWrites(crm: CustomerDirectory): crm is CustomerDirectory & Required<Pick<CustomerDirectory, 'updatePreferences'>> {
  return typeof crm.updatePreferences === 'function' && crm.writesPreferences !== false;
}

/** Preference fields as the gateway writes them; only what is present changes. `consents` is the whole consented set. */
export interface PreferencePatch {
  readonly preferredChannel?: Channel | null;
  readonly consents?: readonly Channel[];
  readonly paperless?: boolean;
  readonly language?: string | null;
  readonly timeZone?: string | null;
  readonly quietHours?: QuietHours | null;
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
