import { PreferenceSource, type CustomerRecord, type QuietHours } from '../domain';
import { zoneOfCountry } from './quiet-hours';

export interface PreferencesView {
  preferredChannel: CustomerRecord['preferredChannel'];
  consents: CustomerRecord['consents'][number][];
  paperless: boolean;
  language: string | null;
  timeZone: string;
  quietHours: QuietHours | null;
  tracking: boolean;
  updatedAt: Date | null;
  source: PreferenceSource;
}

/** The customer's zone: their own choice, else the zone of their postal address country (UTC without one). */
export function timeZoneOf(customer: CustomerRecord): string {
  return customer.preferences?.timeZone ?? zoneOfCountry(customer.postalAddress?.country);
}

/** `Customer.preferences`: the overlay-merged record as the API shows it. */
export function preferencesOf(customer: CustomerRecord): PreferencesView {
  const own = customer.preferences;
  return {
    preferredChannel: customer.preferredChannel,
    consents: [...customer.consents],
    paperless: own?.paperless ?? false,
    language: own?.language ?? null,
    timeZone: timeZoneOf(customer),
    quietHours: own?.quietHours ? { ...own.quietHours } : null,
    tracking: own?.tracking ?? true,
    updatedAt: own?.updatedAt ?? null,
    source: own?.source ?? PreferenceSource.CRM,
  };
}
