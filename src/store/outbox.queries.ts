import { IsNull, LessThanOrEqual, Not } from 'typeorm';
import { CommunicationStatus, DeliveryStatus } from '../domain';
import { CommunicationEntity } from './communication.entity';
import type { DatabaseGate } from './database.gate';
import { DeliveryEntity } from './delivery.entity';
import { RowSql } from './row.sql';

/**
 * The outbox on top of BullMQ's job-id de-duplication: rows are written first,
 * marked once their job is in the queue, and a sweeper re-enqueues what a crash
 * left unmarked (re-enqueuing with the same job id is harmless).
 */
export class OutboxQueries {
  private readonly sql: RowSql;
  private readonly marks: { readonly communication: string; readonly deliveries: string; readonly delivery: string };

  constructor(
    private readonly gate: DatabaseGate,
    private readonly clock: () => Date,
  ) {
    const sql = (this.sql = new RowSql(gate.isSqlite));
    // Hand-written (one fixed text each, prepared once on SQLite). A delivery's mark leaves its `version` alone:
    // the version names the state a job was handed over at (job ids, the deliver job's claim check), and the
    // mark lands after the hand-over, possibly while that job already runs.
    this.marks = {
      communication: `UPDATE "communication" SET "queuedAt" = ${sql.p(1)}, "version" = "version" + 1 WHERE "id" = ${sql.p(2)} AND "queuedAt" IS NULL`,
      deliveries: `UPDATE "delivery" SET "queuedAt" = ${sql.p(1)} WHERE "communicationId" = ${sql.p(2)} AND "queuedAt" IS NULL AND "status" = ${sql.p(3)}`,
      delivery: `UPDATE "delivery" SET "queuedAt" = ${sql.p(1)} WHERE "id" = ${sql.p(2)} AND "queuedAt" IS NULL`,
    };
  }

  /** Outbox: the render job was handed to the queue. Also covers the deliveries it will handle. */
  markQueued(communicationId: string): Promise<boolean> {
    const now = this.sql.value(this.clock());
    const marks = [
      { sql: this.marks.deliveries, params: [now, communicationId, DeliveryStatus.PENDING] },
      { sql: this.marks.communication, params: [now, communicationId] },
    ];
    // One statement on PostgreSQL (see `writeAll`), atomic by itself: no transaction around it, one round trip.
    return this.gate.statement(async (manager) => (await this.sql.writeAll(manager, marks)) > 0);
  }

  /** Outbox: a fallback or retried delivery was handed to the queue. */
  markDeliveryQueued(deliveryId: string): Promise<boolean> {
    return this.gate.write(async (manager) => (await this.sql.changes(manager, this.marks.delivery, [this.sql.value(this.clock()), deliveryId])) > 0);
  }

  /** Outbox sweeper: communications never handed to the queue, created at least `olderThanMs` ago, oldest first. */
  findUnqueued(olderThanMs: number, limit: number): Promise<CommunicationEntity[]> {
    const before = this.clock().getTime() - olderThanMs;
    return this.gate.read((manager) =>
      manager
        .createQueryBuilder(CommunicationEntity, 'c')
        // Waiting for approval is not a lost hand-over: approveCommunication queues it.
        .where('c.queuedAt IS NULL AND c.status NOT IN (:...held) AND c.createdAt <= :before', { held: [CommunicationStatus.CANCELLED, CommunicationStatus.AWAITING_APPROVAL, CommunicationStatus.REJECTED], before })
        .orderBy('c.createdAt', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /** Outbox sweeper: PENDING deliveries added after their communication was queued (fallbacks, retries) and never queued. */
  findUnqueuedDeliveries(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    const before = this.clock().getTime() - olderThanMs;
    return this.gate.read((manager) =>
      manager.find(DeliveryEntity, {
        where: { queuedAt: IsNull(), status: DeliveryStatus.PENDING, communication: { queuedAt: Not(IsNull()) }, updatedAt: LessThanOrEqual(new Date(before)) },
        order: { updatedAt: 'ASC' },
        take: limit,
      }),
    );
  }

  /** Recovery: failed chain ends with channels left whose fallback was never created (a crash in between). */
  findStalledFallbacks(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    const before = this.clock().getTime() - olderThanMs;
    return this.gate.read((manager) =>
      manager
        .createQueryBuilder(DeliveryEntity, 'd')
        .where('d.status IN (:...failed) AND d.fallbackChannels <> :empty AND d.updatedAt <= :before', {
          failed: [DeliveryStatus.FAILED, DeliveryStatus.BOUNCED],
          empty: JSON.stringify([]),
          before,
        })
        .andWhere('NOT EXISTS (SELECT 1 FROM delivery successor WHERE successor."previousDeliveryId" = d.id)')
        .orderBy('d.updatedAt', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /**
   * Recovery: deliveries handed over to the queue but still PENDING, RENDERED
   * or SENDING, untouched for `olderThanMs`, of communications neither
   * cancelled nor scheduled later than that; oldest first. Their job may be
   * waiting (backoff), running, or lost (Redis restarted without its data, a
   * job failed by BullMQ's stall limit): the caller asks the queue which.
   */
  findStaleDeliveries(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    const before = this.clock().getTime() - olderThanMs;
    return this.gate.read((manager) =>
      manager
        .createQueryBuilder(DeliveryEntity, 'd')
        .innerJoin(CommunicationEntity, 'c', 'c.id = d.communicationId')
        .where('d.status IN (:...active) AND d.updatedAt <= :before', {
          active: [DeliveryStatus.PENDING, DeliveryStatus.RENDERED, DeliveryStatus.SENDING],
          before,
        })
        // A PENDING delivery never handed over is the unqueued passes' business.
        .andWhere('(d.status <> :pending OR d.queuedAt IS NOT NULL)', { pending: DeliveryStatus.PENDING })
        .andWhere('c.status <> :cancelled AND (c.scheduledAt IS NULL OR c.scheduledAt <= :before)', { cancelled: CommunicationStatus.CANCELLED })
        .orderBy('d.updatedAt', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }

  /**
   * Escalation deadlines past by `overdueMs` or more: their delayed job should
   * have run by now, so it was lost (Redis restarted without its data) or
   * failed; the caller hands them over again. Oldest deadline first.
   */
  findDueEscalations(overdueMs: number, limit: number): Promise<DeliveryEntity[]> {
    const before = this.clock().getTime() - overdueMs;
    return this.gate.read((manager) => manager.find(DeliveryEntity, { where: { escalatesAt: LessThanOrEqual(new Date(before)) }, order: { escalatesAt: 'ASC' }, take: limit }));
  }
}
