import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { Page } from '../connectors/backoffice';
import type { Channel, CommunicationStatus, DeliveryStatus } from '../domain';
import { CommunicationEntity } from './communication.entity';
import type { DatabaseGate } from './database.gate';
import { DeliveryEventEntity } from './delivery-event.entity';
import { DeliveryEntity } from './delivery.entity';
import { DocumentEntity } from './document.entity';
import { pageNewestFirst } from './page.cursor';
import { COMMUNICATION_COLUMNS, communicationOf, DELIVERY_COLUMNS, deliveryOf, RowSql } from './row.sql';

export interface ListCommunications {
  readonly customerId?: string | null;
  readonly status?: CommunicationStatus | null;
  readonly first: number;
  readonly after?: string | null;
}

export interface DeliveryStats {
  /** Deliveries created in the period. */
  readonly total: number;
  readonly byChannel: readonly { readonly channel: Channel; readonly status: DeliveryStatus; readonly count: number }[];
}

/** The prefix of the communication's columns where they share a row with the delivery's. */
const OWNER = 'owner.';

/** `"a", "b"` as `t."a", t."b"`, or `t."a" AS "<prefix>a", …`. */
function qualified(table: string, columns: string, prefix?: string): string {
  return columns.split(', ').map((column) => `${table}.${column}${prefix ? ` AS "${prefix}${column.slice(1, -1)}"` : ''}`).join(', ');
}

/** Keeps IN lists well under every driver's parameter limit. */
const CHUNK = 500;

/** The read side of the communication history: lookups, batches in key order, pages, statistics. */
export class HistoryQueries {
  private readonly sql: RowSql;
  private readonly byId: { readonly communication: string; readonly delivery: string; readonly byProviderMessageId: string; readonly deliveryAndOwner: string };

  constructor(private readonly gate: DatabaseGate) {
    const sql = (this.sql = new RowSql(gate.isSqlite));
    this.byId = {
      communication: `SELECT ${COMMUNICATION_COLUMNS} FROM "communication" WHERE "id" = ${sql.p(1)}`,
      delivery: `SELECT ${DELIVERY_COLUMNS} FROM "delivery" WHERE "id" = ${sql.p(1)}`,
      byProviderMessageId: `SELECT ${DELIVERY_COLUMNS} FROM "delivery" WHERE "providerMessageId" = ${sql.p(1)} ORDER BY "createdAt" DESC LIMIT 1`,
      deliveryAndOwner: `SELECT ${qualified('d', DELIVERY_COLUMNS)}, ${qualified('c', COMMUNICATION_COLUMNS, OWNER)} FROM "delivery" d `
        + `JOIN "communication" c ON c."id" = d."communicationId" WHERE d."id" = ${sql.p(1)}`,
    };
  }

