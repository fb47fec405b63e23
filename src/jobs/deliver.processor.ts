import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { PermanentDeliveryError } from '../channels/channel';
import { CommunicationStatus, DeliveryStatus, type CustomerRecord } from '../domain';
import { ComposeError } from '../render/template.catalog';
import { isActive } from '../store/delivery-status';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { RenderedMessage } from '../channels/channel';
import { failChain, failDelivery, skipDelivery, transitionAndPublish } from './delivery.fallback';
import { checkAtSendTime } from './send-time.check';
import { composeCommunication, prepareDeliveries } from './delivery.preparer';
import type { DeliverJobData } from './dispatcher';
import { canLookUp, recoverInterruptedSend } from './interrupted.send';
import { attemptOf, handBack, JobReleasedError, type AttemptRuntime, type JobAttempt } from './job.attempt';
import type { PipelineDeps } from './pipeline.deps';
import { traceProviderCall } from '../telemetry/provider.trace';

export type DeliverOutcome = 'sent' | 'delivered' | 'skipped' | 'cancelled' | 'awaiting-approval' | 'not-found';

/**
 * BullMQ processor of the deliver queues (one per channel, same code). Three
 * parameters, so BullMQ hands it the abort signal it uses to ask for jobs back.
 */
export function deliverProcessor(
  deps: PipelineDeps,
  runtime: Pick<AttemptRuntime, 'lockDurationMs'> = {},
): (job: Job<DeliverJobData>, token?: string, signal?: AbortSignal) => Promise<DeliverOutcome> {
  return (job, token, signal) =>
    deliver(deps, job.data.deliveryId, attemptOf(job, { ...runtime, token, signal })).catch((error: unknown) => handBack(job, token, error));
}

/**
 * One send of one delivery. Idempotent: a delivery that is no longer PENDING,
 * RENDERED or SENDING (a replayed job after SENT, a cancelled one) is left
 * alone. A PENDING delivery (the only one of its communication, handed here
 * without a render job; a fallback; a retry) or one whose rendered texts
 * expired is rendered here first, from fresh back-office data; a PENDING one
 * then becomes RENDERED and SENDING in one step, right before the send.
 *
 * Exactly once, as far as the channel allows: the delivery is claimed
 * (SENDING) before the provider is called, the provider's answer goes to a
 * send receipt the moment it arrives and to the database right after. An
 * attempt that finds the delivery already SENDING knows a previous one was
 * interrupted and first looks for what it left (`recoverInterruptedSend`).
 *
 * Failures: PermanentDeliveryError → FAILED and the next channel; anything
 * else is thrown for BullMQ to retry with backoff, and on the last attempt the
 * delivery ends FAILED and the next channel takes over.
 */
