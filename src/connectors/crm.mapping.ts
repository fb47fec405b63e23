import { Channel, type CustomerRecord, type PostalAddress } from '../domain';

/** The CRM's customer as it travels on the wire (see the CRM interface description). */
export interface CrmCustomer {
  readonly customerId: string;
  readonly type: 'PRIVATE' | 'BUSINESS';
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly organisationName: string | null;
  readonly contact: { readonly email: string | null; readonly mobile: string | null } | null;
  readonly address: {
    readonly street: string;
    readonly additional: string | null;
    readonly postcode: string;
    readonly town: string;
    readonly countryCode: string;
  } | null;
  readonly preferredLanguage: string | null;
  readonly segment: string | null;
  readonly communication: {
    readonly preferredChannel: string | null;
    readonly consents: { readonly email?: boolean; readonly sms?: boolean; readonly portal?: boolean; readonly whatsapp?: boolean; readonly webhook?: boolean } | null;
    readonly documentEndpoint?: string | null;
  } | null;
}

const CHANNELS: Readonly<Record<string, Channel>> = {
  email: Channel.EMAIL,
  sms: Channel.SMS,
  letter: Channel.LETTER,
  portal: Channel.PORTAL,
  whatsapp: Channel.WHATSAPP,
  webhook: Channel.WEBHOOK,
};

/**
 * Country calling codes for national numbers (trunk prefix 0) of the countries
 * the CRM serves; a national number from elsewhere cannot be made E.164 safely
 * and is dropped rather than guessed.
 */
const CALLING_CODES: Readonly<Record<string, string>> = {
  AT: '43', BE: '32', CH: '41', DE: '49', FR: '33', GB: '44', LU: '352', NL: '31',
};

const E164 = /^\+[1-9]\d{6,14}$/;

/** `+33 6 12-34-56-78`, `0033612345678` and (in FR) `06 12 34 56 78` all become `+33612345678`; null when unsure. */
export function toE164(raw: string | null | undefined, country: string | null): string | null {
  if (!raw) return null;
  const compact = raw.replace(/[\s().\-/]/g, '');
  let number = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  if (!number.startsWith('+')) {
    const code = country ? CALLING_CODES[country.toUpperCase()] : undefined;
    if (!code || !/^\d+$/.test(number)) return null;
    number = `+${code}${number.replace(/^0/, '')}`;
  }
  return E164.test(number) ? number : null;
}

function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** BCP-47 primary subtag, lower case: `fr-CH` → `fr`; the fallback when missing or malformed. */
export function primaryLanguage(tag: string | null | undefined, fallback: string): string {
  const primary = tag?.trim().split(/[-_]/)[0].toLowerCase() ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : fallback;
}

function postalAddress(address: CrmCustomer['address']): PostalAddress | null {
  if (!address) return null;
  const lines = [text(address.street), text(address.additional)].filter((line): line is string => line !== null);
  return { lines, postalCode: address.postcode.trim(), city: address.town.trim(), country: address.countryCode.trim().toUpperCase() };
}

/** Maps the CRM's shape to the gateway's; `defaultLanguage` stands in for a missing or malformed language. */
export function toCustomerRecord(customer: CrmCustomer, defaultLanguage: string): CustomerRecord {
  const address = postalAddress(customer.address);
  const consents = customer.communication?.consents ?? {};
  const preferred = customer.communication?.preferredChannel;
  return {
    id: customer.customerId,
    kind: customer.type === 'BUSINESS' ? 'company' : 'person',
    firstName: text(customer.givenName),
    lastName: text(customer.familyName),
    companyName: text(customer.organisationName),
    email: text(customer.contact?.email),
    phone: toE164(customer.contact?.mobile, address?.country ?? null),
    language: primaryLanguage(customer.preferredLanguage, defaultLanguage),
    segment: text(customer.segment),
    postalAddress: address,
    preferredChannel: preferred ? CHANNELS[preferred.toLowerCase()] ?? null : null,
    // LETTER needs no consent, so only the digital channels appear here, in a fixed order.
    consents: [
      ...(consents.email ? [Channel.EMAIL] : []),
      ...(consents.sms ? [Channel.SMS] : []),
      ...(consents.portal ? [Channel.PORTAL] : []),
      ...(consents.whatsapp ? [Channel.WHATSAPP] : []),
      ...(consents.webhook ? [Channel.WEBHOOK] : []),
    ],
    webhookUrl: text(customer.communication?.documentEndpoint),
  };
}
