import { randomUUID } from 'node:crypto';
import { type EntityManager, type EntityTarget, type ObjectLiteral, type QueryDeepPartialEntity } from 'typeorm';
import { type Channel, CommunicationStatus, DeliveryStatus, type EngagementKind } from '../domain';
import { notFound } from '../errors';
import { CommunicationEntity } from './communication.entity';
import { deriveCommunicationStatus } from './communication-status';
import type { DatabaseGate } from './database.gate';
import { canFallBack, canRetry, canTransition, isSuccess } from './delivery-status';
import { durationText, escalationDeadline, escalationNote } from './escalation.rules';
import { DeliveryEntity } from './delivery.entity';
import { COMMUNICATION_COLUMNS, communicationOf, DELIVERY_COLUMNS, deliveryOf, RowSql, type Statement } from './row.sql';

export interface TransitionPatch {
  /** Timeline text for this step; defaults to `error` when that is given. */
  readonly detail?: string | null;
  readonly error?: string | null;
  readonly providerMessageId?: string | null;
  readonly attemptsIncrement?: number;
  readonly documentId?: string | null;
  /**
   * A step passed on the way, in the same transaction, with its own timeline
   * entry before this step's: a deliver job that renders a PENDING delivery
   * and claims it writes RENDERED and SENDING as one change.
   */
  readonly via?: { readonly status: DeliveryStatus; readonly detail?: string | null };
}

export interface TransitionResult {
  readonly delivery: DeliveryEntity;
  readonly communication: CommunicationEntity;
  /** false: the step was a regression or a replay and nothing was written. */
  readonly changed: boolean;
  /** The escalation deadline this step set (the delivery reached the customer); the caller schedules its job. */
  readonly escalatesAt?: Date;
  /** The step passed on the way (`TransitionPatch.via`) and the communication's status as it stood then, for its status event. */
  readonly passed?: { readonly status: DeliveryStatus; readonly communicationStatus: CommunicationStatus };
}

/** What the escalation step found and did; see `DeliveryLifecycle.escalate`. */
export type EscalationResult =
  /** Nothing to do: no deadline (read, escalated, or never set), or the delivery no longer stands. */
  | { readonly outcome: 'none' }
  | { readonly outcome: 'not-due'; readonly escalatesAt: Date }
  /** Read before the deadline (the check found the engagement): the deadline was cleared. */
  | { readonly outcome: 'read' }
  /** Due and unread, but none of the escalation channels reaches the customer: cleared, with the reason on the timeline. */
  | { readonly outcome: 'unreachable' }
  | { readonly outcome: 'escalated'; readonly next: DeliveryEntity; readonly communication: CommunicationEntity; readonly from: DeliveryEntity };

export interface EscalationStep {
  /**
   * The escalation channels that reach the customer now, in order, with the
   * first one's address; the caller works them out from the customer's record.
   * `why` says why the others were left out (for the timeline).
   */
  readonly chain: readonly Channel[];
  readonly recipient: string | null;
  readonly why: string | null;
  /** Engagement kinds that count as read (OPENED only when configured). */
  readonly readKinds: readonly EngagementKind[];
}

export type CancelResult =
  | { readonly outcome: 'cancelled'; readonly changed: boolean; readonly communication: CommunicationEntity; readonly deliveries: DeliveryEntity[] }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'conflict'; readonly reason: string; readonly communication: CommunicationEntity };

/** A reviewer's decision on a communication AWAITING_APPROVAL. */
export interface ReviewDecision {
  /** The reviewer's principal subject. */
  readonly by: string;
  /** Approval comment or rejection reason, for the timeline; already checked by the caller. */
  readonly note: string | null;
}

export type ReviewResult =
  | { readonly outcome: 'reviewed'; readonly communication: CommunicationEntity; readonly deliveries: DeliveryEntity[] }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'conflict'; readonly reason: string; readonly communication: CommunicationEntity };

export interface RenderingMark {
  readonly communication: CommunicationEntity;
  /** All of the communication's deliveries, by ordinal. */
  readonly deliveries: DeliveryEntity[];
  readonly changed: boolean;
}

