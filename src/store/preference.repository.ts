import { randomUUID } from 'node:crypto';
import { type DataSource, type QueryDeepPartialEntity } from 'typeorm';
import type { Page } from '../connectors/backoffice';
import type { Channel, PreferenceSource } from '../domain';
import { describeValue, PREFERENCE_FIELDS, type AddressKind, type PreferenceField, type PreferenceOverlay, type PreferenceValues, type UnusableAddresses } from '../preferences/preference.values';
import { CustomerPreferenceEntity } from './customer-preference.entity';
import { DatabaseGate, isUniqueViolation } from './database.gate';
import { directQuery } from './direct.query';
import { DeliveryEntity } from './delivery.entity';
import { InboundMessageEntity } from './inbound-message.entity';
import { pageNewestFirst } from './page.cursor';
import { PreferenceChangeEntity } from './preference-change.entity';

/** A change as the caller asks for it: new values, the CRM's own values to compare with, and who asks. */
export interface PreferenceUpdate {
  readonly customerId: string;
  /** Only the fields to change. */
  readonly values: PreferenceValues;
  /** What the CRM holds for every field it has (used where the overlay has no value yet), for `from` and for no-op detection. */
  readonly crm: Required<Omit<PreferenceValues, 'tracking'>>;
  /** Addresses to mark unusable (bounces, returned mail), each recorded as `<kind>Address: usable → unusable`. */
  readonly unusable?: readonly { readonly kind: AddressKind; readonly hash: string }[];
  readonly source: PreferenceSource;
  readonly actor: string;
  readonly reason: string | null;
}

export interface PreferenceUpdateResult {
  readonly row: CustomerPreferenceEntity | null;
  readonly changes: readonly PreferenceChangeEntity[];
}

export type NewInboundMessage = Omit<InboundMessageEntity, 'id' | 'createdAt'>;

const CHUNK = 500;

/** A `simple-json` column as TypeORM reads it. */
const fromJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/** The preference overlay, its history and inbound messages. */
export class PreferenceRepository {
  private readonly gate: DatabaseGate;
  private readonly clock: () => Date;

