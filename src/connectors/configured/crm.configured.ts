import { Channel, type CustomerRecord } from '../../domain';
import { badInput } from '../../errors';
import { uniqueIds } from '../batch.util';
import type { CallContext, CustomerDirectory, Page, PageRequest, PreferencePatch } from '../backoffice';
import { compileCustomerMapper, type CustomerMapper } from '../mapping/customer.mapper';
import type { BreakerState, Resilience } from '../resilience';
import type { CrmSpec } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';
import type { OperationRunner } from './operation.runner';
import { RecordCache, type RecordCacheOptions } from './record.cache';

const MAX_SEARCH_LENGTH = 200;

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

  /** Whether the configuration declares a preference write-through (`updatePreferences`). */
  get writesPreferences(): boolean {
    return this.spec.customers.updatePreferences !== undefined;
  }

  /** `customers.byPhone`, placeholder `{phone}` (E.164); no operation declared: nobody (inbound messages stay unmatched). */
  async findByPhone(phone: string, call?: CallContext): Promise<readonly CustomerRecord[]> {
    const op = this.spec.customers.byPhone;
    if (!op) return [];
    return this.runner.lookup(op, { phone }, this.map, call);
  }

  /**
   * Writes the gateway's preferences through (`customers.updatePreferences`).
   * Placeholders: `{id}`; `{preferredChannel}` (lower case, null: none);
   * `{consents}` (an object `{"email": true, "sms": false, …}` of every
   * channel that takes consent) and `{consentList}` (the consented channels,
   * upper case); `{language}`, `{paperless}`, `{timeZone}`, `{quietHours}`
   * (`{"start": "21:00", "end": "08:00"}` or null). Only the fields of the
   * patch are set; a field left out of the call is left as it is. False when
   * the CRM answers 404 (no such customer).
   */
  async updatePreferences(customerId: string, patch: PreferencePatch, call?: CallContext): Promise<boolean> {
    const op = this.spec.customers.updatePreferences;
    if (!op) throw new RangeError('backoffice.crm.customers.updatePreferences: expected an operation, got nothing');
    const vars: Record<string, unknown> = { id: customerId };
    if (patch.preferredChannel !== undefined) vars.preferredChannel = patch.preferredChannel?.toLowerCase() ?? null;
    if (patch.consents !== undefined) {
      const given = new Set(patch.consents);
      vars.consents = Object.fromEntries(Object.values(Channel).filter((c) => c !== Channel.LETTER).map((c) => [c.toLowerCase(), given.has(c)]));
      vars.consentList = [...given];
    }
    if (patch.language) vars.language = patch.language;
    if (patch.paperless !== undefined) vars.paperless = patch.paperless;
    if (patch.timeZone !== undefined) vars.timeZone = patch.timeZone;
    if (patch.quietHours !== undefined) vars.quietHours = patch.quietHours;
    try {
      await this.runner.write(op, vars, call);
      return true;
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 404) return false;
      throw error;
    } finally {
      // Written (or perhaps written, when the call failed): the next read asks the CRM.
      this.cache.forget([customerId]);
    }
  }
}
