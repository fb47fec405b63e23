import type { EntityManager } from 'typeorm';
import type { AttachmentPassword, Channel, ChannelPolicy, CommunicationStatus, DeliveryStatus, Escalation, Priority } from '../domain';
import { CommunicationEntity } from './communication.entity';
import { DeliveryEntity } from './delivery.entity';
import { directQuery } from './direct.query';

/**
 * Hand-written SQL for the pipeline's hot path (a delivery's step: lock, update,
 * timeline row, derived status), where TypeORM's query builder and entity
 * hydration cost more CPU than the statements themselves. Same tables, same
 * columns and the same values as the entities' mappings: epoch-ms BIGINTs,
 * JSON text for `simple-json`, `version` + 1 on every update. The SQL text of
 * each statement is fixed, so SQLite prepares it once and PostgreSQL parses the
 * same text every time.
 */
/** One statement and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export class RowSql {
  constructor(readonly isSqlite: boolean) {}

  /** The n-th (1-based) placeholder. */
  p(n: number): string {
    return this.isSqlite ? '?' : `$${n}`;
  }

  /** `FOR UPDATE` on PostgreSQL; SQLite has one writer at a time already. */
  get forUpdate(): string {
    return this.isSqlite ? '' : ' FOR UPDATE';
  }

  /** An integer as SQLite stores an inlined literal (a JS number would bind as REAL); PostgreSQL takes the number. */
  int(value: number): number | bigint {
    return this.isSqlite ? BigInt(value) : value;
  }

  /** A value as its column stores it. */
  value(value: unknown): unknown {
    if (value instanceof Date) return this.int(value.getTime());
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.int(value);
    if (Array.isArray(value) || (value !== null && typeof value === 'object')) return JSON.stringify(value);
    return value;
  }

  async rows(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return (await directQuery(manager, sql, params)).rows;
  }

  /** Rows an INSERT, UPDATE or DELETE changed. */
  async changes(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<number> {
    return (await directQuery(manager, sql, params)).changes;
  }

  /** UPDATE of the given columns (entity property names are the column names) and `version` + 1. */
  async update(manager: EntityManager, table: 'communication' | 'delivery', id: string, changes: Readonly<Record<string, unknown>>): Promise<void> {
    const { sql, params } = this.updateStatement(table, id, changes);
    await directQuery(manager, sql, params);
  }

  updateStatement(table: 'communication' | 'delivery', id: string, changes: Readonly<Record<string, unknown>>): Statement {
    const keys = Object.keys(changes).filter((key) => changes[key] !== undefined);
    const set = keys.map((key, i) => `"${key}" = ${this.p(i + 1)}`).join(', ');
    const sql = `UPDATE "${table}" SET ${set}${keys.length ? ', ' : ''}"version" = "version" + 1 WHERE "id" = ${this.p(keys.length + 1)}`;
    return { sql, params: [...keys.map((key) => this.value(changes[key])), id] };
  }

  /**
   * Statements that change rows, in order, as one step; resolves to the rows
   * the last one changed. On SQLite, one after the other (each is a call into
   * the library). On PostgreSQL, one round trip: the earlier ones become
   * data-modifying WITH clauses of the last. They then all see the rows as
   * they were before the step, so none may depend on another's change (two
   * timeline entries of one delivery say their order themselves, see
   * `appendEventStatement`), and no row may be changed twice.
   */
  async writeAll(manager: EntityManager, statements: readonly Statement[]): Promise<number> {
    if (statements.length === 0) return 0;
    if (this.isSqlite || statements.length === 1) {
      let changes = 0;
      for (const statement of statements) changes = (await directQuery(manager, statement.sql, statement.params)).changes;
      return changes;
    }
    const params: unknown[] = [];
    const texts = statements.map((statement) => {
      const offset = params.length;
      params.push(...statement.params);
      return statement.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    });
    const last = texts.pop()!;
    const sql = `WITH ${texts.map((text, i) => `"w${i + 1}" AS (${text})`).join(', ')} ${last}`;
    return (await directQuery(manager, sql, params)).changes;
  }
}

export const COMMUNICATION_COLUMNS = '"id", "callerId", "idempotencyKey", "customerId", "contractId", "templateKey", "channelPolicy", "requestedChannels", "data", "blocks", "templateVersion", "priority", "status", "createdAt", "scheduledAt", "approvedBy", "approvedAt", "attachmentPassword", "escalation", "queuedAt", "updatedAt", "version"';
export const DELIVERY_COLUMNS = '"id", "communicationId", "customerId", "ordinal", "channel", "status", "recipient", "attempts", "providerMessageId", "error", "fallbackChannels", "previousDeliveryId", "documentId", "escalatesAt", "escalatedAt", "queuedAt", "createdAt", "updatedAt", "version"';

const date = (value: unknown): Date => new Date(Number(value));
const optionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(Number(value)));
const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A row of COMMUNICATION_COLUMNS as the entity TypeORM would have built. */
export function communicationOf(row: Record<string, unknown>): CommunicationEntity {
  return Object.assign(new CommunicationEntity(), {
    id: String(row.id),
    callerId: String(row.callerId),
    idempotencyKey: text(row.idempotencyKey),
    customerId: String(row.customerId),
    contractId: text(row.contractId),
    templateKey: String(row.templateKey),
    channelPolicy: row.channelPolicy as ChannelPolicy,
    requestedChannels: row.requestedChannels === null || row.requestedChannels === undefined ? null : json<Channel[]>(row.requestedChannels),
    data: json<Record<string, unknown>>(row.data),
    blocks: row.blocks === null || row.blocks === undefined ? null : json<Record<string, string>>(row.blocks),
    templateVersion: Number(row.templateVersion),
    priority: row.priority as Priority,
    status: row.status as CommunicationStatus,
    createdAt: date(row.createdAt),
    scheduledAt: optionalDate(row.scheduledAt),
    approvedBy: text(row.approvedBy),
    approvedAt: optionalDate(row.approvedAt),
    attachmentPassword: (text(row.attachmentPassword) as AttachmentPassword | null),
    escalation: row.escalation === null || row.escalation === undefined ? null : json<Escalation>(row.escalation),
    queuedAt: optionalDate(row.queuedAt),
    updatedAt: date(row.updatedAt),
    version: Number(row.version),
  });
}

/** A row of DELIVERY_COLUMNS as the entity TypeORM would have built. */
export function deliveryOf(row: Record<string, unknown>): DeliveryEntity {
  return Object.assign(new DeliveryEntity(), {
    id: String(row.id),
    communicationId: String(row.communicationId),
    customerId: String(row.customerId),
    ordinal: Number(row.ordinal),
    channel: row.channel as Channel,
    status: row.status as DeliveryStatus,
    recipient: text(row.recipient),
    attempts: Number(row.attempts),
    providerMessageId: text(row.providerMessageId),
    error: text(row.error),
    fallbackChannels: json<Channel[]>(row.fallbackChannels),
    previousDeliveryId: text(row.previousDeliveryId),
    documentId: text(row.documentId),
    escalatesAt: optionalDate(row.escalatesAt),
    escalatedAt: optionalDate(row.escalatedAt),
    queuedAt: optionalDate(row.queuedAt),
    createdAt: date(row.createdAt),
    updatedAt: date(row.updatedAt),
    version: Number(row.version),
  });
}
