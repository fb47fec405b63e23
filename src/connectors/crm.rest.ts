import type { CustomerRecord } from '../domain';
import { badInput } from '../errors';
import { chunk, uniqueIds } from './batch.util';
import type { CustomerDirectory, Page, PageRequest } from './backoffice';
import { toCustomerRecord, type CrmCustomer } from './crm.mapping';
import type { JsonHttpClient } from './http.client';
import type { BreakerState, Resilience } from './resilience';
import { UpstreamError } from './upstream.error';

export interface CrmRestConnectorOptions {
  /** Ids per `POST /customers/lookup`; the CRM accepts at most 500. Default 500. */
  readonly batchSize?: number;
  /** Largest page the CRM serves; a larger `first` is capped to it. Default 200. */
  readonly maxPageSize?: number;
  /** Language of customers whose record has none (BCP-47 primary subtag). Default 'en'. */
  readonly defaultLanguage?: string;
}

interface LookupAnswer {
  readonly data: readonly CrmCustomer[];
  readonly missing?: readonly string[];
}

interface SearchAnswer {
  readonly data: readonly CrmCustomer[];
  readonly page: { readonly total: number; readonly nextCursor: string | null };
}

const MAX_SEARCH_LENGTH = 200;

/** The CRM over REST/JSON: batch lookup by id, search with cursor paging. */
export class CrmRestConnector implements CustomerDirectory {
  private readonly batchSize: number;
  private readonly maxPageSize: number;
  private readonly defaultLanguage: string;

  constructor(
    private readonly http: JsonHttpClient,
    private readonly resilience: Resilience,
    options: CrmRestConnectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxPageSize = options.maxPageSize ?? 200;
    this.defaultLanguage = options.defaultLanguage ?? 'en';
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  /** One lookup call per 500 distinct ids, in parallel; answers in key order, null for unknown ids. */
  async getCustomers(ids: readonly string[]): Promise<readonly (CustomerRecord | null)[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, CustomerRecord>();
    await Promise.all(
      chunk(uniqueIds(ids), this.batchSize).map((batch) =>
        this.resilience.run(async (signal) => {
          const route = 'POST /customers/lookup';
          const answer = await this.http.post<LookupAnswer>('/customers/lookup', { ids: batch }, { signal, route });
          if (!Array.isArray(answer?.data)) throw this.malformed(route, 'expected {"data": [...]}');
          for (const customer of answer.data) found.set(customer.customerId, toCustomerRecord(customer, this.defaultLanguage));
        }, { idempotent: true }),
      ),
    );
    return ids.map((id) => found.get(id) ?? null);
  }

  async searchCustomers(request: PageRequest & { readonly search?: string | null }): Promise<Page<CustomerRecord>> {
    if (!Number.isInteger(request.first) || request.first < 1) {
      throw badInput(`first: expected an integer ≥ 1, got ${request.first}`, 'first');
    }
    const search = request.search?.trim() ?? '';
    if (search.length > MAX_SEARCH_LENGTH) {
      throw badInput(`search: expected at most ${MAX_SEARCH_LENGTH} characters, got ${search.length}`, 'search');
    }
    return this.resilience.run(async (signal) => {
      const route = 'GET /customers';
      let answer: SearchAnswer;
      try {
        answer = await this.http.get<SearchAnswer>('/customers', {
          signal,
          route,
          query: { search, limit: Math.min(request.first, this.maxPageSize), cursor: request.after },
        });
      } catch (error) {
        // Search and limit are checked above, so a refusal can only be the cursor.
        if (error instanceof UpstreamError && error.status === 400) {
          throw badInput('after: expected a cursor returned by the previous page of this search', 'after');
        }
        throw error;
      }
      if (!Array.isArray(answer?.data) || typeof answer.page?.total !== 'number') {
        throw this.malformed(route, 'expected {"data": [...], "page": {"total": n, "nextCursor": ...}}');
      }
      return {
        items: answer.data.map((customer) => toCustomerRecord(customer, this.defaultLanguage)),
        totalCount: answer.page.total,
        nextCursor: answer.page.nextCursor ?? null,
      };
    }, { idempotent: true });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private malformed(route: string, expected: string): UpstreamError {
    return new UpstreamError('crm', route, 'protocol', false, `answer of an unexpected shape (${expected})`);
  }
}