  constructor(private readonly dataSource: DataSource, options: { readonly clock?: () => Date } = {}) {
    this.gate = new DatabaseGate(dataSource);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Overlays of these customers; customers without one are absent. */
  async overlays(customerIds: readonly string[]): Promise<Map<string, PreferenceOverlay>> {
    const found = new Map<string, PreferenceOverlay>();
    const unique = [...new Set(customerIds)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      // Not queued behind the store's writes on SQLite (gate.read): every customer read of the gateway passes
      // here, and waiting for a bulk run's transactions would serialise the CRM reads behind them. On the one
      // SQLite connection a read may then see an overlay change whose transaction is still open; such a
      // change is a single small write that commits right after.
      // Hand-written: every send reads the overlay twice (render and send time), where TypeORM's query building
      // and hydration cost more than the statement; the text is fixed per number of ids (prepared once on SQLite).
      const ids = unique.slice(i, i + CHUNK);
      const placeholders = ids.map((_, n) => (this.gate.isSqlite ? '?' : `$${n + 1}`)).join(', ');
      const rows = (await directQuery(
        this.dataSource.manager,
        `SELECT "customerId", "values", "unusable", "tracking", "source", "updatedAt" FROM "customer_preference" WHERE "customerId" IN (${placeholders})`,
        ids,
      )).rows as unknown as { customerId: string; values: string; unusable: string; tracking: boolean | number | null; source: PreferenceSource; updatedAt: string | number }[];
      for (const row of rows) {
        const entity = Object.assign(new CustomerPreferenceEntity(), {
          customerId: row.customerId, values: fromJson<PreferenceValues>(row.values), unusable: fromJson<UnusableAddresses>(row.unusable),
          tracking: row.tracking === null || row.tracking === undefined ? null : Boolean(row.tracking), source: row.source, updatedAt: new Date(Number(row.updatedAt)),
        });
        found.set(row.customerId, overlayOf(entity));
      }
    }
    return found;
  }

  get(customerId: string): Promise<CustomerPreferenceEntity | null> {
    return this.gate.read((m) => m.findOneBy(CustomerPreferenceEntity, { customerId }));
  }

  /**
   * One transaction: locks (or creates) the overlay row, keeps the fields whose
   * value differs from the current one (the overlay's, else the CRM's), writes
   * them with one history line each, and bumps the version. Nothing differs:
   * nothing is written and `changes` is empty.
   */
  update(update: PreferenceUpdate): Promise<PreferenceUpdateResult> {
    return this.gate.write(async (manager) => {
      const query = manager.createQueryBuilder(CustomerPreferenceEntity, 'p').where('p.customerId = :id', { id: update.customerId });
      const existing = await this.gate.forUpdate(query).getOne();
      const values: Record<string, unknown> = { ...(existing?.values ?? {}) };
      const unusable: Record<string, string> = { ...(existing?.unusable ?? {}) };
      let tracking = existing?.tracking ?? null;
      const now = this.clock();
      const lines: { field: string; from: string | null; to: string | null }[] = [];
      for (const field of PREFERENCE_FIELDS) {
        if (!Object.hasOwn(update.values, field)) continue;
        const next = update.values[field];
        // The CRM has no tracking choice: never chosen is the default, allowed.
        const current = field === 'tracking' ? (tracking ?? true) : Object.hasOwn(values, field) ? values[field] : update.crm[field];
        const [from, to] = [describeValue(field, current), describeValue(field, next)];
        if (from === to) continue;
        // The tracking choice has a column of its own: `values` is what the write-through sends to the CRM.
        if (field === 'tracking') tracking = next === undefined ? null : Boolean(next);
        else values[field] = next ?? null;
        lines.push({ field, from, to });
      }
      for (const { kind, hash } of update.unusable ?? []) {
        if (unusable[kind] === hash) continue;
        unusable[kind] = hash;
        lines.push({ field: `${kind}Address`, from: 'usable', to: 'unusable' });
      }
      if (lines.length === 0) return { row: existing, changes: [] };
      const row: CustomerPreferenceEntity = {
        customerId: update.customerId,
        values: values as PreferenceValues,
        unusable: unusable as UnusableAddresses,
        tracking,
        source: update.source,
        updatedAt: now,
        version: (existing?.version ?? 0) + 1,
        syncedVersion: existing?.syncedVersion ?? 0,
      };
      if (existing) {
        await manager.update(CustomerPreferenceEntity, { customerId: row.customerId }, { values: row.values, unusable: row.unusable, tracking: row.tracking, source: row.source, updatedAt: now, version: row.version } as QueryDeepPartialEntity<CustomerPreferenceEntity>);
      } else {
        await manager.insert(CustomerPreferenceEntity, row as QueryDeepPartialEntity<CustomerPreferenceEntity>);
      }
      // One millisecond apart, so the history's newest-first order is the order of the fields within one change.
      const changes = lines.map((line, index): PreferenceChangeEntity => ({
        id: randomUUID(),
        customerId: update.customerId,
        createdAt: new Date(now.getTime() + index),
        source: update.source,
        actor: update.actor.slice(0, 200),
        field: line.field,
        fromValue: line.from,
        toValue: line.to,
        reason: update.reason,
      }));
      await manager.insert(PreferenceChangeEntity, changes as QueryDeepPartialEntity<PreferenceChangeEntity>[]);
      return { row, changes };
    });
  }

  /** The CRM accepted `version`; an older version accepted late never moves the mark back. */
  async markSynced(customerId: string, version: number): Promise<void> {
    await this.gate.write((m) =>
      m.createQueryBuilder().update(CustomerPreferenceEntity).set({ syncedVersion: version })
        .where('customerId = :customerId AND syncedVersion < :version', { customerId, version }).execute(),
    );
  }

  /** Overlays the CRM has not accepted yet, oldest change first (for the sweeper). */
  unsynced(limit: number): Promise<CustomerPreferenceEntity[]> {
    return this.gate.read((m) =>
      m.createQueryBuilder(CustomerPreferenceEntity, 'p').where('p.syncedVersion < p.version').orderBy('p.updatedAt', 'ASC').limit(limit).getMany(),
    );
  }

  history(request: { readonly customerId: string; readonly first: number; readonly after?: string | null }): Promise<Page<PreferenceChangeEntity>> {
    return this.gate.read((manager) => {
      const query = manager.createQueryBuilder(PreferenceChangeEntity, 'h').where('h.customerId = :customerId', { customerId: request.customerId });
      return pageNewestFirst(query, 'h', request);
    });
  }

  findInbound(providerMessageId: string): Promise<InboundMessageEntity | null> {
    return this.gate.read((m) => m.findOneBy(InboundMessageEntity, { providerMessageId }));
  }

  /** Records an inbound message once per provider id; false when it was already there (a redelivered webhook). */
  async recordInbound(message: NewInboundMessage): Promise<{ readonly message: InboundMessageEntity; readonly created: boolean }> {
    const row: InboundMessageEntity = { ...message, id: randomUUID(), createdAt: this.clock() };
    try {
      await this.gate.write((m) => m.insert(InboundMessageEntity, row as QueryDeepPartialEntity<InboundMessageEntity>));
      return { message: row, created: true };
    } catch (error) {
      const earlier = isUniqueViolation(error) ? await this.findInbound(message.providerMessageId) : null;
      if (earlier) return { message: earlier, created: false };
      throw error;
    }
  }

  inboundOf(request: { readonly customerId: string; readonly first: number; readonly after?: string | null }): Promise<Page<InboundMessageEntity>> {
    return this.gate.read((manager) => {
      const query = manager.createQueryBuilder(InboundMessageEntity, 'i').where('i.customerId = :customerId', { customerId: request.customerId });
      return pageNewestFirst(query, 'i', request);
    });
  }

  /** The last delivery to `recipient` on `channel` for this customer: what an inbound message answers. */
  lastDeliveryTo(customerId: string, channel: Channel, recipient: string): Promise<DeliveryEntity | null> {
    return this.gate.read((m) =>
      m.createQueryBuilder(DeliveryEntity, 'd')
        .where('d.customerId = :customerId AND d.channel = :channel AND d.recipient = :recipient', { customerId, channel, recipient })
        .orderBy('d.createdAt', 'DESC').addOrderBy('d.id', 'DESC').limit(1).getOne(),
    );
  }
}

export type { PreferenceField };

/** The row as the rest of the gateway reads it: the tracking column back among the values (absent while never chosen). */
export function overlayOf(row: CustomerPreferenceEntity): PreferenceOverlay {
  const values = row.tracking === null || row.tracking === undefined ? row.values : { ...row.values, tracking: Boolean(row.tracking) };
  return { values, unusable: row.unusable, source: row.source, updatedAt: row.updatedAt };
}
