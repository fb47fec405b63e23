import { randomUUID } from 'node:crypto';
import { Not, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { CommunicationStatus, DeliveryStatus } from '../domain';
import { notFound } from '../errors';
import { CommunicationEntity } from './communication.entity';
import { deriveCommunicationStatus } from './communication-status';
import type { DatabaseGate } from './database.gate';
import { DeliveryEventEntity } from './delivery-event.entity';
import { canFallBack, canRetry, canTransition } from './delivery-status';
import { DeliveryEntity } from './delivery.entity';

export interface TransitionPatch {
  /** Timeline text for this step; defaults to `error` when that is given. */
  readonly detail?: string | null;
  readonly error?: string | null;
  readonly providerMessageId?: string | null;
  readonly attemptsIncrement?: number;
  readonly documentId?: string | null;
}

export interface TransitionResult {
  readonly delivery: DeliveryEntity;
  readonly communication: CommunicationEntity;
  /** false: the step was a regression or a replay and nothing was written. */
  readonly changed: boolean;
}

export type CancelResult =
  | { readonly outcome: 'cancelled'; readonly changed: boolean; readonly communication: CommunicationEntity; readonly deliveries: DeliveryEntity[] }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'conflict'; readonly reason: string; readonly communication: CommunicationEntity };

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
  constructor(
    private readonly gate: DatabaseGate,
    private readonly clock: () => Date,
  ) {}

  transition(deliveryId: string, to: DeliveryStatus, patch: TransitionPatch = {}): Promise<TransitionResult> {
    return this.gate.write(async (manager) => {
      const locked = await this.lockDelivery(manager, deliveryId);
      if (!locked) throw notFound('Delivery', deliveryId);
      const { communication, delivery } = locked;
      if (!canTransition(delivery.status, to)) return { delivery, communication, changed: false };
      const now = this.clock();
      const changes: Partial<DeliveryEntity> = { status: to, updatedAt: now, attempts: delivery.attempts + (patch.attemptsIncrement ?? 0) };
      if (patch.error !== undefined) changes.error = patch.error;
      if (patch.providerMessageId !== undefined) changes.providerMessageId = patch.providerMessageId;
      if (patch.documentId !== undefined) changes.documentId = patch.documentId;
      await this.update(manager, delivery, changes);
      await appendEvent(manager, delivery.id, to, patch.detail ?? patch.error ?? null, now);
      await this.refreshStatus(manager, communication, now);
      return { delivery, communication, changed: true };
    });
  }

  /** Null when the chain is exhausted, the delivery has not failed, or the communication was cancelled. */
  addFallbackDelivery(fromDeliveryId: string, recipient: string | null): Promise<DeliveryEntity | null> {
    return this.gate.write(async (manager) => {
      const locked = await this.lockDelivery(manager, fromDeliveryId);
      if (!locked) throw notFound('Delivery', fromDeliveryId);
      const { communication, delivery: from } = locked;
      const existing = await manager.findOneBy(DeliveryEntity, { previousDeliveryId: from.id });
      if (existing) return existing;
      const [channel, ...rest] = from.fallbackChannels;
      if (!channel || !canFallBack(from.status) || communication.status === CommunicationStatus.CANCELLED) return null;
      const now = this.clock();
      const next = manager.create(DeliveryEntity, {
        id: randomUUID(),
        communicationId: communication.id,
        customerId: from.customerId,
        ordinal: await manager.countBy(DeliveryEntity, { communicationId: communication.id }),
        channel,
        status: DeliveryStatus.PENDING,
        recipient,
        attempts: 0,
        providerMessageId: null,
        error: null,
        fallbackChannels: rest,
        previousDeliveryId: from.id,
        documentId: null,
        queuedAt: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      await manager.insert(DeliveryEntity, next as QueryDeepPartialEntity<DeliveryEntity>);
      const detail = `fallback ${from.channel}→${channel}`;
      await appendEvent(manager, from.id, from.status, detail, now);
      await appendEvent(manager, next.id, DeliveryStatus.PENDING, detail, now);
      await this.refreshStatus(manager, communication, now);
      return next;
    });
  }

  cancel(communicationId: string): Promise<CancelResult> {
    return this.gate.write(async (manager): Promise<CancelResult> => {
      const communication = await this.lock(manager, CommunicationEntity, communicationId);
      if (!communication) return { outcome: 'not-found' };
      const deliveries = await manager.find(DeliveryEntity, { where: { communicationId }, order: { ordinal: 'ASC' } });
      if (communication.status === CommunicationStatus.CANCELLED) return { outcome: 'cancelled', changed: false, communication, deliveries };
      if (communication.status !== CommunicationStatus.SCHEDULED && communication.status !== CommunicationStatus.QUEUED) {
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
      const { communication, delivery } = locked;
      if (communication.status === CommunicationStatus.CANCELLED) {
        return { outcome: 'conflict', reason: 'expected a communication that is not CANCELLED, got CANCELLED', delivery };
      }
      if (!canRetry(delivery.status)) {
        return { outcome: 'conflict', reason: `expected a FAILED or BOUNCED delivery, got ${delivery.status}`, delivery };
      }
      const now = this.clock();
      // A late provider report about the previous send must not find the new one.
      await this.update(manager, delivery, { status: DeliveryStatus.PENDING, error: null, providerMessageId: null, queuedAt: null, updatedAt: now });
      await appendEvent(manager, delivery.id, DeliveryStatus.PENDING, 'retry requested', now);
      await this.refreshStatus(manager, communication, now);
      return { outcome: 'reset', delivery, communication };
    });
  }

  /** QUEUED or SCHEDULED → RENDERING when the render job starts and nothing has moved yet. */
  markRendering(communicationId: string): Promise<{ communication: CommunicationEntity; changed: boolean } | null> {
    return this.gate.write(async (manager) => {
      const communication = await this.lock(manager, CommunicationEntity, communicationId);
      if (!communication) return null;
      const waiting = communication.status === CommunicationStatus.QUEUED || communication.status === CommunicationStatus.SCHEDULED;
      const untouched = (await manager.countBy(DeliveryEntity, { communicationId, status: Not(DeliveryStatus.PENDING) })) === 0;
      if (!waiting || !untouched) return { communication, changed: false };
      await this.update(manager, communication, { status: CommunicationStatus.RENDERING, updatedAt: this.clock() });
      return { communication, changed: true };
    });
  }

  private async lockDelivery(manager: EntityManager, deliveryId: string): Promise<{ communication: CommunicationEntity; delivery: DeliveryEntity } | null> {
    const probe = await manager.findOne(DeliveryEntity, { where: { id: deliveryId }, select: { id: true, communicationId: true } });
    if (!probe) return null;
    const communication = await this.lock(manager, CommunicationEntity, probe.communicationId);
    const delivery = await this.lock(manager, DeliveryEntity, deliveryId);
    if (!communication || !delivery) return null;
    return { communication, delivery };
  }

  private lock<T extends CommunicationEntity | DeliveryEntity>(manager: EntityManager, target: new () => T, id: string): Promise<T | null> {
    return this.gate.forUpdate(manager.createQueryBuilder(target, 'row').where('row.id = :id', { id })).getOne();
  }

  /** Writes the changes and applies them to the (locked) row in hand, version included. */
  private async update<T extends CommunicationEntity | DeliveryEntity>(manager: EntityManager, row: T, changes: Partial<T>): Promise<void> {
    await manager.update(row.constructor as new () => T, { id: row.id } as never, changes as never);
    Object.assign(row, changes, { version: row.version + 1 });
  }

  private async refreshStatus(manager: EntityManager, communication: CommunicationEntity, now: Date): Promise<void> {
    const deliveries = await manager.find(DeliveryEntity, {
      where: { communicationId: communication.id },
      select: { id: true, status: true, previousDeliveryId: true, fallbackChannels: true },
    });
    const status = deriveCommunicationStatus(communication.status, deliveries);
    if (status !== communication.status) await this.update(manager, communication, { status, updatedAt: now });
  }
}

/** Next entry of a delivery's timeline; the caller holds the delivery's row lock, which makes `seq` safe. */
export async function appendEvent(
  manager: EntityManager,
  deliveryId: string,
  status: DeliveryStatus,
  detail: string | null,
  at: Date,
): Promise<void> {
  const last = await manager
    .createQueryBuilder(DeliveryEventEntity, 'e')
    .select('MAX(e.seq)', 'seq')
    .where('e.deliveryId = :deliveryId', { deliveryId })
    .getRawOne<{ seq: number | string | null }>();
  const seq = Number(last?.seq ?? 0) + 1;
  await manager.insert(DeliveryEventEntity, { id: randomUUID(), deliveryId, seq, at, status, detail });
}