export type RetryResult =
  | { readonly outcome: 'reset'; readonly delivery: DeliveryEntity; readonly communication: CommunicationEntity }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'conflict'; readonly reason: string; readonly delivery: DeliveryEntity };

/**
 * Every change of a delivery: one transaction that locks the communication and
 * then the delivery (always in that order, so concurrent steps on deliveries of
 * one communication queue up instead of deadlocking or deriving the
 * communication's status from stale rows), appends to the timeline and
 * re-derives the communication's status.
 */
export class DeliveryLifecycle {
  private readonly sql: RowSql;
  private readonly statements: { readonly ownerOf: string; readonly communication: string; readonly deliveriesOf: string };

  constructor(
    private readonly gate: DatabaseGate,
    private readonly clock: () => Date,
  ) {
    const sql = (this.sql = new RowSql(gate.isSqlite));
    this.statements = {
      ownerOf: `SELECT ${COMMUNICATION_COLUMNS} FROM "communication" WHERE "id" = (SELECT d."communicationId" FROM "delivery" d WHERE d."id" = ${sql.p(1)})${sql.forUpdate}`,
      communication: `SELECT ${COMMUNICATION_COLUMNS} FROM "communication" WHERE "id" = ${sql.p(1)}${sql.forUpdate}`,
      deliveriesOf: `SELECT ${DELIVERY_COLUMNS} FROM "delivery" WHERE "communicationId" = ${sql.p(1)} ORDER BY "ordinal" ASC${sql.forUpdate}`,
    };
  }

  transition(deliveryId: string, to: DeliveryStatus, patch: TransitionPatch = {}): Promise<TransitionResult> {
    return this.gate.write(async (manager) => {
      const locked = await this.lockDelivery(manager, deliveryId);
      if (!locked) throw notFound('Delivery', deliveryId);
      const { communication, delivery, deliveries } = locked;
      const via = patch.via;
      if (via ? !(canTransition(delivery.status, via.status) && canTransition(via.status, to)) : !canTransition(delivery.status, to)) {
        return { delivery, communication, changed: false };
      }
      const passed = via
        ? { status: via.status, communicationStatus: deriveCommunicationStatus(communication.status, deliveries.map((d) => (d === delivery ? { ...d, status: via.status } : d))) }
        : undefined;
      const now = this.clock();
      const changes: Partial<DeliveryEntity> = { status: to, updatedAt: now, attempts: delivery.attempts + (patch.attemptsIncrement ?? 0) };
      if (patch.error !== undefined) changes.error = patch.error;
      if (patch.providerMessageId !== undefined) changes.providerMessageId = patch.providerMessageId;
      if (patch.documentId !== undefined) changes.documentId = patch.documentId;
      // Reaching the customer for the first time starts the escalation clock, in the same transaction as the step.
      const escalatesAt = escalationDeadline(communication, delivery, deliveries, to, now);
      if (escalatesAt) changes.escalatesAt = escalatesAt;
      // One step, one write (one round trip on PostgreSQL): the row, its timeline entries in order, the derived status.
      const writes = [this.stage(delivery, changes)];
      const entries: [DeliveryStatus, string | null][] = [];
      if (via) entries.push([via.status, via.detail ?? null]);
      entries.push([to, patch.detail ?? patch.error ?? null]);
      if (escalatesAt) entries.push([to, escalationNote(communication.escalation!, escalatesAt)]);
      entries.forEach(([status, detail], after) => writes.push(appendEventStatement(this.sql, delivery.id, status, detail, now, { after })));
      const status = deriveCommunicationStatus(communication.status, deliveries);
      if (status !== communication.status) writes.push(this.stage(communication, { status, updatedAt: now }));
      await this.sql.writeAll(manager, writes);
      return { delivery, communication, changed: true, ...(escalatesAt ? { escalatesAt } : {}), ...(passed ? { passed } : {}) };
    });
  }

