import { CommunicationStatus, DeliveryStatus, type Channel } from '../domain';
import { canFallBack, isActive, isFailure, isSuccess } from './delivery-status';

/** What the derivation needs to know about each delivery of one communication. */
export interface DeliveryState {
  readonly id: string;
  readonly status: DeliveryStatus;
  /** The delivery this one falls back from, if any. */
  readonly previousDeliveryId: string | null;
  /** The channels still left in this delivery's chain after its own. */
  readonly fallbackChannels: readonly Channel[];
}

const WAITING = new Set([CommunicationStatus.SCHEDULED, CommunicationStatus.QUEUED, CommunicationStatus.RENDERING, CommunicationStatus.AWAITING_APPROVAL]);
/** Decisions no delivery step undoes. */
const FINAL = new Set([CommunicationStatus.CANCELLED, CommunicationStatus.REJECTED]);

/**
 * The communication's status as a function of its deliveries. Pure, so the
 * repository and tests share it.
 *
 * - CANCELLED stays CANCELLED, REJECTED stays REJECTED; AWAITING_APPROVAL
 *   stays while every delivery is PENDING.
 * - A delivery that has a successor (a fallback delivery on the next channel)
 *   is not the end of its chain: its failure does not count. A failed chain end
 *   that still has channels left is waiting for its fallback and counts as
 *   active, so subscribers never see a FAILED that turns back into DELIVERING.
 * - While anything is active: all deliveries PENDING keeps SCHEDULED, QUEUED or
 *   RENDERING (QUEUED otherwise, e.g. after a retry); any delivery past RENDERED
 *   means DELIVERING; otherwise RENDERING.
 * - All settled: successes (SENT, DELIVERED, READ) only → DELIVERED; successes and
 *   failed chain ends (FAILED, BOUNCED) → PARTIALLY_DELIVERED; failures only →
 *   FAILED; nothing but cancelled chain ends → CANCELLED; skipped only → FAILED
 *   (nothing reached the customer).
 */
export function deriveCommunicationStatus(
  current: CommunicationStatus,
  deliveries: readonly DeliveryState[],
): CommunicationStatus {
  if (FINAL.has(current) || deliveries.length === 0) return current;

  const superseded = new Set(deliveries.map((d) => d.previousDeliveryId).filter((id): id is string => id !== null));
  const ends = deliveries.filter((d) => !superseded.has(d.id));
  // A SKIPPED delivery (the customer's choice changed while it waited) hands over to its next channel too.
  const awaitingFallback = (d: DeliveryState): boolean => canFallBack(d.status) && d.fallbackChannels.length > 0;

  if (deliveries.some((d) => isActive(d.status)) || ends.some(awaitingFallback)) {
    if (deliveries.every((d) => d.status === DeliveryStatus.PENDING)) {
      return WAITING.has(current) ? current : CommunicationStatus.QUEUED;
    }
    const beyondRendering = deliveries.some(
      (d) => d.status !== DeliveryStatus.PENDING && d.status !== DeliveryStatus.RENDERED,
    );
    return beyondRendering ? CommunicationStatus.DELIVERING : CommunicationStatus.RENDERING;
  }

  const successes = deliveries.filter((d) => isSuccess(d.status)).length;
  const failures = ends.filter((d) => isFailure(d.status)).length;
  if (successes > 0) return failures > 0 ? CommunicationStatus.PARTIALLY_DELIVERED : CommunicationStatus.DELIVERED;
  if (failures > 0) return CommunicationStatus.FAILED;
  return ends.every((d) => d.status === DeliveryStatus.CANCELLED) ? CommunicationStatus.CANCELLED : CommunicationStatus.FAILED;
}
