import type { BackofficeData, CatalogProduct, ContractRow, CrmCustomer } from '../wire.types';

/*
 * The "legacy" flavour: the same generated people, contracts and products as
 * the default simulator, in the shapes of an older estate. Other names, other
 * codes, other types: mapping them is what config/backoffice.legacy.yaml does.
 */

/** A party of the SOAP CRM (PartyService). Codes: PartyType P/O; ContactPref EM/SM/LT/PO; OptIns `EM;SM;PO`. */
export interface LegacyParty {
  readonly PartyNo: string;
  readonly PartyType: 'P' | 'O';
  readonly Forename?: string;
  readonly Surname?: string;
  readonly OrgName?: string;
  readonly EMail?: string;
  readonly MobileNo?: string;
  /** Locale such as `fr_FR`, `de_CH`. */
  readonly Locale: string;
  /** RET, PRM, BUS */
  readonly Tier: string;
  readonly Addr?: { readonly Line1: string; readonly Line2?: string; readonly Zip: string; readonly City: string; readonly CountryIso: string };
  readonly ContactPref?: string;
  readonly OptIns?: string;
  /** Year the party became a client; only this system knows it (mapped to an attribute). */
  readonly ClientSince: string;
}

/** One row of `policy_register` (PostgreSQL): status codes ACT/SUS/END/NEW, DATE columns, NUMERIC premium. */
export interface LegacyPolicyRow {
  readonly policy_ref: string;
  readonly policy_no: string;
  readonly party_no: string;
  readonly article_no: string;
  readonly state: 'ACT' | 'SUS' | 'END' | 'NEW';
  /** YYYY-MM-DD */
  readonly valid_from: string;
  readonly valid_to: string | null;
  /** Decimal string, e.g. "12.90". */
  readonly premium: string;
  readonly premium_ccy: string;
  /** Collection channel, e.g. DIRECT_DEBIT, INVOICE; only this system knows it. */
  readonly payment_method: string;
}

/** An article of the offset-paged catalog REST API. */
export interface LegacyArticle {
  readonly articleNo: string;
  readonly sku: string;
  readonly title: string;
  readonly family: string;
  readonly blurb: string | null;
  readonly listPrice: { readonly amount: string; readonly ccy: string };
}

export interface LegacyData {
  readonly parties: readonly LegacyParty[];
  readonly policies: readonly LegacyPolicyRow[];
  readonly articles: readonly LegacyArticle[];
}

const TIERS: Readonly<Record<string, string>> = { retail: 'RET', premium: 'PRM', business: 'BUS' };
const CHANNELS: Readonly<Record<string, string>> = { email: 'EM', sms: 'SM', letter: 'LT', portal: 'PO' };
const STATES: Readonly<Record<ContractRow['STAT_CD'], LegacyPolicyRow['state']>> = { A: 'ACT', S: 'SUS', T: 'END', P: 'NEW' };
const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0 };

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function toLegacyParty(customer: CrmCustomer, index: number): LegacyParty {
  const country = customer.address?.countryCode ?? 'FR';
  const consents = customer.communication.consents;
  return defined({
    PartyNo: customer.customerId,
    PartyType: customer.type === 'BUSINESS' ? 'O' : 'P',
    Forename: customer.givenName ?? undefined,
    Surname: customer.familyName ?? undefined,
    OrgName: customer.organisationName ?? undefined,
    EMail: customer.contact.email ?? undefined,
    MobileNo: customer.contact.mobile ?? undefined,
    Locale: `${customer.preferredLanguage}_${country}`,
    Tier: TIERS[customer.segment] ?? 'RET',
    Addr: customer.address
      ? defined({ Line1: customer.address.street, Line2: customer.address.additional ?? undefined, Zip: customer.address.postcode, City: customer.address.town, CountryIso: customer.address.countryCode })
      : undefined,
    ContactPref: customer.communication.preferredChannel ? CHANNELS[customer.communication.preferredChannel] : undefined,
    OptIns: [consents.email ? 'EM' : null, consents.sms ? 'SM' : null, consents.portal ? 'PO' : null].filter(Boolean).join(';') || undefined,
    ClientSince: String(1990 + (index % 35)),
  });
}

function decimal(minor: number, currency: string): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  if (digits === 0) return String(minor);
  const magnitude = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${minor < 0 ? '-' : ''}${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
}

const isoDay = (ymd: string): string => `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}`;

export function toLegacyPolicy(row: ContractRow, index: number): LegacyPolicyRow {
  return {
    policy_ref: row.CNTR_ID,
    policy_no: row.CNTR_NO,
    party_no: row.CUST_REF,
    article_no: row.PROD_REF,
    state: STATES[row.STAT_CD],
    valid_from: isoDay(row.DT_START),
    valid_to: row.DT_END ? isoDay(row.DT_END) : null,
    premium: decimal(row.AMT_MONTHLY_CT, row.CCY_CD),
    premium_ccy: row.CCY_CD,
    payment_method: index % 3 === 0 ? 'INVOICE' : 'DIRECT_DEBIT',
  };
}

export function toLegacyArticle(product: CatalogProduct): LegacyArticle {
  return {
    articleNo: product.id,
    sku: product.code,
    title: product.name,
    family: product.category,
    blurb: product.description,
    listPrice: { amount: product.monthlyPrice.value, ccy: product.monthlyPrice.currency },
  };
}

export function toLegacyData(data: BackofficeData): LegacyData {
  return { parties: data.customers.map(toLegacyParty), policies: data.contracts.map(toLegacyPolicy), articles: data.products.map(toLegacyArticle) };
}