  /**
   * The escalation deadline of a delivery has come: under the communication's
   * lock, unless it was read (any of its deliveries has a `readKinds`
   * engagement), cancelled, failed or already moved on, a new delivery on the
   * first escalation channel (the rest its fallbacks), pointing back at this
   * one, and the deadline cleared — so however many jobs and sweeps arrive,
   * it escalates once.
   */
  escalate(deliveryId: string, step: EscalationStep): Promise<EscalationResult> {
    return this.gate.write(async (manager): Promise<EscalationResult> => {
      const locked = await this.lockDelivery(manager, deliveryId);
      if (!locked) return { outcome: 'none' };
      const { communication, delivery, deliveries } = locked;
      const escalation = communication.escalation;
      if (delivery.escalatesAt === null || escalation === null) return { outcome: 'none' };
      const now = this.clock();
      if (delivery.escalatesAt.getTime() > now.getTime()) return { outcome: 'not-due', escalatesAt: delivery.escalatesAt };
      const clear = async (detail: string): Promise<void> => {
        await this.update(manager, delivery, { escalatesAt: null, updatedAt: now });
        await appendEvent(manager, delivery.id, delivery.status, detail, now);
      };
      const ended = communication.status === CommunicationStatus.CANCELLED || !isSuccess(delivery.status) || deliveries.some((d) => d.previousDeliveryId === delivery.id);
      if (ended) {
        await clear('escalation dropped: the delivery no longer stands as sent');
        return { outcome: 'none' };
      }
      if (await this.anyEngagement(manager, deliveries.map((d) => d.id), step.readKinds)) {
        await clear('read before the escalation deadline: no escalation');
        return { outcome: 'read' };
      }
      const unread = `unread after ${durationText(escalation.unreadAfterSeconds)}`;
      const [channel, ...rest] = step.chain;
      if (!channel) {
        await clear(`${unread}; no escalation: ${step.why ?? 'no escalation channel reaches the customer'}`);
        return { outcome: 'unreachable' };
      }
      const next = followUp(delivery, deliveries.length, channel, rest, step.recipient, now);
      await insertRow(manager, DeliveryEntity, next);
      const detail = `${unread} → ${channel}${step.why ? ` (${step.why})` : ''}`;
      await this.update(manager, delivery, { escalatesAt: null, escalatedAt: now, updatedAt: now });
      await appendEvent(manager, delivery.id, delivery.status, detail, now);
      await appendEvent(manager, next.id, DeliveryStatus.PENDING, `escalation: ${delivery.channel} ${detail}`, now, { first: true });
      await this.refreshStatus(manager, communication, [...deliveries, next], now);
      return { outcome: 'escalated', next, communication, from: delivery };
    });
  }

  /** Null when the chain is exhausted, the delivery has not failed, or the communication was cancelled. */
  addFallbackDelivery(fromDeliveryId: string, recipient: string | null): Promise<DeliveryEntity | null> {
    return this.gate.write(async (manager) => {
      const locked = await this.lockDelivery(manager, fromDeliveryId);
      if (!locked) throw notFound('Delivery', fromDeliveryId);
      const { communication, delivery: from, deliveries } = locked;
      const existing = deliveries.find((d) => d.previousDeliveryId === from.id);
      if (existing) return existing;
      const [channel, ...rest] = from.fallbackChannels;
      if (!channel || !canFallBack(from.status) || communication.status === CommunicationStatus.CANCELLED) return null;
      const now = this.clock();
      const next = followUp(from, deliveries.length, channel, rest, recipient, now);
      await insertRow(manager, DeliveryEntity, next);
      const detail = `fallback ${from.channel}→${channel}`;
      await appendEvent(manager, from.id, from.status, detail, now);
      await appendEvent(manager, next.id, DeliveryStatus.PENDING, detail, now, { first: true });
      await this.refreshStatus(manager, communication, [...deliveries, next], now);
      return next;
    });
  }

