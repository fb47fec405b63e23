import { HttpError } from './json.service';
import type { CrmChannel, CrmCustomer } from './wire.types';

/**
 * `PATCH /customers/{id}/preferences`: what the gateway writes through. Every
 * key is optional; what is given replaces the stored value. Consents are
 * merged channel by channel (`{"sms": false}` leaves email and portal alone).
 */
export interface CrmPreferencesPatch {
  readonly preferredChannel?: CrmChannel | null;
  readonly consents?: Readonly<Record<string, boolean>>;
  readonly preferredLanguage?: string;
  readonly paperless?: boolean;
  readonly timeZone?: string | null;
  readonly quietHours?: { readonly start: string; readonly end: string } | null;
}

const CHANNELS = new Set<string>(['email', 'sms', 'letter', 'portal', 'whatsapp', 'webhook']);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function bad(message: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', message);
}

/** The customer with the patch applied, or a 400 naming the first bad key; `now` becomes its `updatedAt`. */
export function patchPreferences(customer: CrmCustomer, body: unknown, now: Date): CrmCustomer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body: expected a JSON object of preference fields');
  const patch = body as Record<string, unknown>;
  const communication: Record<string, unknown> = { ...customer.communication };
  let language = customer.preferredLanguage;
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'preferredChannel':
        if (value !== null && !(typeof value === 'string' && CHANNELS.has(value))) throw bad(`preferredChannel: expected one of ${[...CHANNELS].join(', ')} or null, got ${JSON.stringify(value)}`);
        communication.preferredChannel = value;
        break;
      case 'consents': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('consents: expected an object of channel: boolean');
        const consents: Record<string, boolean> = { ...customer.communication.consents };
        for (const [channel, given] of Object.entries(value)) {
          if (!CHANNELS.has(channel) || channel === 'letter' || typeof given !== 'boolean') throw bad(`consents.${channel}: expected a digital channel with true or false, got ${JSON.stringify(given)}`);
          consents[channel] = given;
        }
        communication.consents = consents;
        break;
      }
      case 'preferredLanguage':
        if (typeof value !== 'string' || !/^[a-z]{2,3}$/.test(value)) throw bad(`preferredLanguage: expected a language code such as "fr", got ${JSON.stringify(value)}`);
        language = value;
        break;
      case 'paperless':
        if (typeof value !== 'boolean') throw bad(`paperless: expected true or false, got ${JSON.stringify(value)}`);
        communication.paperless = value;
        break;
      case 'timeZone':
        if (value !== null && (typeof value !== 'string' || value.length > 64)) throw bad(`timeZone: expected an IANA zone name or null, got ${JSON.stringify(value)}`);
        communication.timeZone = value;
        break;
      case 'quietHours': {
        const hours = value as { start?: unknown; end?: unknown } | null;
        if (hours !== null && (typeof hours !== 'object' || !TIME.test(String(hours.start)) || !TIME.test(String(hours.end)))) {
          throw bad(`quietHours: expected {"start": "HH:MM", "end": "HH:MM"} or null, got ${JSON.stringify(value)}`);
        }
        communication.quietHours = hours === null ? null : { start: String(hours.start), end: String(hours.end) };
        break;
      }
      default:
        throw bad(`${key}: unknown preference (expected preferredChannel, consents, preferredLanguage, paperless, timeZone, quietHours)`);
    }
  }
  return { ...customer, preferredLanguage: language, communication: communication as CrmCustomer['communication'], updatedAt: now.toISOString() };
}
