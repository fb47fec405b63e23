/**
 * The back-office systems' own record shapes, exactly as they travel on the wire
 * (CRM and catalog JSON) or sit in the table (contract system). They deliberately
 * differ from the gateway's domain types: mapping them is the connectors' job.
 */

export type CrmChannel = 'email' | 'sms' | 'letter' | 'portal';

export interface CrmAddress {
  readonly street: string;
  readonly additional: string | null;
  readonly postcode: string;
  readonly town: string;
  /** ISO 3166-1 alpha-2 */
  readonly countryCode: string;
}

export interface CrmCustomer {
  readonly customerId: string;
  readonly type: 'PRIVATE' | 'BUSINESS';
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly organisationName: string | null;
  readonly contact: { readonly email: string | null; readonly mobile: string | null };
  readonly address: CrmAddress | null;
  readonly preferredLanguage: string;
  readonly segment: string;
  readonly communication: {
    readonly preferredChannel: CrmChannel | null;
    /** `whatsapp` and `webhook` appear only when given (most records predate those channels). */
    readonly consents: { readonly email: boolean; readonly sms: boolean; readonly portal: boolean; readonly whatsapp?: boolean; readonly webhook?: boolean };
    /** HTTPS endpoint a business customer registered for its documents (ERP, e-invoicing inbox); absent: none. */
    readonly documentEndpoint?: string;
    /** Set once written through `PATCH /customers/{id}/preferences`. */
    readonly paperless?: boolean;
    readonly timeZone?: string | null;
    readonly quietHours?: { readonly start: string; readonly end: string } | null;
  };
  /** ISO-8601 with milliseconds, UTC */
  readonly updatedAt: string;
}

export interface CatalogProduct {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly description: string | null;
  /** Decimal string with two fractional digits, never a float. */
  readonly monthlyPrice: { readonly value: string; readonly currency: string };
}

export type ContractStatusCode = 'A' | 'S' | 'T' | 'P';

/** One row of the legacy `CNTR_MASTER` table. */
export interface ContractRow {
  readonly CNTR_ID: string;
  readonly CNTR_NO: string;
  readonly CUST_REF: string;
  readonly PROD_REF: string;
  readonly STAT_CD: ContractStatusCode;
  /** `YYYYMMDD` */
  readonly DT_START: string;
  /** `YYYYMMDD`, set for terminated contracts only */
  readonly DT_END: string | null;
  /** Monthly amount in minor units (cents, Rappen, pence). */
  readonly AMT_MONTHLY_CT: number;
  /** ISO 4217 */
  readonly CCY_CD: string;
}

export interface BackofficeData {
  readonly customers: readonly CrmCustomer[];
  readonly products: readonly CatalogProduct[];
  readonly contracts: readonly ContractRow[];
}
