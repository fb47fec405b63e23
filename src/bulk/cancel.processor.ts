import type { Queue } from 'bullmq';
import type { Channel } from '../domain';
import { deliverJobId } from '../jobs/dispatcher';
import type { JobLogger } from '../jobs/pipeline.deps';
import type { CommunicationRepository } from '../store/communication.repository';
import type { BatchRepository } from '../store/batch.repository';

export interface CancelDeps {
  readonly store: BatchRepository;
  readonly repository: CommunicationRepository;
  readonly renderQueue: Queue;
  readonly deliverQueues: ReadonlyMap<Channel, Queue>;
  readonly logger: JobLogger;
}

/**
 * Cancels what a cancelled run has not started yet, a page of members at a
 * time: each communication still QUEUED (or SCHEDULED) with every delivery
 * PENDING becomes CANCELLED and its render (or deliver) job leaves the queue; one already
 * rendering goes on (cancelling it would leave a half-sent communication).
 * Safe to run again.
 */
export async function cancelBatchCommunications(deps: CancelDeps, batchId: string, pageSize = 500): Promise<{ cancelled: number; started: number }> {
  let after: string | null = null;
  let cancelled = 0;
  let started = 0;
  for (;;) {
    const page = await deps.store.createdMembers(batchId, after, pageSize);
    if (page.length === 0) break;
    for (const member of page) {
      const result = await deps.repository.cancel(member.communicationId);
      if (result.outcome === 'cancelled') {
        if (result.changed) cancelled += 1;
        // A job that is running cannot be removed; the render and deliver jobs skip a cancelled communication anyway.
        await deps.renderQueue.remove(member.communicationId).catch(() => 0);
        // A run hands a communication of one delivery straight to its deliver job, at the delivery's first version.
        if (result.deliveries.length === 1) {
          const [delivery] = result.deliveries;
          await deps.deliverQueues.get(delivery.channel)?.remove(deliverJobId(delivery.id, 1)).catch(() => 0);
        }
      } else if (result.outcome === 'conflict') started += 1;
    }
    after = page[page.length - 1].customerId;
  }
  deps.logger.info({ batchId, cancelled, started }, 'bulk batch cancelled');
  return { cancelled, started };
}
