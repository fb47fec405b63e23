import { DeliveryStatus } from '../domain';

const { PENDING, RENDERED, SENDING, SENT, DELIVERED, READ, FAILED, BOUNCED, SKIPPED, CANCELLED } = DeliveryStatus;

/**
 * Which status may follow which. Anything not listed is a regression or a
 * replay (a provider callback delivered twice, a job retried after it already
 * advanced the delivery) and is refused without an error.
 *
 *   PENDING → RENDERED → SENDING → SENT → DELIVERED   (forward, steps may be skipped)
 *   PENDING | RENDERED | SENDING → FAILED | SKIPPED | CANCELLED
 *   SENDING → SENDING        (a new attempt of the same send)
 *   SENT → FAILED            (the provider reports "undelivered" after accepting)
 *   SENT | DELIVERED → BOUNCED
 *   SENT | DELIVERED → READ  (the recipient engaged with it; final: a late "delivered" is a replay)
 *   FAILED | BOUNCED → PENDING only through a retry (see `canRetry`)
 */
const ALLOWED: Readonly<Record<DeliveryStatus, readonly DeliveryStatus[]>> = {
  [PENDING]: [RENDERED, SENDING, SENT, DELIVERED, FAILED, SKIPPED, CANCELLED],
  [RENDERED]: [SENDING, SENT, DELIVERED, FAILED, SKIPPED, CANCELLED],
  [SENDING]: [SENDING, SENT, DELIVERED, FAILED, SKIPPED, CANCELLED],
  [SENT]: [DELIVERED, READ, FAILED, BOUNCED],
  [DELIVERED]: [READ, BOUNCED],
  [READ]: [],
  [FAILED]: [],
  [BOUNCED]: [],
  [SKIPPED]: [],
  [CANCELLED]: [],
};

export function canTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Only a delivery that ended in failure can be tried again. */
export function canRetry(from: DeliveryStatus): boolean {
  return from === FAILED || from === BOUNCED;
}

/** The statuses after which a fallback delivery on the next channel of the chain makes sense. */
export function canFallBack(from: DeliveryStatus): boolean {
  return from === FAILED || from === BOUNCED || from === SKIPPED;
}

/** Work is still to be done on the delivery itself. */
export function isActive(status: DeliveryStatus): boolean {
  return status === PENDING || status === RENDERED || status === SENDING;
}

/** Reached the customer as far as we can know: SENT is final for channels without receipts (SMTP); READ is the best case. */
export function isSuccess(status: DeliveryStatus): boolean {
  return status === SENT || status === DELIVERED || status === READ;
}

export function isFailure(status: DeliveryStatus): boolean {
  return status === FAILED || status === BOUNCED;
}
