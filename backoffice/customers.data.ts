import { COMPANY_PATTERNS, FAMILY_NAMES, GIVEN_NAMES, LEGAL_FORMS, asciiFold, emailSlug } from './names.data';
import { COUNTRIES, LANGUAGES, randomAddress, randomMobile, type CountryCode } from './places.data';
import { RandomSource } from './random.source';
import type { CrmChannel, CrmCustomer } from './wire.types';

/** Traits forced on a customer; whatever is not forced is drawn at random. */
interface Traits {
  readonly type?: 'PRIVATE' | 'BUSINESS';
  readonly country?: CountryCode;
  readonly email?: boolean;
  readonly mobile?: boolean;
  readonly address?: boolean;
  readonly contactPerson?: boolean;
  readonly preferredChannel?: null;
}

/**
 * The first customers have fixed traits whatever the seed, so tests and demos can
 * name them (listed in the README). Their names and numbers still follow the seed.
 */
const FIXED_TRAITS: Readonly<Record<number, Traits>> = {
  2: { type: 'BUSINESS', country: 'FR', email: true, mobile: true, address: true, contactPerson: true },
  3: { type: 'PRIVATE', email: false, mobile: true, address: true },
  4: { type: 'PRIVATE', email: true, mobile: false, address: true },
  5: { type: 'PRIVATE', email: false, mobile: false, address: true },
  6: { type: 'PRIVATE', email: true, mobile: true, address: false },
  7: { type: 'PRIVATE', country: 'DE', email: true, mobile: true, address: true },
  8: { type: 'PRIVATE', country: 'GB', email: true, mobile: true, address: true },
  9: { type: 'BUSINESS', email: true, address: true, contactPerson: false },
  10: { type: 'PRIVATE', email: true, mobile: true, address: true, preferredChannel: null },
};

/** C0000001 is the same complete private customer for every seed: the one examples and smoke tests use. */
export function firstCustomer(): CrmCustomer {
  return {
    customerId: 'C0000001',
    type: 'PRIVATE',
    givenName: 'Claire',
    familyName: 'Martin',
    organisationName: null,
    contact: { email: 'claire.martin@example.com', mobile: '+33612345678' },
    address: { street: '12 rue des Lilas', additional: null, postcode: '69003', town: 'Lyon', countryCode: 'FR' },
    preferredLanguage: 'fr',
    segment: 'retail',
    communication: { preferredChannel: 'email', consents: { email: true, sms: true, portal: true } },
    updatedAt: '2026-03-01T10:00:00.000Z',
  };
}

const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

export function customerId(index: number): string {
  return `C${String(index).padStart(7, '0')}`;
}

