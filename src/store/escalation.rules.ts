import { EngagementKind, type DeliveryStatus, type Escalation } from '../domain';
import type { CommunicationEntity } from './communication.entity';
import { isSuccess } from './delivery-status';
import type { DeliveryEntity } from './delivery.entity';

/**
 * When a step starts the escalation clock: the communication has an
 * escalation, the delivery reaches the customer for the first time (SENT,
 * DELIVERED or READ from a status that was none of these), it is on a channel
 * the escalation does not lead to (a letter does not escalate to a letter),
 * and no delivery of the communication has had a deadline yet — one
 * escalation per communication, however many deliveries reach the customer.
 * Returns the deadline, or null.
 */
export function escalationDeadline(
  communication: CommunicationEntity,
  delivery: DeliveryEntity,
  deliveries: readonly DeliveryEntity[],
  to: DeliveryStatus,
  now: Date,
): Date | null {
  const escalation = communication.escalation;
  if (!escalation || !isSuccess(to) || isSuccess(delivery.status)) return null;
  if (escalation.then.includes(delivery.channel)) return null;
  if (deliveries.some((d) => d.escalatesAt !== null || d.escalatedAt !== null)) return null;
  return new Date(now.getTime() + escalation.unreadAfterSeconds * 1000);
}

/** The timeline entry that says the clock started. */
export function escalationNote(escalation: Escalation, escalatesAt: Date): string {
  return `escalates to ${escalation.then.join('→')} if unread by ${escalatesAt.toISOString()} (${durationText(escalation.unreadAfterSeconds)})`;
}

/** "72 h", "90 min", "45 s": the window as a person reads it on a timeline. */
export function durationText(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Engagement that counts as "read" for an escalation — what the escalation
 * step checks for and what cancels a pending deadline when it is recorded:
 * OPENED only when configured (mail clients fetch pixels on their own).
 */
export function escalationReadKinds(stopOnOpen: boolean): readonly EngagementKind[] {
  const kinds = [EngagementKind.READ, EngagementKind.CLICKED, EngagementKind.DOWNLOADED, EngagementKind.REPLIED];
  return stopOnOpen ? [...kinds, EngagementKind.OPENED] : kinds;
}
