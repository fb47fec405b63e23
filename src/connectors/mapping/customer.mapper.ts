import { Channel, type CustomerRecord, type PostalAddress } from '../../domain';
import { primaryLanguage, toE164 } from '../crm.mapping';
import type { CustomerMap, FieldSpec } from '../spec/backoffice.schema';
import { attributeSlots, compileField, MappingError, Slots, toFlag, toText, type RecordMapper } from './field.compile';

export type CustomerMapper = RecordMapper<CustomerRecord>;

const CHANNELS = Object.values(Channel) as string[];

function channelOf(value: unknown): Channel | null {
  if (typeof value !== 'string') return null;
  const upper = value.trim().toUpperCase();
  return CHANNELS.includes(upper) ? (upper as Channel) : null;
}

function texts(value: unknown, into: string[]): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    const text = toText(item);
    if (text !== null) into.push(text);
  }
}

/**
 * Source record → CustomerRecord by the declared map, then the gateway's own
 * rules, whatever the source: text trimmed (blank is null), the phone made
 * E.164 with the address's country (dropped when that cannot be done safely),
 * the language reduced to its primary subtag (`defaultLanguage` when missing),
 * channels matched by name ignoring case, consents in the Channel order, no
 * postal address when the source has none of its parts.
 */
export function compileCustomerMapper(map: CustomerMap, defaultLanguage: string): CustomerMapper {
  const slots = new Slots();
  const field = (spec: FieldSpec | undefined, name: string): number => (spec === undefined ? -1 : slots.add(compileField(spec, `customer ${name}`)));
  const id = field(map.id, 'id');
  const kind = field(map.kind, 'kind');
  const firstName = field(map.firstName, 'firstName');
  const lastName = field(map.lastName, 'lastName');
  const companyName = field(map.companyName, 'companyName');
  const email = field(map.email, 'email');
  const phone = field(map.phone, 'phone');
  const language = field(map.language, 'language');
  const segment = field(map.segment, 'segment');
  const preferred = field(map.preferredChannel, 'preferredChannel');
  const webhookUrl = field(map.webhookUrl, 'webhookUrl');
  const consents = map.consents;
  // One expression giving the consented channels, or one flag per channel.
  const consentList = typeof consents === 'string' ? slots.add(compileField(consents, 'customer consents')) : -1;
  const flags = consents && typeof consents === 'object'
    ? CHANNELS.flatMap((c) => (consents[c as Channel] === undefined ? [] : [[c as Channel, slots.add(compileField(consents[c as Channel] as FieldSpec, `customer consents.${c}`))] as const]))
    : [];
  const address = map.postalAddress;
  const lines = address ? (Array.isArray(address.lines) ? address.lines : [address.lines]).map((line, i) => slots.add(compileField(line, `customer postalAddress.lines.${i}`))) : [];
  const postalCode = field(address?.postalCode, 'postalAddress.postalCode');
  const city = field(address?.city, 'postalAddress.city');
  const country = field(address?.country, 'postalAddress.country');
  const attributes = attributeSlots(map.attributes, 'customer', slots);
  const at = (v: readonly unknown[], slot: number): unknown => (slot < 0 ? undefined : v[slot]);

  const build = (v: readonly unknown[]): CustomerRecord => {
    const customerId = toText(v[id]);
    if (!customerId) throw new MappingError('customer id: expected a value, got nothing');
    let postalAddress: PostalAddress | null = null;
    if (address) {
      const addressLines: string[] = [];
      for (const line of lines) texts(v[line], addressLines);
      const code = toText(v[postalCode]);
      const town = toText(v[city]);
      // No address at all in the source: no postal address, rather than an empty one.
      if (addressLines.length > 0 || code !== null || town !== null) {
        postalAddress = { lines: addressLines, postalCode: code ?? '', city: town ?? '', country: (toText(v[country]) ?? '').toUpperCase() };
      }
    }
    let given: Channel[];
    if (consentList >= 0) {
      const value = v[consentList];
      const listed = (Array.isArray(value) ? value : [value]).map(channelOf);
      given = CHANNELS.filter((c) => listed.includes(c as Channel)) as Channel[];
    } else {
      given = [];
      for (const [channel, slot] of flags) if (toFlag(v[slot])) given.push(channel);
    }
    const record: CustomerRecord = {
      id: customerId,
      kind: at(v, kind) === 'company' ? 'company' : 'person',
      firstName: toText(at(v, firstName)),
      lastName: toText(at(v, lastName)),
      companyName: toText(at(v, companyName)),
      email: toText(at(v, email)),
      phone: toE164(toText(at(v, phone)), postalAddress?.country ?? null),
      language: primaryLanguage(toText(at(v, language)), defaultLanguage),
      segment: toText(at(v, segment)),
      postalAddress,
      preferredChannel: channelOf(at(v, preferred)),
      consents: given,
      webhookUrl: toText(at(v, webhookUrl)),
    };
    const extra = attributes(v);
    return extra ? { ...record, attributes: extra } : record;
  };
  return slots.mapper(build);
}
