import { NO_AUTH } from './auth/source.auth';
import { ConfiguredCrm } from './configured/crm.configured';
import { OperationRunner } from './configured/operation.runner';
import { defaultCrmSpec } from './default.specs';
import type { JsonHttpClient } from './http.client';
import type { Resilience } from './resilience';
import { RestSource } from './sources/rest.source';

export interface CrmRestConnectorOptions {
  /** Ids per `POST /customers/lookup`; the CRM accepts at most 500. Default 500. */
  readonly batchSize?: number;
  /** Largest page the CRM serves; a larger `first` is capped to it. Default 200. */
  readonly maxPageSize?: number;
  /** Language of customers whose record has none (BCP-47 primary subtag). Default 'en'. */
  readonly defaultLanguage?: string;
}

/** The simulated CRM's REST/JSON API through its default configuration, over a client the caller built. */
export class CrmRestConnector extends ConfiguredCrm {
  constructor(
    private readonly http: JsonHttpClient,
    resilience: Resilience,
    options: CrmRestConnectorOptions = {},
  ) {
    const spec = defaultCrmSpec();
    const { byIds, search } = spec.customers;
    super(
      {
        ...spec,
        defaultLanguage: options.defaultLanguage ?? spec.defaultLanguage,
        customers: {
          ...spec.customers,
          byIds: { ...byIds, maxBatch: options.batchSize ?? byIds.maxBatch },
          search: { ...search, paging: { ...search.paging, maxPageSize: options.maxPageSize ?? search.paging.maxPageSize } },
        },
      },
      new OperationRunner('crm', new RestSource(http, NO_AUTH), resilience),
      resilience,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
