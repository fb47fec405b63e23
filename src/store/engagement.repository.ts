import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { DeliveryStatus, type EngagementKind } from '../domain';
import type { CommunicationEntity } from './communication.entity';
import { deriveCommunicationStatus } from './communication-status';
import { DatabaseGate } from './database.gate';
import { canTransition } from './delivery-status';
import { DeliveryEntity } from './delivery.entity';
import { appendEvent, insertRow } from './delivery.lifecycle';
import { EngagementEntity } from './engagement.entity';
import { COMMUNICATION_COLUMNS, communicationOf, DELIVERY_COLUMNS, deliveryOf, RowSql } from './row.sql';

export interface EngagementSignal {
  readonly deliveryId: string;
  readonly kind: EngagementKind;
  /** Timeline and `Engagement.detail` text; never personal data. */
  readonly detail: string | null;
  /** Whether this kind moves a SENT or DELIVERED delivery to READ. */
  readonly makesRead: boolean;
  /** Whether it cancels the communication's pending escalation (its deadline, on whichever delivery holds it); default false. */
  readonly stopsEscalation?: boolean;
}

export type EngagementResult =
  | { readonly outcome: 'not-found' }
  | {
      readonly outcome: 'recorded';
      /** false: this kind was recorded on this delivery before; nothing was written. */
      readonly created: boolean;
      readonly engagement: EngagementEntity;
      /** The delivery and its communication as this step left them. */
      readonly delivery: DeliveryEntity;
      readonly communication: CommunicationEntity;
    };

/**
 * Engagement rows, each written with its timeline entry (and the step to READ
 * when it is the first signal) in one transaction that locks the communication
 * and then its deliveries, as `DeliveryLifecycle` does: a signal and a status
 * change of the same delivery queue up, and the check for an earlier signal of
 * the same kind under those locks makes "once per (delivery, kind)" exact.
 */
export class EngagementRepository {
  private readonly gate: DatabaseGate;
  private readonly sql: RowSql;
  private readonly statements: { readonly ownerOf: string; readonly deliveriesOf: string };

  constructor(
    dataSource: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.gate = new DatabaseGate(dataSource);
    const sql = (this.sql = new RowSql(this.gate.isSqlite));
    this.statements = {
      ownerOf: `SELECT ${COMMUNICATION_COLUMNS} FROM "communication" WHERE "id" = (SELECT d."communicationId" FROM "delivery" d WHERE d."id" = ${sql.p(1)})${sql.forUpdate}`,
      deliveriesOf: `SELECT ${DELIVERY_COLUMNS} FROM "delivery" WHERE "communicationId" = ${sql.p(1)} ORDER BY "ordinal" ASC${sql.forUpdate}`,
    };
  }

  record(signal: EngagementSignal): Promise<EngagementResult> {
    return this.gate.write(async (manager): Promise<EngagementResult> => {
      const [owner] = await this.sql.rows(manager, this.statements.ownerOf, [signal.deliveryId]);
      if (!owner) return { outcome: 'not-found' };
      const communication = communicationOf(owner);
      const deliveries = (await this.sql.rows(manager, this.statements.deliveriesOf, [communication.id])).map(deliveryOf);
      const delivery = deliveries.find((d) => d.id === signal.deliveryId);
      if (!delivery) return { outcome: 'not-found' };
      const earlier = await manager.findOne(EngagementEntity, { where: { deliveryId: delivery.id, kind: signal.kind } });
      if (earlier) return { outcome: 'recorded', created: false, engagement: earlier, delivery, communication };

      const now = this.clock();
      const madeRead = signal.makesRead && canTransition(delivery.status, DeliveryStatus.READ);
      const engagement = Object.assign(new EngagementEntity(), {
        id: randomUUID(),
        deliveryId: delivery.id,
        customerId: delivery.customerId,
        kind: signal.kind,
        at: now,
        detail: signal.detail,
        madeRead,
      });
      await insertRow(manager, EngagementEntity, engagement);
      const text = `${signal.kind.toLowerCase()}${signal.detail ? `: ${signal.detail}` : ''}`;
      if (madeRead) {
        await this.update(manager, 'delivery', delivery, { status: DeliveryStatus.READ, updatedAt: now });
        const status = deriveCommunicationStatus(communication.status, deliveries);
        if (status !== communication.status) await this.update(manager, 'communication', communication, { status, updatedAt: now });
      }
      await appendEvent(manager, delivery.id, delivery.status, text, now);
      if (signal.stopsEscalation) {
        // Under the same locks as the escalation step: either it escalated already, or it never will.
        for (const pending of deliveries.filter((d) => d.escalatesAt !== null)) {
          await this.update(manager, 'delivery', pending, { escalatesAt: null, updatedAt: now });
          await appendEvent(manager, pending.id, pending.status, `${signal.kind.toLowerCase()} before the escalation deadline: no escalation`, now);
        }
      }
      return { outcome: 'recorded', created: true, engagement, delivery, communication };
    });
  }

  /** Each delivery's engagement, oldest first, in the order of `deliveryIds`. */
  async ofDeliveries(deliveryIds: readonly string[]): Promise<EngagementEntity[][]> {
    const rows = deliveryIds.length
      ? await this.gate.read((m) => m.find(EngagementEntity, { where: { deliveryId: In([...deliveryIds]) }, order: { at: 'ASC', kind: 'ASC' } }))
      : [];
    const byDelivery = new Map<string, EngagementEntity[]>();
    for (const row of rows) byDelivery.set(row.deliveryId, [...(byDelivery.get(row.deliveryId) ?? []), row]);
    return deliveryIds.map((id) => byDelivery.get(id) ?? []);
  }

  /** The deliveries that carried a document (its email attachment, its portal copy, its letter), oldest first. */
  deliveriesCarrying(documentId: string): Promise<DeliveryEntity[]> {
    return this.gate.read((m) => m.find(DeliveryEntity, { where: { documentId }, order: { createdAt: 'ASC', ordinal: 'ASC' } }));
  }

  private async update<T extends { id: string; version: number }>(manager: EntityManager, table: 'communication' | 'delivery', row: T, changes: Partial<T>): Promise<void> {
    await this.sql.update(manager, table, row.id, changes as Record<string, unknown>);
    Object.assign(row, changes, { version: row.version + 1 });
  }
}