  /**
   * The one decision on a communication AWAITING_APPROVAL, under its row lock
   * (two reviewers at once: the second finds it decided → conflict). Approve:
   * QUEUED, or SCHEDULED while its time is ahead, with approvedBy/approvedAt;
   * reject: REJECTED, every delivery CANCELLED. Each delivery's timeline says who.
   */
  review(communicationId: string, kind: 'approve' | 'reject', decision: ReviewDecision): Promise<ReviewResult> {
    return this.gate.write(async (manager): Promise<ReviewResult> => {
      const communication = await this.lockCommunication(manager, communicationId);
      if (!communication) return { outcome: 'not-found' };
      if (communication.status !== CommunicationStatus.AWAITING_APPROVAL) {
        const decided = communication.approvedBy !== null ? ` (approved by ${communication.approvedBy})` : '';
        return { outcome: 'conflict', reason: `expected a communication AWAITING_APPROVAL, got ${communication.status}${decided}`, communication };
      }
      const deliveries = await this.deliveriesOf(manager, communicationId);
      const now = this.clock();
      const detail = `${kind === 'approve' ? 'approved' : 'rejected'} by ${decision.by}${decision.note ? `: ${decision.note}` : ''}`;
      if (kind === 'approve') {
        const scheduled = communication.scheduledAt !== null && communication.scheduledAt.getTime() > now.getTime();
        for (const delivery of deliveries) await appendEvent(manager, delivery.id, delivery.status, detail, now);
        await this.update(manager, communication, { status: scheduled ? CommunicationStatus.SCHEDULED : CommunicationStatus.QUEUED, approvedBy: decision.by, approvedAt: now, updatedAt: now });
      } else {
        for (const delivery of deliveries) {
          await this.update(manager, delivery, { status: DeliveryStatus.CANCELLED, updatedAt: now });
          await appendEvent(manager, delivery.id, DeliveryStatus.CANCELLED, detail, now);
        }
        await this.update(manager, communication, { status: CommunicationStatus.REJECTED, updatedAt: now });
      }
      return { outcome: 'reviewed', communication, deliveries };
    });
  }

  cancel(communicationId: string): Promise<CancelResult> {
    return this.gate.write(async (manager): Promise<CancelResult> => {
      const communication = await this.lockCommunication(manager, communicationId);
      if (!communication) return { outcome: 'not-found' };
      const deliveries = await this.deliveriesOf(manager, communicationId);
      if (communication.status === CommunicationStatus.CANCELLED) return { outcome: 'cancelled', changed: false, communication, deliveries };
      const cancellable = [CommunicationStatus.SCHEDULED, CommunicationStatus.QUEUED, CommunicationStatus.AWAITING_APPROVAL];
      if (!cancellable.includes(communication.status)) {
        return { outcome: 'conflict', reason: `expected a SCHEDULED or QUEUED communication, got ${communication.status}`, communication };
      }
      const started = deliveries.find((d) => d.status !== DeliveryStatus.PENDING);
      if (started) {
        return { outcome: 'conflict', reason: `expected every delivery PENDING, got ${started.channel} ${started.status}`, communication };
      }
      const now = this.clock();
      for (const delivery of deliveries) {
        await this.update(manager, delivery, { status: DeliveryStatus.CANCELLED, updatedAt: now });
        await appendEvent(manager, delivery.id, DeliveryStatus.CANCELLED, 'cancelled on request', now);
      }
      await this.update(manager, communication, { status: CommunicationStatus.CANCELLED, updatedAt: now });
      return { outcome: 'cancelled', changed: true, communication, deliveries };
    });
  }

  resetForRetry(deliveryId: string): Promise<RetryResult> {
    return this.gate.write(async (manager): Promise<RetryResult> => {
      const locked = await this.lockDelivery(manager, deliveryId);
      if (!locked) return { outcome: 'not-found' };
      const { communication, delivery, deliveries } = locked;
      if (communication.status === CommunicationStatus.CANCELLED || communication.status === CommunicationStatus.REJECTED) {
        return { outcome: 'conflict', reason: `expected a communication that is not CANCELLED or REJECTED, got ${communication.status}`, delivery };
      }
      if (!canRetry(delivery.status)) {
        return { outcome: 'conflict', reason: `expected a FAILED or BOUNCED delivery, got ${delivery.status}`, delivery };
      }
      const now = this.clock();
      // A late provider report about the previous send must not find the new one.
      await this.update(manager, delivery, { status: DeliveryStatus.PENDING, error: null, providerMessageId: null, queuedAt: null, updatedAt: now });
      await appendEvent(manager, delivery.id, DeliveryStatus.PENDING, 'retry requested', now);
      await this.refreshStatus(manager, communication, deliveries, now);
      return { outcome: 'reset', delivery, communication };
    });
  }

