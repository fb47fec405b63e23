import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Channel, Direction, InteractionChannel } from '../domain';
import { badInput } from '../errors';
import { CommunicationEntity } from './communication.entity';
import type { DatabaseGate } from './database.gate';
import { DeliveryEntity } from './delivery.entity';
import { InteractionEntity } from './interaction.entity';
import { MAX_PAGE_SIZE } from './page.cursor';

/** One row of the contact history: something sent (a communication) or something that happened (an interaction). */
export type ContactHistoryRow =
  | { readonly kind: 'communication'; readonly at: Date; readonly row: CommunicationEntity }
  | { readonly kind: 'interaction'; readonly at: Date; readonly row: InteractionEntity };

export interface ContactHistoryRequest {
  readonly customerId: string;
  readonly first: number;
  readonly after?: string | null;
  readonly direction?: Direction | null;
  readonly channels?: readonly InteractionChannel[] | null;
  /** false for the customer's own view: internal notes stay with the staff. */
  readonly includeInternal: boolean;
}

export interface ContactHistoryPage {
  readonly entries: readonly { readonly cursor: string; readonly entry: ContactHistoryRow }[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
}

/**
 * Ties at the same millisecond are broken by kind, then id, so the order is
 * total: communications (0) sort before interactions (1) in the ascending
 * order, i.e. after them newest first.
 */
const KIND_RANK = { communication: 0, interaction: 1 } as const;

/** Where a delivery channel of ours shows in the interaction-channel vocabulary of the history filter. */
const DELIVERY_CHANNELS: Partial<Record<InteractionChannel, Channel>> = {
  [InteractionChannel.EMAIL]: Channel.EMAIL,
  [InteractionChannel.SMS]: Channel.SMS,
  [InteractionChannel.WHATSAPP]: Channel.WHATSAPP,
  [InteractionChannel.LETTER]: Channel.LETTER,
  [InteractionChannel.WEB]: Channel.PORTAL,
  [InteractionChannel.OTHER]: Channel.WEBHOOK,
};

interface Position {
  readonly at: number;
  readonly rank: 0 | 1;
  readonly id: string;
}

export function encodeHistoryCursor(entry: ContactHistoryRow): string {
  return Buffer.from(JSON.stringify([entry.at.getTime(), KIND_RANK[entry.kind], entry.row.id])).toString('base64url');
}

function decodeHistoryCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && Number.isSafeInteger(value[0]) && (value[1] === 0 || value[1] === 1) && typeof value[2] === 'string') {
      return { at: value[0] as number, rank: value[1] as 0 | 1, id: value[2] as string };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(`after: expected a cursor returned by a previous page of contactHistory, got ${JSON.stringify(cursor.slice(0, 64))}`, 'after');
}

/**
 * Rows of one kind that come after `position` in the order (at desc, rank desc, id desc).
 * The rank is fixed per table, so the comparison on it is decided here, not in SQL.
 */
function after<T extends object>(query: SelectQueryBuilder<T>, column: string, rank: 0 | 1, idColumn: string, position: Position): void {
  const params = { afterAt: position.at, afterId: position.id };
  if (rank < position.rank) query.andWhere(`${column} <= :afterAt`, params);
  else if (rank > position.rank) query.andWhere(`${column} < :afterAt`, params);
  else query.andWhere(`(${column} < :afterAt OR (${column} = :afterAt AND ${idColumn} < :afterId))`, params);
}

/**
 * A customer's contact history: communications (by creation time) and
 * interactions (by when they happened) merged newest first, keyset-paged with
 * one cursor across both, so entries that arrive while a client pages never
 * shift what it has yet to read.
 */
export class ContactHistoryQueries {
  constructor(private readonly gate: DatabaseGate) {}

  page(request: ContactHistoryRequest): Promise<ContactHistoryPage> {
    const { first } = request;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first: expected an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}`, 'first');
    const position = request.after ? decodeHistoryCursor(request.after) : null;
    return this.gate.read(async (manager) => {
      const communications = this.communications(manager, request);
      const interactions = this.interactions(manager, request);
      const totalCount = (communications ? await communications.clone().getCount() : 0) + (await interactions.clone().getCount());
      if (position) {
        if (communications) after(communications, 'c.createdAt', 0, 'c.id', position);
        after(interactions, 'i.occurredAt', 1, 'i.id', position);
      }
      const [sent, happened] = await Promise.all([
        communications ? communications.orderBy('c.createdAt', 'DESC').addOrderBy('c.id', 'DESC').limit(first + 1).getMany() : Promise.resolve([]),
        interactions.orderBy('i.occurredAt', 'DESC').addOrderBy('i.id', 'DESC').limit(first + 1).getMany(),
      ]);
      const merged: ContactHistoryRow[] = [
        ...sent.map((row) => ({ kind: 'communication' as const, at: row.createdAt, row })),
        ...happened.map((row) => ({ kind: 'interaction' as const, at: row.occurredAt, row })),
      ].sort(newestFirst);
      const entries = merged.slice(0, first).map((entry) => ({ cursor: encodeHistoryCursor(entry), entry }));
      return { entries, totalCount, hasNextPage: merged.length > first };
    });
  }

  /** Null when the filters leave no communication in (inbound only, or channels none of ours). */
  private communications(manager: EntityManager, request: ContactHistoryRequest): SelectQueryBuilder<CommunicationEntity> | null {
    if (request.direction === Direction.INBOUND) return null;
    const query = manager.createQueryBuilder(CommunicationEntity, 'c').where('c.customerId = :customerId', { customerId: request.customerId });
    if (request.channels) {
      const deliveryChannels = [...new Set(request.channels.map((channel) => DELIVERY_CHANNELS[channel]).filter((c): c is Channel => c !== undefined))];
      if (deliveryChannels.length === 0) return null;
      const onChannel = query
        .subQuery()
        .select('1')
        .from(DeliveryEntity, 'd')
        .where('d.communicationId = c.id')
        .andWhere('d.channel IN (:...deliveryChannels)')
        .getQuery();
      query.andWhere(`EXISTS ${onChannel}`, { deliveryChannels });
    }
    return query;
  }

  private interactions(manager: EntityManager, request: ContactHistoryRequest): SelectQueryBuilder<InteractionEntity> {
    const query = manager.createQueryBuilder(InteractionEntity, 'i').where('i.customerId = :customerId', { customerId: request.customerId });
    if (request.direction) query.andWhere('i.direction = :direction', { direction: request.direction });
    if (request.channels) query.andWhere(request.channels.length ? 'i.channel IN (:...interactionChannels)' : '1 = 0', { interactionChannels: [...request.channels] });
    if (!request.includeInternal) query.andWhere('i.internal = :internal', { internal: false });
    return query;
  }
}

function newestFirst(a: ContactHistoryRow, b: ContactHistoryRow): number {
  return b.at.getTime() - a.at.getTime() || KIND_RANK[b.kind] - KIND_RANK[a.kind] || (a.row.id < b.row.id ? 1 : a.row.id > b.row.id ? -1 : 0);
}
