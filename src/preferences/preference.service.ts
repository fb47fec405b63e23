import { Channel, PreferenceSource, type CustomerRecord, type QuietHours } from '../domain';
import { badInput, notFound } from '../errors';
import type { CustomerDirectory } from '../connectors/backoffice';
import type { Principal } from '../services/principal';
import { overlayOf, type PreferenceRepository, type PreferenceUpdate } from '../store/preference.repository';
import type { CustomerPreferenceEntity } from '../store/customer-preference.entity';
import { isTimeZone, whyBadQuietHours } from './quiet-hours';
import { applyOverlay, CRM_FIELDS, sortChannels, type AddressKind, type PreferenceValues } from './preference.values';

/** `updatePreferences` input as the schema delivers it: absent = unchanged; null where the schema allows it = back to the default. */
export interface PreferencesChange {
  readonly preferredChannel?: Channel | null;
  readonly consents?: readonly Channel[] | null;
  readonly paperless?: boolean | null;
  readonly language?: string | null;
  readonly timeZone?: string | null;
  readonly quietHours?: QuietHours | null;
  readonly tracking?: boolean | null;
}

/** What a change was made by, when it is not a principal: an inbound keyword, a bounce, returned mail. */
export interface SystemActor {
  readonly source: PreferenceSource;
  readonly actor: string;
}

export interface PreferenceServiceOptions {
  readonly repository: PreferenceRepository;
  /** The CRM itself (not the overlay directory): its own values are what the overlay is compared with. */
  readonly crm: CustomerDirectory;
  /** Languages the templates have; a language outside them is refused. */
  readonly languages: () => readonly string[];
  /** Hands a changed overlay to the write-through; null: the CRM takes no writes. */
  readonly sync: { enqueue(customerId: string, version: number): Promise<void> } | null;
  readonly logger?: { warn(obj: object, msg: string): void };
}

const MAX_REASON = 500;

/** Where a principal's change comes from: the desk, the portal, or a system calling the API. */
export function sourceOf(principal: Principal): PreferenceSource {
  switch (principal.role) {
    case 'portal':
      return PreferenceSource.PORTAL;
    case 'service':
      return PreferenceSource.API;
    default:
      return PreferenceSource.AGENT;
  }
}

/**
 * The preference centre's write side: checks a change completely, records it
 * in the overlay with its history (one transaction), then hands it to the
 * write-through. A CRM that refuses the write later loses nothing: the
 * overlay already wins and the job retries.
 */
export class PreferenceService {
  constructor(private readonly options: PreferenceServiceOptions) {}

  /** agent/admin: any customer (AGENT); portal: its own only, else NOT_FOUND (PORTAL); service: API. */
  async update(principal: Principal, customerId: string, change: PreferencesChange, reason: string | null): Promise<CustomerRecord> {
    if (principal.role === 'portal' && principal.customerId !== customerId) throw notFound('Customer', customerId);
    const values = this.check(change);
    const why = reason?.trim() || null;
    if (why !== null && why.length > MAX_REASON) throw badInput(`reason: expected at most ${MAX_REASON} characters, got ${why.length}`, 'reason');
    const crm = await this.crmRecord(customerId);
    return this.apply(crm, { values, source: sourceOf(principal), actor: principal.subject, reason: why });
  }

  /** A change made by the gateway itself on the customer's behalf (STOP/START, bounces, returned mail). */
  async record(customerId: string, by: SystemActor, values: PreferenceValues, reason: string | null, unusable: readonly { kind: AddressKind; hash: string }[] = []): Promise<CustomerRecord> {
    const crm = await this.crmRecord(customerId);
    return this.apply(crm, { values, source: by.source, actor: by.actor, reason, unusable });
  }

  private async apply(crm: CustomerRecord, change: Pick<PreferenceUpdate, 'values' | 'source' | 'actor' | 'reason' | 'unusable'>): Promise<CustomerRecord> {
    const { repository } = this.options;
    const result = await repository.update({
      customerId: crm.id,
      crm: { preferredChannel: crm.preferredChannel, consents: crm.consents, paperless: false, language: crm.language, timeZone: null, quietHours: null },
      ...change,
    });
    const row = result.row;
    // Unusable addresses and the tracking choice are the gateway's own: nothing for the CRM to take.
    if (row && result.changes.some((c) => CRM_FIELDS.has(c.field))) await this.handOver(row);
    return applyOverlay(crm, row ? overlayOf(row) : null);
  }

  private async handOver(row: CustomerPreferenceEntity): Promise<void> {
    const { sync, logger } = this.options;
    if (!sync) return;
    try {
      await sync.enqueue(row.customerId, row.version);
    } catch (error) {
      // The overlay already holds the change; the worker's sweep hands unsynced overlays over again.
      logger?.warn({ err: (error as Error).message, customerId: row.customerId }, 'write-through not queued; the sweep will hand it over');
    }
  }

  private async crmRecord(customerId: string): Promise<CustomerRecord> {
    const [record] = await this.options.crm.getCustomers([customerId]);
    if (!record) throw notFound('Customer', customerId);
    return record;
  }

  /** Every field checked before anything is read or written; the first problem is the answer. */
  private check(change: PreferencesChange): PreferenceValues {
    const values: { -readonly [K in keyof PreferenceValues]: PreferenceValues[K] } = {};
    if (change.preferredChannel !== undefined) values.preferredChannel = change.preferredChannel;
    if (change.consents !== undefined) {
      if (change.consents === null) throw badInput('consents: expected a list of channels (an empty list withdraws every consent), got null', 'consents');
      if (change.consents.includes(Channel.LETTER)) throw badInput('consents: LETTER needs no consent; expected digital channels only', 'consents');
      values.consents = sortChannels(change.consents);
    }
    if (change.paperless !== undefined) {
      if (change.paperless === null) throw badInput('paperless: expected true or false, got null', 'paperless');
      values.paperless = change.paperless;
    }
    if (change.language !== undefined) {
      const language = change.language?.trim().toLowerCase() ?? null;
      const known = this.options.languages();
      if (language !== null && !known.includes(language)) throw badInput(`language: expected one of ${known.join(', ')} (the languages of the templates), got ${JSON.stringify(change.language)}`, 'language');
      values.language = language;
    }
    if (change.timeZone !== undefined) {
      if (change.timeZone !== null && !isTimeZone(change.timeZone)) throw badInput(`timeZone: expected an IANA time zone such as "Europe/Paris", got ${JSON.stringify(change.timeZone.slice(0, 64))}`, 'timeZone');
      values.timeZone = change.timeZone;
    }
    if (change.quietHours !== undefined) {
      if (change.quietHours !== null) {
        const problem = whyBadQuietHours(change.quietHours);
        if (problem) throw badInput(`quietHours: ${problem}`, 'quietHours');
        values.quietHours = { start: change.quietHours.start, end: change.quietHours.end };
      } else values.quietHours = null;
    }
    if (change.tracking !== undefined) {
      if (change.tracking === null) throw badInput('tracking: expected true or false, got null', 'tracking');
      values.tracking = change.tracking;
    }
    return values;
  }
}

