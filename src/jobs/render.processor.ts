import { UnrecoverableError, type Job } from 'bullmq';
import { CommunicationStatus, DeliveryStatus } from '../domain';
import { ComposeError } from '../render/template.catalog';
import { failChain, failDelivery, transitionAndPublish } from './delivery.fallback';
import { composeCommunication, prepareDeliveries, type Composed } from './delivery.preparer';
import type { RenderJobData } from './dispatcher';
import { attemptOf, type JobAttempt } from './job.attempt';
import type { PipelineDeps } from './pipeline.deps';

export type RenderOutcome = 'rendered' | 'nothing-to-do' | 'cancelled' | 'awaiting-approval' | 'not-found' | 'failed';

/** BullMQ processor of the render queue: ids in, everything else from the store and the back-office. */
export function renderProcessor(deps: PipelineDeps): (job: Job<RenderJobData>) => Promise<RenderOutcome> {
  return (job) => renderCommunication(deps, job.data.communicationId, attemptOf(job));
}

/**
 * The render step of one communication: fresh data, one document model, then
 * each PENDING delivery's form; each delivery becomes RENDERED and goes to its
 * channel's queue. Safe to run again: only PENDING deliveries are rendered, and
 * RENDERED ones are handed on again (the job id makes that a no-op when their
 * deliver job exists), which covers a crash between the two steps.
 */
export async function renderCommunication(deps: PipelineDeps, communicationId: string, attempt: JobAttempt): Promise<RenderOutcome> {
  const log = { communicationId, correlationId: attempt.correlationId };
  // Under the communication's row lock: once RENDERING, a cancel is refused, so nothing is rendered for a cancelled one.
  const marked = await deps.repository.markRendering(communicationId);
  if (!marked) {
    deps.logger.warn(log, 'render job for a communication that does not exist');
    return 'not-found';
  }
  const communication = marked.communication;
  if (communication.status === CommunicationStatus.CANCELLED || communication.status === CommunicationStatus.REJECTED) return 'cancelled';
  // Nothing is rendered for delivery before a second person approved it (a job can only come from a stray hand-over).
  if (communication.status === CommunicationStatus.AWAITING_APPROVAL) return 'awaiting-approval';
  const deliveries = marked.deliveries;
  const pending = deliveries.filter((d) => d.status === DeliveryStatus.PENDING);
  const handOn = deliveries.filter((d) => d.status === DeliveryStatus.RENDERED);

  if (pending.length > 0) {
    const started = Date.now();
    let composed: Composed;
    try {
      composed = await composeCommunication(deps, communication);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof ComposeError) {
        for (const delivery of pending) await failChain(deps, delivery.id, reason);
        deps.logger.warn({ ...log, err: reason }, 'communication cannot be composed');
        throw new UnrecoverableError(reason);
      }
      if (!attempt.final) throw error; // back-office down: BullMQ retries with backoff
      for (const delivery of pending) await failDelivery(deps, delivery.id, `render failed: ${reason}`, { correlationId: attempt.correlationId });
      throw error;
    }
    const prepared = await prepareDeliveries(deps, communication, composed, pending);
    for (const [i, delivery] of pending.entries()) {
      const outcome = prepared[i];
      if (!outcome.ok) {
        await failDelivery(deps, delivery.id, outcome.reason, { customer: composed.ctx.customer, correlationId: attempt.correlationId });
        continue;
      }
      // The artifact first: a deliver job never finds a RENDERED delivery without one (unless it expired).
      await deps.artifacts.put(delivery.id, outcome.message);
      const result = await transitionAndPublish(deps, delivery.id, DeliveryStatus.RENDERED, { documentId: outcome.documentId, detail: outcome.detail });
      if (result.changed) handOn.push(result.delivery);
    }
    const durationMs = Date.now() - started;
    deps.logger.info({ ...log, deliveries: pending.length, ms: durationMs }, 'communication rendered');
    deps.onRendered?.({ communicationId, deliveries: pending.length, durationMs });
  }

  for (const delivery of handOn) {
    await deps.dispatcher.dispatchDelivery(delivery.id, delivery.channel, {
      priority: communication.priority,
      generation: delivery.version,
      correlationId: attempt.correlationId,
    });
  }
  return pending.length > 0 ? 'rendered' : 'nothing-to-do';
}
