import { DeliveryStatus, type Priority } from '../domain';
import type { CommunicationEntity } from '../store/communication.entity';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { Dispatcher } from './dispatcher';

export interface EnqueueDeps {
  readonly dispatcher: Dispatcher;
  readonly repository: CommunicationRepository;
  /** Default: the system clock. */
  readonly clock?: () => Date;
}

/**
 * Outbox step for a recorded communication: its render job (held until
 * `scheduledAt`, at the communication's priority), then the queued mark. A
 * crash in between leaves the row unmarked and the sweeper enqueues it again;
 * the job id makes that harmless.
 *
 * With `deliveries` (as just recorded) that are one PENDING delivery and no
 * time to wait for, its deliver job instead: the render job exists to compose
 * the document once for several channels, and for one it would only be a
 * second job, a second read and a second write (the deliver job renders a
 * PENDING delivery itself). A scheduled one keeps its render job, which
 * `cancelCommunication` can take out of the queue.
 */
export async function enqueueCommunication(
  deps: EnqueueDeps,
  communication: CommunicationEntity,
  correlationId?: string,
  deliveries?: readonly DeliveryEntity[],
): Promise<void> {
  const now = (deps.clock ?? (() => new Date()))().getTime();
  const delayMs = communication.scheduledAt ? Math.max(0, communication.scheduledAt.getTime() - now) : 0;
  const only = deliveries?.length === 1 && deliveries[0].status === DeliveryStatus.PENDING ? deliveries[0] : null;
  if (only && delayMs === 0) {
    await deps.dispatcher.dispatchDelivery(only.id, only.channel, { priority: communication.priority, generation: only.version, correlationId });
  } else {
    await deps.dispatcher.dispatch(communication.id, { priority: communication.priority, delayMs, correlationId });
  }
  await deps.repository.markQueued(communication.id);
}

/**
 * Outbox step for a delivery added after its communication was queued: a
 * fallback, or one reset by `retryDelivery`. Pass the delivery as it is after
 * that change (its `version` is part of the job id).
 */
export async function enqueueDelivery(deps: EnqueueDeps, delivery: DeliveryEntity, priority: Priority, correlationId?: string): Promise<void> {
  await deps.dispatcher.dispatchDelivery(delivery.id, delivery.channel, { priority, generation: delivery.version, correlationId });
  await deps.repository.markDeliveryQueued(delivery.id);
}
