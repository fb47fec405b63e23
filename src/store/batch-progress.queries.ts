import type { DataSource } from 'typeorm';
import { CommunicationStatus, DeliveryStatus } from '../domain';
import { BatchMemberEntity } from './batch-member.entity';
import type { BatchEntity } from './batch.entity';
import { CommunicationEntity } from './communication.entity';
import { DatabaseGate } from './database.gate';
import { DeliveryEntity } from './delivery.entity';
import { isTerminalBatch, type BatchStatus } from '../store/batch-status';

/**
 * A batch run's counts at one moment. Communication counts cover the ones this
 * run created (`queued`); an earlier run's (`duplicates`) are not sent again
 * and not counted again.
 */
export interface BatchProgressSnapshot {
  readonly batchId: string;
  readonly status: BatchStatus;
  /** Targets known up front (a list's size); for a selection, known once it has been read. */
  readonly total: number | null;
  /** Targets read so far. */
  readonly targeted: number;
  /** Communications this run recorded and queued. */
  readonly queued: number;
  /** Targets an earlier run of the same key already reached: nothing sent again. */
  readonly duplicates: number;
  /** Targets that could not be planned (unknown customer, no matching contract, no usable channel). */
  readonly rejected: number;
  /** Queued, not rendered yet. */
  readonly waiting: number;
  /** Past the render step. */
  readonly rendered: number;
  /** With a delivery handed to a provider (SENT or DELIVERED). */
  readonly sent: number;
  /** With a delivery the provider confirmed, or whose hand-over is final (letter spool, portal). */
  readonly delivered: number;
  /** Every channel failed. */
  readonly failed: number;
  readonly cancelled: number;
  /** DELIVERED, PARTIALLY_DELIVERED, FAILED or CANCELLED: nothing more will happen to them. */
  readonly settled: number;
  /** The run is over (COMPLETED, CANCELLED, FAILED). */
  readonly done: boolean;
  /** ISO-8601 with milliseconds. */
  readonly at: string;
}

const WAITING = [CommunicationStatus.SCHEDULED, CommunicationStatus.QUEUED, CommunicationStatus.RENDERING];
const SETTLED = [CommunicationStatus.DELIVERED, CommunicationStatus.PARTIALLY_DELIVERED, CommunicationStatus.FAILED, CommunicationStatus.CANCELLED];

/** Two grouped queries over the run's members: communication statuses, and deliveries handed over. */
export class BatchProgressQueries {
  private readonly gate: DatabaseGate;

  constructor(dataSource: DataSource, private readonly clock: () => Date = () => new Date()) {
    this.gate = new DatabaseGate(dataSource);
  }

  async snapshot(batch: BatchEntity): Promise<BatchProgressSnapshot> {
    const { byStatus, sent, delivered } = await this.gate.read(async (manager) => {
      const rows = await manager
        .createQueryBuilder(BatchMemberEntity, 'm')
        .innerJoin(CommunicationEntity, 'c', 'c.id = m.communicationId')
        .select('c.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .where('m.batchId = :id AND m.outcome = :created', { id: batch.id, created: 'created' })
        .groupBy('c.status')
        .getRawMany<{ status: CommunicationStatus; count: string | number }>();
      const handed = await manager
        .createQueryBuilder(BatchMemberEntity, 'm')
        .innerJoin(DeliveryEntity, 'd', 'd.communicationId = m.communicationId')
        .select('COUNT(DISTINCT CASE WHEN d.status IN (:...sent) THEN m.communicationId END)', 'sent')
        .addSelect('COUNT(DISTINCT CASE WHEN d.status IN (:...delivered) THEN m.communicationId END)', 'delivered')
        .where('m.batchId = :id AND m.outcome = :created', { id: batch.id, created: 'created', sent: [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ], delivered: [DeliveryStatus.DELIVERED, DeliveryStatus.READ] })
        .getRawOne<{ sent: string | number | null; delivered: string | number | null }>();
      return {
        byStatus: new Map(rows.map((row) => [row.status, Number(row.count)])),
        sent: Number(handed?.sent ?? 0),
        delivered: Number(handed?.delivered ?? 0),
      };
    });
    const sum = (statuses: readonly CommunicationStatus[]): number => statuses.reduce((total, s) => total + (byStatus.get(s) ?? 0), 0);
    const waiting = sum(WAITING);
    const cancelled = byStatus.get(CommunicationStatus.CANCELLED) ?? 0;
    const recorded = [...byStatus.values()].reduce((a, b) => a + b, 0);
    return {
      batchId: batch.id,
      status: batch.status as BatchStatus,
      total: batch.total,
      targeted: batch.targeted,
      queued: batch.created,
      duplicates: batch.duplicates,
      rejected: batch.rejected,
      waiting,
      rendered: recorded - waiting - cancelled,
      sent,
      delivered,
      failed: byStatus.get(CommunicationStatus.FAILED) ?? 0,
      cancelled,
      settled: sum(SETTLED),
      done: isTerminalBatch(batch.status),
      at: this.clock().toISOString(),
    };
  }
}