function domainSlug(text: string): string {
  return asciiFold(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** E-mail addresses are unique; every domain is reserved for examples (RFC 2606), so nothing can reach a real inbox. */
function uniqueEmail(rng: RandomSource, used: Set<string>, local: string, domain: string): string {
  let candidate = `${local}@${domain}`;
  while (used.has(candidate)) candidate = `${local}${rng.int(2, 999)}@${domain}`;
  used.add(candidate);
  return candidate;
}

/** How often each usable channel is the preferred one. */
const CHANNEL_WEIGHTS: Readonly<Record<CrmChannel, number>> = { email: 45, sms: 25, letter: 20, portal: 10 };

function preferredChannel(rng: RandomSource, usable: readonly CrmChannel[]): CrmChannel | null {
  if (usable.length === 0 || rng.chance(0.1)) return null;
  let total = 0;
  for (const channel of usable) total += CHANNEL_WEIGHTS[channel];
  let roll = rng.next() * total;
  for (const channel of usable) {
    roll -= CHANNEL_WEIGHTS[channel];
    if (roll < 0) return channel;
  }
  return usable[usable.length - 1];
}

/** State shared by one generation run: the random stream, e-mail addresses taken, slugs already folded. */
interface Run {
  readonly rng: RandomSource;
  readonly used: Set<string>;
  readonly slugs: Map<string, string>;
  readonly asOf: number;
}

function slugOf(run: Run, name: string): string {
  let slug = run.slugs.get(name);
  if (slug === undefined) run.slugs.set(name, (slug = emailSlug(name)));
  return slug;
}

function generateCustomer(run: Run, index: number, traits: Traits): CrmCustomer {
  const { rng, used } = run;
  const type = traits.type ?? (rng.chance(0.2) ? 'BUSINESS' : 'PRIVATE');
  const country = traits.country ?? rng.weighted(COUNTRIES);
  const language = rng.weighted(LANGUAGES[country]);
  const withPerson = type === 'PRIVATE' || (traits.contactPerson ?? rng.chance(0.6));
  const familyName = rng.pick(FAMILY_NAMES[language]);
  const givenName = withPerson ? rng.pick(GIVEN_NAMES[language]) : null;
  let organisationName: string | null = null;
  let email: string | null = null;
  const hasEmail = traits.email ?? rng.chance(0.9);
  if (type === 'BUSINESS') {
    const trade = rng.pick(COMPANY_PATTERNS[language]).replace('{name}', rng.pick(FAMILY_NAMES[language]));
    const legal = LEGAL_FORMS[`${country}-${language}`] ?? ['Ltd'];
    organisationName = `${trade} ${rng.pick(legal)}`;
    if (hasEmail) {
      email = uniqueEmail(rng, used, rng.pick(['info', 'contact', 'office', 'accounts']), `${domainSlug(trade)}.example`);
    }
  } else if (hasEmail) {
    const g = slugOf(run, givenName!);
    const f = slugOf(run, familyName);
    const style = rng.int(0, 4);
    const local = style <= 1 ? `${g}.${f}` : style === 2 ? `${g[0]}.${f}` : style === 3 ? `${g}${f}` : `${f}.${g}`;
    email = uniqueEmail(rng, used, local, rng.pick(EMAIL_DOMAINS));
  }
  const mobile = (traits.mobile ?? rng.chance(0.85)) ? randomMobile(rng, country) : null;
  const address = (traits.address ?? rng.chance(0.98)) ? randomAddress(rng, country, language) : null;
  const consents = { email: email !== null && rng.chance(0.75), sms: mobile !== null && rng.chance(0.55), portal: rng.chance(0.4) };
  const usable = (['email', 'sms', 'portal'] as const).filter((c) => consents[c]) as CrmChannel[];
  if (address) usable.push('letter');
  const preferred = traits.preferredChannel === null ? null : preferredChannel(rng, usable);
  const segment = type === 'BUSINESS' ? 'business' : rng.chance(0.18) ? 'premium' : 'retail';
  const updatedAt = new Date(run.asOf - rng.int(0, 3 * 365 * 86_400) * 1000 - rng.int(0, 999)).toISOString();
  return {
    customerId: customerId(index),
    type,
    givenName,
    familyName: withPerson ? familyName : null,
    organisationName,
    contact: { email, mobile },
    address,
    preferredLanguage: language,
    segment,
    communication: { preferredChannel: preferred, consents },
    updatedAt,
  };
}

/**
 * `count` customers, C0000001 upwards. Drawn from their own random stream, one after
 * the other, so the first n customers are the same whatever `count` is.
 */
export function generateCustomers(seed: number, count: number, asOf: Date, webhookBaseUrl: string | null = null): CrmCustomer[] {
  const first = firstCustomer();
  const run: Run = {
    rng: RandomSource.forStream(seed, 'customers'),
    used: new Set([first.contact.email!]),
    slugs: new Map(),
    asOf: asOf.getTime(),
  };
  const customers: CrmCustomer[] = count > 0 ? [first] : [];
  for (let index = 2; index <= count; index += 1) customers.push(generateCustomer(run, index, FIXED_TRAITS[index] ?? {}));
  return withNewerChannels(seed, customers, webhookBaseUrl);
}

/**
 * WhatsApp consent (about a third of the customers with a mobile number) and,
 * for about half of the business customers, a registered document endpoint
 * (most with WEBHOOK consent). Drawn from a stream of their own after the
 * rest, so every other field is what it was before these channels existed.
 * Endpoints are `https://erp-<id>.example/documents`, or `<webhookBaseUrl>/<id>`
 * to point them at a local receiver.
 */
function withNewerChannels(seed: number, customers: CrmCustomer[], webhookBaseUrl: string | null): CrmCustomer[] {
  const rng = RandomSource.forStream(seed, 'customer-channels');
  return customers.map((customer, index) => {
    const whatsapp = rng.chance(0.35);
    const endpoint = rng.chance(0.5);
    const webhook = rng.chance(0.8);
    if (index === 0) return customer; // C0000001 keeps its documented record
    const business = customer.type === 'BUSINESS' && endpoint;
    const id = customer.customerId;
    const consents = {
      ...customer.communication.consents,
      ...(customer.contact.mobile !== null && whatsapp ? { whatsapp: true } : {}),
      ...(business && webhook ? { webhook: true } : {}),
    };
    const documentEndpoint = webhookBaseUrl ? `${webhookBaseUrl.replace(/\/+$/, '')}/${id}` : `https://erp-${id.toLowerCase()}.example/documents`;
    return { ...customer, communication: { ...customer.communication, consents, ...(business ? { documentEndpoint } : {}) } };
  });
}