  /** A delivery and its communication in one read (what a deliver job starts with); null when there is no such delivery. */
  async deliveryAndOwner(deliveryId: string): Promise<{ delivery: DeliveryEntity; communication: CommunicationEntity } | null> {
    const [row] = await this.gate.read((manager) => this.sql.rows(manager, this.byId.deliveryAndOwner, [deliveryId]));
    if (!row) return null;
    const owner: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) if (key.startsWith(OWNER)) owner[key.slice(OWNER.length)] = value;
    return { delivery: deliveryOf(row), communication: communicationOf(owner) };
  }

  async getMany<T extends ObjectLiteral & { id: string }>(target: EntityTarget<T>, ids: readonly string[]): Promise<(T | null)[]> {
    const rows = await this.whereIn(target, 'id', ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async get<T extends ObjectLiteral & { id: string }>(target: EntityTarget<T>, id: string): Promise<T | null> {
    // The pipeline reads a delivery and its communication by id at every step: one fixed statement, no hydration.
    if (target === CommunicationEntity || target === DeliveryEntity) {
      const communication = target === CommunicationEntity;
      const [row] = await this.gate.read((manager) => this.sql.rows(manager, communication ? this.byId.communication : this.byId.delivery, [id]));
      if (!row) return null;
      return (communication ? communicationOf(row) : deliveryOf(row)) as unknown as T;
    }
    return (await this.getMany(target, [id]))[0];
  }

  list(request: ListCommunications): Promise<Page<CommunicationEntity>> {
    return this.gate.read((manager) => {
      const query = manager.createQueryBuilder(CommunicationEntity, 'c');
      if (request.customerId) query.andWhere('c.customerId = :customerId', { customerId: request.customerId });
      if (request.status) query.andWhere('c.status = :status', { status: request.status });
      return pageNewestFirst(query, 'c', request);
    });
  }

  /** Per communication, its deliveries in plan order then fallbacks. */
  async deliveriesOf(communicationIds: readonly string[]): Promise<DeliveryEntity[][]> {
    const rows = await this.whereIn(DeliveryEntity, 'communicationId', communicationIds, { ordinal: 'ASC' });
    return groupInKeyOrder(communicationIds, rows, (row) => row.communicationId);
  }

  /** Per delivery, its timeline, oldest first. */
  async eventsOf(deliveryIds: readonly string[]): Promise<DeliveryEventEntity[][]> {
    const rows = await this.whereIn(DeliveryEventEntity, 'deliveryId', deliveryIds, { seq: 'ASC' });
    return groupInKeyOrder(deliveryIds, rows, (row) => row.deliveryId);
  }

  /** Per communication, its archived documents, oldest first. */
  async documentsOf(communicationIds: readonly string[]): Promise<DocumentEntity[][]> {
    const rows = await this.whereIn(DocumentEntity, 'communicationId', communicationIds, { createdAt: 'ASC', id: 'ASC' });
    return groupInKeyOrder(communicationIds, rows, (row) => row.communicationId);
  }

  documentsOfCustomer(request: { readonly customerId: string; readonly first: number; readonly after?: string | null }): Promise<Page<DocumentEntity>> {
    return this.gate.read((manager) => {
      const query = manager.createQueryBuilder(DocumentEntity, 'd').where('d.customerId = :customerId', { customerId: request.customerId });
      return pageNewestFirst(query, 'd', request);
    });
  }

  findByProviderMessageId(providerMessageId: string): Promise<DeliveryEntity | null> {
    return this.gate.read(async (manager) => {
      const [row] = await this.sql.rows(manager, this.byId.byProviderMessageId, [providerMessageId]);
      return row ? deliveryOf(row) : null;
    });
  }

  /** Deliveries created in [from, to), counted per channel and status. */
  stats(from: Date, to: Date): Promise<DeliveryStats> {
    return this.gate.read(async (manager) => {
      const rows = await manager
        .createQueryBuilder(DeliveryEntity, 'd')
        .select('d.channel', 'channel')
        .addSelect('d.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .where('d.createdAt >= :from AND d.createdAt < :to', { from: from.getTime(), to: to.getTime() })
        .groupBy('d.channel')
        .addGroupBy('d.status')
        .orderBy('d.channel')
        .addOrderBy('d.status')
        .getRawMany<{ channel: Channel; status: DeliveryStatus; count: string | number }>();
      const byChannel = rows.map((row) => ({ channel: row.channel, status: row.status, count: Number(row.count) }));
      return { total: byChannel.reduce((sum, row) => sum + row.count, 0), byChannel };
    });
  }

  private async whereIn<T extends ObjectLiteral>(
    target: EntityTarget<T>,
    column: keyof T & string,
    keys: readonly string[],
    order?: Record<string, 'ASC' | 'DESC'>,
  ): Promise<T[]> {
    const unique = [...new Set(keys)];
    const rows: T[] = [];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      const found = await this.gate.read((manager: EntityManager) =>
        manager.find(target, { where: { [column]: In(chunk) } as never, ...(order ? { order: order as never } : {}) }),
      );
      rows.push(...found);
    }
    return rows;
  }
}

function groupInKeyOrder<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(keyOf(row));
    if (group) group.push(row);
    else groups.set(keyOf(row), [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}
