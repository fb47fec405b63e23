import { DeliveryStatus, type CustomerRecord } from '../domain';
import type { TransitionPatch, TransitionResult } from '../store/delivery.lifecycle';
import { canFallBack } from '../store/delivery-status';
import type { DeliveryEntity } from '../store/delivery.entity';
import { enqueueDelivery } from './outbox.enqueue';
import { silentLogger, type OutcomeDeps } from './pipeline.deps';
import { statusChangeOf } from '../services/status.feed';

export interface FallbackOptions {
  /** The customer as just loaded; fetched from the CRM when absent. */
  readonly customer?: CustomerRecord | null;
  readonly correlationId?: string;
}

/** Publishes a change that happened; a lost event must not undo or fail the step (the timeline has it). */
export async function publishChange(deps: OutcomeDeps, result: TransitionResult, detail: string | null): Promise<void> {
  if (!result.changed) return;
  try {
    await deps.events.publish(statusChangeOf(result, detail));
  } catch (error) {
    (deps.logger ?? silentLogger()).warn({ deliveryId: result.delivery.id, status: result.delivery.status, err: (error as Error).message }, 'status event not published');
  }
}

/** Every transition of the pipeline goes through here: written, then announced (and an escalation deadline it set, scheduled). */
export async function transitionAndPublish(deps: OutcomeDeps, deliveryId: string, to: DeliveryStatus, patch: TransitionPatch = {}): Promise<TransitionResult> {
  const result = await deps.repository.transition(deliveryId, to, patch);
  if (result.passed) {
    const { delivery, communication } = result;
    await publishChange(deps, { delivery: { ...delivery, status: result.passed.status }, communication: { ...communication, status: result.passed.communicationStatus }, changed: true }, patch.via?.detail ?? null);
  }
  await publishChange(deps, result, patch.detail ?? patch.error ?? null);
  if (result.escalatesAt) await scheduleEscalation(deps, deliveryId, result.escalatesAt);
  return result;
}

/**
 * Deadlines this close get a delayed job, to the second; later ones are left
 * to the sweeper, which hands each over when it is due (within its grace
 * period). Redis then holds the escalations of the next hour, not of every
 * statement run waiting out a two-week window.
 */
export const ESCALATION_JOB_HORIZON_MS = 3_600_000;

/** The deadline's delayed job when it is within the horizon; otherwise, or when Redis does not take it, the sweeper hands it over once due. */
async function scheduleEscalation(deps: OutcomeDeps, deliveryId: string, at: Date): Promise<void> {
  if (at.getTime() - Date.now() > ESCALATION_JOB_HORIZON_MS) return;
  try {
    await deps.dispatcher.scheduleEscalation(deliveryId, at);
  } catch (error) {
    (deps.logger ?? silentLogger()).warn({ deliveryId, err: (error as Error).message }, 'escalation job not scheduled; the sweeper takes it when due');
  }
}

/** FAILED with the reason, then the next channel of the chain. */
export function failDelivery(deps: OutcomeDeps, deliveryId: string, reason: string, options: FallbackOptions = {}): Promise<EndResult> {
  return endDelivery(deps, deliveryId, DeliveryStatus.FAILED, reason, options);
}

/** SKIPPED with the reason (the customer's choice changed while it waited), then the next channel of the chain. */
export function skipDelivery(deps: OutcomeDeps, deliveryId: string, reason: string, options: FallbackOptions = {}): Promise<EndResult> {
  return endDelivery(deps, deliveryId, DeliveryStatus.SKIPPED, reason, options);
}

type EndResult = { result: TransitionResult; fallback: DeliveryEntity | null };

async function endDelivery(deps: OutcomeDeps, deliveryId: string, status: DeliveryStatus, reason: string, options: FallbackOptions): Promise<EndResult> {
  const result = await transitionAndPublish(deps, deliveryId, status, { error: reason });
  // Also when this step was a replay: creating the fallback is idempotent and may be what a crash left undone.
  const fallback = canFallBack(result.delivery.status) ? await runFallback(deps, result.delivery, options) : null;
  return { result, fallback };
}

/**
 * The next delivery of a failed one's chain, addressed from the customer's
 * current record and handed to its channel's queue (its deliver job renders
 * what that channel needs). Null when the chain is exhausted, the
 * communication was cancelled, or the CRM could not be asked — then the
 * sweeper's stalled-fallback pass tries again.
 */
export async function runFallback(deps: OutcomeDeps, failed: DeliveryEntity, options: FallbackOptions = {}): Promise<DeliveryEntity | null> {
  const logger = deps.logger ?? silentLogger();
  const channel = failed.fallbackChannels[0];
  if (!channel) return null;
  let customer = options.customer;
  if (customer === undefined) {
    try {
      [customer] = await deps.backoffice.crm.getCustomers([failed.customerId]);
    } catch (error) {
      logger.warn({ deliveryId: failed.id, channel, err: (error as Error).message }, 'fallback postponed: the CRM did not answer');
      return null;
    }
  }
  const next = await deps.repository.addFallbackDelivery(failed.id, { recipient: customer ? deps.channels.recipientOf(channel, customer) : null });
  if (!next) return null;
  // Created earlier and already handed over: nothing left to do.
  if (next.status !== DeliveryStatus.PENDING || next.queuedAt !== null) return next;
  const communication = await deps.repository.get(next.communicationId);
  if (!communication) return next;
  await publishChange(deps, { delivery: next, communication, changed: true }, `fallback ${failed.channel}→${channel}`);
  await enqueueDelivery(deps, next, communication.priority, options.correlationId);
  logger.info({ deliveryId: failed.id, fallbackDeliveryId: next.id, from: failed.channel, to: channel }, 'fallback delivery queued');
  return next;
}

/**
 * The document cannot be composed (a record is missing, data does not fit the
 * template): no channel can do better, so the whole chain fails at once with
 * the reason, each step on the timeline, instead of trying channel after channel.
 */
export async function failChain(deps: OutcomeDeps, deliveryId: string, reason: string): Promise<void> {
  let current: string | null = deliveryId;
  while (current) {
    const { delivery } = await transitionAndPublish(deps, current, DeliveryStatus.FAILED, { error: reason });
    if (!canFallBack(delivery.status) || delivery.fallbackChannels.length === 0) return;
    const next = await deps.repository.addFallbackDelivery(delivery.id, { recipient: null });
    current = next && next.status === DeliveryStatus.PENDING ? next.id : null;
  }
}
