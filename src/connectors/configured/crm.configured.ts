import type { CustomerRecord } from '../../domain';
import { badInput } from '../../errors';
import { uniqueIds } from '../batch.util';
import type { CallContext, CustomerDirectory, Page, PageRequest } from '../backoffice';
import { compileCustomerMapper, type CustomerMapper } from '../mapping/customer.mapper';
import type { BreakerState, Resilience } from '../resilience';
import type { CrmSpec } from '../spec/backoffice.schema';
import type { OperationRunner } from './operation.runner';
import { RecordCache, type RecordCacheOptions } from './record.cache';

const MAX_SEARCH_LENGTH = 200;

/** What a preference write-through sends: the placeholders {preferredChannel} and {consents} of the operation. */
export interface PreferencesUpdate {
  readonly preferredChannel?: string | null;
  readonly consents?: readonly string[];
}

/** The CRM as its configuration describes it: customers by ids, search, preference write-through. */
export class ConfiguredCrm implements CustomerDirectory {
  private readonly map: CustomerMapper;

  /** Customers (and unknown ids) by id, for `cacheTtlMs`; off by default. */
  private readonly cache: RecordCache<CustomerRecord | null>;

  constructor(
    private readonly spec: CrmSpec,
    private readonly runner: OperationRunner,
    private readonly resilience: Resilience,
    options: RecordCacheOptions = { cacheTtlMs: 0 },
  ) {
    this.map = compileCustomerMapper(spec.customers.map, spec.defaultLanguage ?? 'en');
    this.cache = new RecordCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  async getCustomers(ids: readonly string[], call?: CallContext): Promise<readonly (CustomerRecord | null)[]> {
    if (ids.length === 0) return [];
    const found = await this.cache.load(
      uniqueIds(ids),
      async (missing) => new Map((await this.runner.byIds(this.spec.customers.byIds, missing, this.map, call)).map((record) => [record.id, record])),
      null,
    );
    return ids.map((id) => found.get(id) ?? null);
  }

  async searchCustomers(request: PageRequest & { readonly search?: string | null }, call?: CallContext): Promise<Page<CustomerRecord>> {
    if (!Number.isInteger(request.first) || request.first < 1) {
      throw badInput(`first: expected an integer ≥ 1, got ${request.first}`, 'first');
    }
    const search = request.search?.trim() ?? '';
    if (search.length > MAX_SEARCH_LENGTH) {
      throw badInput(`search: expected at most ${MAX_SEARCH_LENGTH} characters, got ${search.length}`, 'search');
    }
    return this.runner.page(this.spec.customers.search, { first: request.first, after: request.after, filter: { name: 'search', value: search } }, this.map, call);
  }

  /** Whether the configuration declares a preference write-through. */
  get writesPreferences(): boolean {
    return this.spec.customers.updatePreferences !== undefined;
  }

  /** Writes a customer's preferences through to the CRM (`updatePreferences`); not retried. */
  async updatePreferences(customerId: string, update: PreferencesUpdate, call?: CallContext): Promise<void> {
    const op = this.spec.customers.updatePreferences;
    if (!op) throw new RangeError('backoffice.crm.customers.updatePreferences: expected an operation, got nothing');
    try {
      await this.runner.write(op, { id: customerId, preferredChannel: update.preferredChannel ?? null, consents: update.consents ?? undefined }, call);
    } finally {
      // Written (or perhaps written, when the call failed): the next read asks the CRM.
      this.cache.forget([customerId]);
    }
  }
}
