import { createHash } from 'node:crypto';
import { Channel, PreferenceSource, type CustomerRecord, type PostalAddress, type QuietHours } from '../domain';

/** The fields of the overlay: only what was changed through the gateway is present; present wins over the CRM. */
export interface PreferenceValues {
  readonly preferredChannel?: Channel | null;
  readonly consents?: readonly Channel[];
  readonly paperless?: boolean;
  readonly language?: string | null;
  readonly timeZone?: string | null;
  readonly quietHours?: QuietHours | null;
  /**
   * false: this customer's emails carry no open pixel and no tracked links.
   * The gateway's own setting: stored in its own column and never written
   * through to the CRM (see `CRM_FIELDS`).
   */
  readonly tracking?: boolean;
}

export type PreferenceField = keyof PreferenceValues;

/** Fields in the order changes are recorded and written through. */
export const PREFERENCE_FIELDS: readonly PreferenceField[] = ['preferredChannel', 'consents', 'paperless', 'language', 'timeZone', 'quietHours', 'tracking'];

/** The fields the write-through sends to the CRM (`PreferencePatch`); a change of the others needs no write. */
export const CRM_FIELDS: ReadonlySet<string> = new Set<PreferenceField>(['preferredChannel', 'consents', 'paperless', 'language', 'timeZone', 'quietHours']);

/** Addresses a hard bounce or returned mail made unusable: SHA-256 of the address, so a new one from the CRM is usable again. */
export interface UnusableAddresses {
  readonly email?: string;
  readonly phone?: string;
  readonly postal?: string;
}

export type AddressKind = keyof UnusableAddresses;

/** The overlay as the rest of the gateway reads it. */
export interface PreferenceOverlay {
  readonly values: PreferenceValues;
  readonly unusable: UnusableAddresses;
  readonly source: PreferenceSource;
  readonly updatedAt: Date;
}

export function addressHash(value: string): string {
  return createHash('sha256').update(value.trim().toLowerCase()).digest('hex');
}

export function postalKey(address: PostalAddress): string {
  return [...address.lines, address.postalCode, address.city, address.country].join('\n');
}

/** Channels in the fixed order plans and answers use. */
const ORDER: readonly Channel[] = Object.values(Channel);
export const sortChannels = (channels: readonly Channel[]): Channel[] => [...new Set(channels)].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));

/**
 * The CRM's record with the overlay laid over it: overlay fields win, an
 * address marked unusable is dropped (so no channel plans on it), and
 * `preferences` carries what only the gateway keeps.
 */
export function applyOverlay(record: CustomerRecord, overlay: PreferenceOverlay | null): CustomerRecord {
  if (!overlay) {
    return { ...record, preferences: { paperless: false, language: null, timeZone: null, quietHours: null, tracking: true, source: PreferenceSource.CRM, updatedAt: null } };
  }
  const { values, unusable } = overlay;
  const has = (field: PreferenceField): boolean => Object.hasOwn(values, field);
  const usable = (kind: AddressKind, value: string | null): boolean => value === null || unusable[kind] === undefined || unusable[kind] !== addressHash(value);
  return {
    ...record,
    email: usable('email', record.email) ? record.email : null,
    phone: usable('phone', record.phone) ? record.phone : null,
    postalAddress: record.postalAddress && !usable('postal', postalKey(record.postalAddress)) ? null : record.postalAddress,
    preferredChannel: has('preferredChannel') ? values.preferredChannel ?? null : record.preferredChannel,
    consents: has('consents') ? sortChannels(values.consents ?? []) : record.consents,
    language: has('language') && values.language ? values.language : record.language,
    preferences: {
      paperless: values.paperless ?? false,
      language: values.language ?? null,
      timeZone: values.timeZone ?? null,
      quietHours: values.quietHours ?? null,
      tracking: values.tracking ?? true,
      source: overlay.source,
      updatedAt: overlay.updatedAt,
    },
  };
}

/** A field's value as the history shows it: channels comma-separated, quiet hours `21:00-08:00`, null as null. */
export function describeValue(field: PreferenceField, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (field) {
    case 'consents':
      return sortChannels(value as Channel[]).join(',');
    case 'quietHours': {
      const hours = value as QuietHours;
      return `${hours.start}-${hours.end}`;
    }
    default:
      return String(value);
  }
}