  /**
   * QUEUED or SCHEDULED → RENDERING when the render job starts and nothing has
   * moved yet. Returns the deliveries read under the lock, which the render
   * step needs next.
   */
  markRendering(communicationId: string): Promise<RenderingMark | null> {
    return this.gate.write(async (manager) => {
      const communication = await this.lockCommunication(manager, communicationId);
      if (!communication) return null;
      const deliveries = await this.deliveriesOf(manager, communicationId);
      const waiting = communication.status === CommunicationStatus.QUEUED || communication.status === CommunicationStatus.SCHEDULED;
      const untouched = deliveries.every((d) => d.status === DeliveryStatus.PENDING);
      if (!waiting || !untouched) return { communication, deliveries, changed: false };
      await this.update(manager, communication, { status: CommunicationStatus.RENDERING, updatedAt: this.clock() });
      return { communication, deliveries, changed: true };
    });
  }

  /**
   * The communication (locked first, found through the delivery in the same
   * statement) and then all its deliveries, locked too: the status derivation
   * needs the siblings anyway, and one statement for them costs less than a
   * probe, a lock of the one delivery and a second read of the rest.
   */
  private async lockDelivery(
    manager: EntityManager,
    deliveryId: string,
  ): Promise<{ communication: CommunicationEntity; delivery: DeliveryEntity; deliveries: DeliveryEntity[] } | null> {
    const [row] = await this.sql.rows(manager, this.statements.ownerOf, [deliveryId]);
    if (!row) return null;
    const communication = communicationOf(row);
    const deliveries = await this.deliveriesOf(manager, communication.id);
    const delivery = deliveries.find((d) => d.id === deliveryId);
    return delivery ? { communication, delivery, deliveries } : null;
  }

  /** Whether any of these deliveries has an engagement of one of these kinds. */
  private async anyEngagement(manager: EntityManager, deliveryIds: readonly string[], kinds: readonly EngagementKind[]): Promise<boolean> {
    if (deliveryIds.length === 0 || kinds.length === 0) return false;
    const ids = deliveryIds.map((_, i) => this.sql.p(i + 1)).join(', ');
    const names = kinds.map((_, i) => this.sql.p(deliveryIds.length + i + 1)).join(', ');
    const rows = await this.sql.rows(manager, `SELECT 1 AS "found" FROM "engagement" WHERE "deliveryId" IN (${ids}) AND "kind" IN (${names}) LIMIT 1`, [...deliveryIds, ...kinds]);
    return rows.length > 0;
  }

  private async lockCommunication(manager: EntityManager, id: string): Promise<CommunicationEntity | null> {
    const [row] = await this.sql.rows(manager, this.statements.communication, [id]);
    return row ? communicationOf(row) : null;
  }

  /** All of the communication's deliveries by ordinal, locked (the communication is locked already). */
  private async deliveriesOf(manager: EntityManager, communicationId: string): Promise<DeliveryEntity[]> {
    return (await this.sql.rows(manager, this.statements.deliveriesOf, [communicationId])).map(deliveryOf);
  }

  /** Writes the changes and applies them to the (locked) row in hand, version included. */
  private async update<T extends CommunicationEntity | DeliveryEntity>(manager: EntityManager, row: T, changes: Partial<T>): Promise<void> {
    const { sql, params } = this.stage(row, changes);
    await this.sql.changes(manager, sql, params);
  }

  /** The UPDATE of the changes, already applied to the (locked) row in hand, version included; the caller runs it. */
  private stage<T extends CommunicationEntity | DeliveryEntity>(row: T, changes: Partial<T>): Statement {
    const statement = this.sql.updateStatement(row instanceof CommunicationEntity ? 'communication' : 'delivery', row.id, changes as Record<string, unknown>);
    Object.assign(row, changes, { version: row.version + 1 });
    return statement;
  }

  /** `deliveries`: all of the communication's, locked, with this transaction's changes applied. */
  private async refreshStatus(manager: EntityManager, communication: CommunicationEntity, deliveries: readonly DeliveryEntity[], now: Date): Promise<void> {
    const status = deriveCommunicationStatus(communication.status, deliveries);
    if (status !== communication.status) await this.update(manager, communication, { status, updatedAt: now });
  }
}