export async function deliver(deps: PipelineDeps, deliveryId: string, attempt: JobAttempt): Promise<DeliverOutcome> {
  const found = await deps.repository.getDeliveryAndCommunication(deliveryId);
  if (!found) {
    deps.logger.warn({ deliveryId, correlationId: attempt.correlationId }, 'deliver job for a delivery that does not exist');
    return 'not-found';
  }
  const { delivery, communication } = found;
  if (!isActive(delivery.status)) return 'skipped';
  if (communication.status === CommunicationStatus.CANCELLED || communication.status === CommunicationStatus.REJECTED) return 'cancelled';
  // Nothing is sent before a second person approved it (a job can only come from a stray hand-over).
  if (communication.status === CommunicationStatus.AWAITING_APPROVAL) return 'awaiting-approval';
  const interrupted = delivery.status === DeliveryStatus.SENDING;
  // The version this attempt last saw or wrote: anything else at the claim means another attempt moved the delivery meanwhile.
  const seenVersion = delivery.version;
  let customer: CustomerRecord | undefined;
  // Set when this attempt rendered a PENDING delivery: RENDERED is written with the claim.
  let rendered: RenderedStep | null = null;
  try {
    const provider = deps.providers[delivery.channel];
    if (!provider) throw new Error(`no provider is configured for ${delivery.channel}`);
    const cached = delivery.status === DeliveryStatus.PENDING ? null : await deps.artifacts.get(deliveryId);
    let message: RenderedMessage;
    // Whether an artifact for this delivery is in Redis, to be deleted once sent.
    let artifact = true;
    if (cached && cached.channel === delivery.channel) {
      message = cached;
    } else {
      artifact = canLookUp(provider);
      ({ message, customer, rendered } = await renderInPlace(deps, communication, delivery, attempt, artifact));
    }
    if (!interrupted) {
      // Late binding of the customer's choice: consent, paperless and quiet hours as they are now.
      customer ??= (await currentCustomer(deps, delivery.customerId)) ?? undefined;
      if (!customer) throw new PermanentDeliveryError(`customer ${delivery.customerId}: expected a record in the CRM, got none`);
      const verdict = checkAtSendTime({
        channels: deps.channels,
        channel: delivery.channel,
        customer,
        priority: communication.priority,
        template: deps.templates.get(communication.templateKey) ?? null,
        now: deps.clock(),
        defaultQuietHours: deps.quietHours ?? null,
      });
      if (verdict.kind === 'skip') {
        await skipDelivery(deps, deliveryId, verdict.reason, { customer, correlationId: attempt.correlationId });
        if (rendered && artifact) await deps.artifacts.delete(deliveryId).catch(() => undefined);
        deps.logger.info({ deliveryId, channel: delivery.channel, correlationId: attempt.correlationId }, 'delivery skipped at send time');
        return 'skipped';
      }
      if (verdict.kind === 'hold') await hold(deps, deliveryId, verdict, attempt);
    }
    // The last safe point: nothing is claimed yet, so a worker shutting down can hand the job back.
    if (attempt.released?.()) throw new JobReleasedError();
    if (attempt.holdsLock && !(await attempt.holdsLock())) {
      deps.logger.warn({ deliveryId, correlationId: attempt.correlationId }, 'job lock lost before sending: left to the worker that took the job over');
      return 'skipped';
    }
    const previous = attempt.previousError ? `, after: ${attempt.previousError}` : '';
    const claim = { attemptsIncrement: 1, detail: `attempt ${attempt.number ?? 1}${previous}` };
    const sending = await transitionAndPublish(deps, deliveryId, DeliveryStatus.SENDING, rendered
      ? { ...claim, documentId: rendered.documentId, via: { status: DeliveryStatus.RENDERED, detail: rendered.detail } }
      : claim);
    if (!sending.changed) return 'skipped';
    if (sending.delivery.version !== seenVersion + 1) {
      // Two attempts at once (a duplicate hand-over, a worker that lost its job lock): sending now could send
      // twice. The other attempt has it; should it have died, the sweeper finds the delivery SENDING without a
      // job and hands it over again, and that attempt checks what was sent.
      deps.logger.warn({ deliveryId, correlationId: attempt.correlationId }, 'another attempt claimed the delivery meanwhile: left to it');
      return 'skipped';
    }
    const recovered = interrupted ? await recoverInterruptedSend(deps, delivery, message, provider) : null;
    const sent = recovered ?? (await traceProviderCall(delivery.channel, deliveryId, (e) => (e instanceof PermanentDeliveryError ? 'refused' : 'failed'), () => provider.send(message)));
    if (!recovered) {
      await deps.receipts.record(deliveryId, sent, sending.delivery.version).catch((error: unknown) =>
        deps.logger.warn({ deliveryId, err: (error as Error).message }, 'send receipt not written; recording the send in the database only'),
      );
    }
    const to = sent.final ? DeliveryStatus.DELIVERED : DeliveryStatus.SENT;
    await transitionAndPublish(deps, deliveryId, to, { providerMessageId: sent.providerMessageId, detail: sent.detail ?? null });
    await Promise.all([artifact ? deps.artifacts.delete(deliveryId) : null, deps.receipts.clear(deliveryId)]).catch(() => undefined);
    deps.logger.info({ deliveryId, channel: delivery.channel, status: to, correlationId: attempt.correlationId }, 'delivery handed to the provider');
    return to === DeliveryStatus.DELIVERED ? 'delivered' : 'sent';
  } catch (error) {
    if (error instanceof JobReleasedError || error instanceof DelayedError) throw error;
    throw await settleFailure(deps, delivery, error, attempt, customer);
  }
}

