import { DeliveryStatus } from '../domain';
import type { TransitionResult } from '../store/delivery.lifecycle';
import { isFailure } from '../store/delivery-status';
import type { DeliveryEntity } from '../store/delivery.entity';
import { runFallback, transitionAndPublish } from './delivery.fallback';
import type { OutcomeDeps } from './pipeline.deps';

export interface ProviderOutcome {
  readonly deliveryId: string;
  /** Already mapped to ours (e.g. Twilio "undelivered" → FAILED, a DSN → BOUNCED). */
  readonly status: DeliveryStatus;
  /** Timeline text, e.g. "twilio: delivered" or "bounce 5.1.1"; also the error for FAILED and BOUNCED. */
  readonly detail: string | null;
  readonly providerMessageId?: string | null;
  readonly correlationId?: string;
}

export interface ProviderOutcomeResult {
  readonly result: TransitionResult;
  /** The next channel's delivery when this report ended the delivery in failure. */
  readonly fallback: DeliveryEntity | null;
}

/**
 * What providers report after the send (Twilio status callbacks, email
 * bounces): the transition, its status event, and the fallback when the
 * delivery ended FAILED or BOUNCED. Replays and out-of-order reports (a late
 * "sent" after "delivered") change nothing and publish nothing; the lifecycle
 * refuses them. Throws NOT_FOUND for an unknown delivery id.
 */
export async function applyProviderOutcome(deps: OutcomeDeps, outcome: ProviderOutcome): Promise<ProviderOutcomeResult> {
  const failure = isFailure(outcome.status);
  const result = await transitionAndPublish(deps, outcome.deliveryId, outcome.status, {
    detail: outcome.detail,
    ...(failure ? { error: outcome.detail ?? outcome.status.toLowerCase() } : {}),
    ...(outcome.providerMessageId !== undefined ? { providerMessageId: outcome.providerMessageId } : {}),
  });
  // Before the fallback plans anything: the next request must not try an address that bounced for good.
  if (result.changed && outcome.status === DeliveryStatus.BOUNCED) await deps.bounces?.bounced(result.delivery, outcome.detail);
  const fallback = result.changed && failure ? await runFallback(deps, result.delivery, { correlationId: outcome.correlationId }) : null;
  return { result, fallback };
}