/** The row of a new delivery: PENDING, nothing sent, not yet handed over; `chain[0]` its channel, the rest its fallbacks. */
export function pendingDelivery(
  of: { readonly communicationId: string; readonly customerId: string; readonly ordinal: number; readonly previousDeliveryId: string | null },
  chain: readonly Channel[],
  recipient: string | null,
  now: Date,
): DeliveryEntity {
  return Object.assign(new DeliveryEntity(), {
    id: randomUUID(),
    ...of,
    channel: chain[0],
    status: DeliveryStatus.PENDING,
    recipient,
    attempts: 0,
    providerMessageId: null,
    error: null,
    fallbackChannels: chain.slice(1),
    documentId: null,
    escalatesAt: null,
    escalatedAt: null,
    queuedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
}

/** A new delivery after `from` (a fallback, or an escalation), at the end of the communication's deliveries. */
function followUp(from: DeliveryEntity, ordinal: number, channel: Channel, rest: readonly Channel[], recipient: string | null, now: Date): DeliveryEntity {
  return pendingDelivery({ communicationId: from.communicationId, customerId: from.customerId, ordinal, previousDeliveryId: from.id }, [channel, ...rest], recipient, now);
}

/**
 * Next entry of a delivery's timeline, numbered in the insert itself; the
 * caller holds the delivery's row lock, which makes `seq` safe. `first`: the
 * delivery was created in this transaction, so its first entry is 1.
 */
export async function appendEvent(
  manager: EntityManager,
  deliveryId: string,
  status: DeliveryStatus,
  detail: string | null,
  at: Date,
  options: { readonly first?: boolean } = {},
): Promise<void> {
  const sql = rowSqlOf(manager);
  const { sql: text, params } = appendEventStatement(sql, deliveryId, status, detail, at, options);
  await sql.changes(manager, text, params);
}

/**
 * `appendEvent`'s INSERT, to run with others (`RowSql.writeAll`). `after`:
 * entries of the same delivery written before this one in the same step, which
 * it cannot see on PostgreSQL (one statement sees the rows as before it).
 */
export function appendEventStatement(
  sql: RowSql,
  deliveryId: string,
  status: DeliveryStatus,
  detail: string | null,
  at: Date,
  options: { readonly first?: boolean; readonly after?: number } = {},
): Statement {
  const id = randomUUID();
  const at_ = sql.value(at);
  if (options.first) {
    return { sql: `INSERT INTO "delivery_event" ("id", "deliveryId", "seq", "at", "status", "detail") VALUES (${sql.p(1)}, ${sql.p(2)}, 1, ${sql.p(3)}, ${sql.p(4)}, ${sql.p(5)})`, params: [id, deliveryId, at_, status, detail] };
  }
  // On SQLite each INSERT sees the one before it, so the offset is 0 there. The id a second time for the
  // sub-select: one type per parameter on PostgreSQL, anonymous placeholders on SQLite.
  const after = sql.isSqlite ? 0 : (options.after ?? 0);
  const seq = `(SELECT COALESCE(MAX(e."seq"), 0) + ${after + 1} FROM "delivery_event" e WHERE e."deliveryId" = ${sql.p(3)})`;
  return {
    sql: `INSERT INTO "delivery_event" ("id", "deliveryId", "seq", "at", "status", "detail") VALUES (${sql.p(1)}, ${sql.p(2)}, ${seq}, ${sql.p(4)}, ${sql.p(5)}, ${sql.p(6)})`,
    params: [id, deliveryId, deliveryId, at_, status, detail],
  };
}

function rowSqlOf(manager: EntityManager): RowSql {
  return new RowSql(manager.connection.options.type === 'better-sqlite3');
}

/** A plain INSERT: TypeORM would otherwise read the row's defaults and version back with a second statement. */
export async function insertRow<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: T): Promise<void> {
  await manager.createQueryBuilder().insert().into(target).values(row as QueryDeepPartialEntity<T>).updateEntity(false).execute();
}