/** The customer as they are now: batched with the other sends of the moment when the workers set that up. */
async function currentCustomer(deps: PipelineDeps, customerId: string): Promise<CustomerRecord | null> {
  if (deps.currentCustomer) return deps.currentCustomer(customerId);
  const [customer] = await deps.backoffice.crm.getCustomers([customerId]);
  return customer;
}

/**
 * Quiet time: the timeline says until when (once per window), and the job
 * waits in Redis as a delayed job. Without a BullMQ job to delay (a hand-built
 * attempt), the attempt fails and is retried with backoff: never sent early.
 */
async function hold(deps: PipelineDeps, deliveryId: string, verdict: { readonly until: Date; readonly note: string }, attempt: JobAttempt): Promise<never> {
  await deps.repository.noteDeliveries([{ deliveryId, detail: verdict.note }]);
  deps.logger.info({ deliveryId, until: verdict.until.toISOString(), correlationId: attempt.correlationId }, 'delivery held for quiet hours');
  if (attempt.holdFor) return attempt.holdFor(verdict.until.getTime() - deps.clock().getTime());
  throw new Error(verdict.note);
}

/** What rendering a PENDING delivery produced for its RENDERED step, written together with the claim. */
interface RenderedStep {
  readonly documentId: string | null;
  readonly detail: string | null;
}

/**
 * Renders this one delivery's form. For a provider that can be asked what it
 * accepted (`lookUp`: Twilio), the artifact is kept before anything is
 * claimed, so an attempt interrupted after the claim leaves its successor the
 * very text it sent, to look for at the provider. Other channels have only the
 * send receipt to go by, and a successor renders again (an email keeps its
 * Message-ID).
 */
async function renderInPlace(
  deps: PipelineDeps,
  communication: CommunicationEntity,
  delivery: DeliveryEntity,
  attempt: JobAttempt,
  lookUp: boolean,
): Promise<{ message: RenderedMessage; customer: CustomerRecord; rendered: RenderedStep | null }> {
  const started = Date.now();
  const composed = await composeCommunication(deps, communication);
  const [prepared] = await prepareDeliveries(deps, communication, composed, [delivery]);
  const customer = composed.ctx.customer;
  if (!prepared.ok) throw new PermanentDeliveryError(prepared.reason);
  if (lookUp) await deps.artifacts.put(delivery.id, prepared.message);
  const pending = delivery.status === DeliveryStatus.PENDING;
  if (pending) deps.onRendered?.({ communicationId: communication.id, deliveries: 1, durationMs: Date.now() - started });
  deps.logger.info({ deliveryId: delivery.id, channel: delivery.channel, correlationId: attempt.correlationId }, 'delivery rendered in place');
  return { message: prepared.message, customer, rendered: pending ? { documentId: prepared.documentId, detail: prepared.detail } : null };
}

/** Records what must be recorded now and returns the error for BullMQ (UnrecoverableError ends retries). */
async function settleFailure(deps: PipelineDeps, delivery: DeliveryEntity, error: unknown, attempt: JobAttempt, customer?: CustomerRecord): Promise<Error> {
  const reason = error instanceof PermanentDeliveryError && error.providerCode ? `${error.message} (${error.providerCode})` : (error as Error).message;
  const log = { deliveryId: delivery.id, channel: delivery.channel, correlationId: attempt.correlationId, err: reason };
  if (error instanceof ComposeError) {
    await failChain(deps, delivery.id, reason);
    deps.logger.warn(log, 'delivery cannot be composed');
    return new UnrecoverableError(reason);
  }
  if (error instanceof PermanentDeliveryError) {
    await failDelivery(deps, delivery.id, reason, { customer, correlationId: attempt.correlationId });
    deps.logger.warn(log, 'delivery refused for good');
    return new UnrecoverableError(reason);
  }
  if (!attempt.final) {
    deps.logger.warn(log, 'delivery attempt failed, will retry');
    return error instanceof Error ? error : new Error(String(error));
  }
  const attempts = attempt.number ?? 1;
  await failDelivery(deps, delivery.id, `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`, { customer, correlationId: attempt.correlationId });
  deps.logger.error(log, 'delivery failed after its last attempt');
  return new UnrecoverableError(reason);
}
