import type { Job, Queue } from 'bullmq';
import { planDeliveries } from '../channels/channel-policy';
import type { ChannelRegistry } from '../channels/registry';
import type { Backoffice } from '../connectors/backoffice';
import { DeliveryStatus, type Channel } from '../domain';
import { deliverJobId } from '../jobs/dispatcher';
import type { JobLogger } from '../jobs/pipeline.deps';
import { bullPriority, deliverQueueOf, jobOptionsFor, QueueName, type JobOptionsOverrides } from '../jobs/queue.names';
import { statusChangeOf } from '../services/status.feed';
import type { TemplateCatalog } from '../render/template.catalog';
import type { TemplateDescriptor } from '../render/template.schema';
import type { StatusFeed } from '../services/status.feed';
import type { BatchEntity } from '../store/batch.entity';
import type { CommunicationEntity } from '../store/communication.entity';
import type { CommunicationRepository, CreateCommunicationInput } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import { BatchStatus } from '../store/batch-status';
import type { BatchRepository, MemberRow } from '../store/batch.repository';
import type { BulkQueue } from './bulk.queue';
import { readTargets, type Target } from './target.reader';

export interface ExpandDeps {
  readonly store: BatchRepository;
  readonly repository: CommunicationRepository;
  readonly backoffice: Backoffice;
  readonly templates: TemplateCatalog;
  /** Published template versions, synced before use so a run takes the version active now; absent: the files only. */
  readonly templateVersions?: { sync(): Promise<void> };
  readonly channels: ChannelRegistry;
  /** The pipeline's render queue (`dispatcher.queue(QueueName.RENDER)`). */
  readonly renderQueue: Queue;
  /** Each channel's deliver queue, for communications of one delivery, which skip the render job (see `enqueueCommunication`). */
  readonly deliverQueues: ReadonlyMap<Channel, Queue>;
  readonly bulkQueue: BulkQueue;
  /** The status events: each new delivery's PENDING step is announced, as for a single send. */
  readonly events: Pick<StatusFeed, 'publish'>;
  readonly logger: JobLogger;
  readonly clock: () => Date;
  /** The dispatcher's overrides, so bulk render jobs get the same options as single ones. */
  readonly jobOptions?: JobOptionsOverrides;
  /** Expansion waits while more render and deliver jobs than this wait in the queues (Redis memory stays bounded). Default 10_000. */
  readonly highWater?: number;
}

export type ExpandOutcome = 'expanded' | 'stale' | 'stopped' | 'not-found';

/** Idempotency key of one target's communication: the same key reaches each customer once, across runs. */
export const memberKey = (batchKey: string, customerId: string): string => `${batchKey}:${customerId}`;

/**
 * One chunk of a batch: read its targets, record each communication through the
 * repository's idempotent `create`, record the chunk (guarded, so a replay
 * counts nothing twice), announce the new deliveries (PENDING) on the status
 * feed, then hand the jobs to the queues with one `addBulk` each and mark them
 * queued — write, dispatch, mark, as the outbox wants — and hand on to the next
 * chunk. Only one chunk is in memory at a time.
 */
export async function expandChunk(deps: ExpandDeps, batchId: string, chunk: number): Promise<ExpandOutcome> {
  const batch = await deps.store.get(batchId);
  if (!batch) return 'not-found';
  if (batch.status !== BatchStatus.EXPANDING) return 'stopped';
  if (batch.nextChunk !== chunk) {
    // A replay of a chunk already recorded: make sure the chunk after it is on its way.
    if (batch.nextChunk > chunk) await deps.bulkQueue.expand(batchId, batch.nextChunk);
    return 'stale';
  }
  await deps.templateVersions?.sync();
  const template = deps.templates.get(batch.templateKey);
  if (!template) {
    await deps.store.setStatus(batchId, [BatchStatus.EXPANDING], BatchStatus.FAILED, `template ${batch.templateKey} is no longer available`);
    return 'stopped';
  }
  await waitForRoom(deps);
  const page = await readTargets(deps.backoffice, deps.store, batch, chunk, { requiresContract: template.requiresContract });

  const members: MemberRow[] = page.rejected.map((r) => ({ customerId: r.customerId, outcome: 'rejected', communicationId: null, reason: r.reason.slice(0, 300) }));
  const toQueue: Recorded[] = [];
  for (const outcome of await recordTargets(deps, batch, template, page.targets)) {
    members.push(outcome.member);
    if (outcome.queue) toQueue.push(outcome.queue);
  }

  const { recorded, batch: after } = await deps.store.recordChunk(batchId, chunk, {
    members,
    targeted: page.targets.length + page.rejected.length,
    cursor: page.cursor,
    last: page.last,
  });
  if (!recorded) return 'stale';
  if (after?.status === BatchStatus.CANCELLED) {
    // Cancelled while this chunk was being read: its communications are not sent either.
    for (const { communication } of toQueue) await deps.repository.cancel(communication.id);
    return 'stopped';
  }
  await announcePending(deps, batchId, toQueue);
  await enqueueJobs(deps, batch, toQueue);
  if (!page.last) await deps.bulkQueue.expand(batchId, chunk + 1);
  deps.logger.info({ batchId, chunk, members: members.length, queued: toQueue.length, last: page.last }, 'bulk chunk expanded');
  return 'expanded';
}

/** A communication of this run still to be handed to the queue, with its deliveries. */
interface Recorded {
  readonly communication: CommunicationEntity;
  readonly deliveries: readonly DeliveryEntity[];
}

/**
 * The chunk's communications, recorded together through the repository's
 * idempotent `createMany` (multi-row inserts: one transaction per slice of the
 * chunk instead of one per target). A target the channel policy refuses is a
 * rejected member and records nothing.
 */
async function recordTargets(deps: ExpandDeps, batch: BatchEntity, template: Pick<TemplateDescriptor, 'channels' | 'paperRequired'>, targets: readonly Target[]): Promise<{ member: MemberRow; queue: Recorded | null }[]> {
  // What this process knows as active (it validated the data with it); rendered with the same version.
  const templateVersion = deps.templates.get(batch.templateKey)?.version ?? 1;
  // A bulk run names no escalation of its own: the template's default, as a single send without one.
  const escalation = deps.templates.get(batch.templateKey)?.escalation ?? null;
  const outcomes: { member: MemberRow; queue: Recorded | null }[] = [];
  const inputs: CreateCommunicationInput[] = [];
  const planned: Target[] = [];
  for (const target of targets) {
    const { customer, contract } = target;
    const plan = planDeliveries({ policy: batch.channelPolicy, channels: batch.requestedChannels, customer, templateChannels: template.channels, registry: deps.channels, paperRequired: template.paperRequired });
    if (!plan.ok) {
      outcomes.push({ member: { customerId: customer.id, outcome: 'rejected', communicationId: null, reason: plan.error.slice(0, 300) }, queue: null });
      continue;
    }
    planned.push(target);
    inputs.push({
      callerId: batch.callerId,
      idempotencyKey: memberKey(batch.batchKey, customer.id),
      customerId: customer.id,
      contractId: contract?.id ?? null,
      templateKey: batch.templateKey,
      channelPolicy: batch.channelPolicy,
      requestedChannels: batch.requestedChannels,
      data: batch.data,
      templateVersion,
      escalation,
      priority: batch.priority,
      scheduledAt: batch.scheduledAt,
      plans: plan.plans.map((p) => ({ chain: p.chain, recipient: deps.channels.recipientOf(p.chain[0], customer) })),
    });
  }
  const results = await deps.repository.createMany(inputs);
  results.forEach((result, i) => {
    const communication = result.communication;
    // Found rather than created: this run's own (a replayed chunk) when younger than the previous run's end.
    const own = result.created || batch.previousRunEndedAt === null || communication.createdAt.getTime() > batch.previousRunEndedAt.getTime();
    const member: MemberRow = { customerId: planned[i].customer.id, outcome: own ? 'created' : 'duplicate', communicationId: communication.id, reason: null };
    outcomes.push({ member, queue: own && communication.queuedAt === null ? { communication, deliveries: result.deliveries } : null });
  });
  return outcomes;
}

/**
 * The PENDING step of every delivery about to be handed over, on the status
 * feed, before the render jobs exist (so it precedes RENDERED), as
 * `sendCommunication` announces its own. All publishes of a chunk are in
 * flight at once on the feed's one connection, so a chunk costs about one
 * round trip, not one per delivery. Best effort, like every status event: the
 * timeline holds the step whatever happens here.
 */
async function announcePending(deps: ExpandDeps, batchId: string, recorded: readonly Recorded[]): Promise<void> {
  const changes = recorded.flatMap(({ communication, deliveries }) =>
    deliveries
      .filter((d) => d.status === DeliveryStatus.PENDING)
      .map((delivery) => statusChangeOf({ delivery, communication }, delivery.error)),
  );
  const results = await Promise.allSettled(changes.map((change) => deps.events.publish(change)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) deps.logger.warn({ batchId, failed: failed.length, err: String((failed[0] as PromiseRejectedResult).reason) }, 'status events not published');
}

/**
 * The chunk's jobs in one round trip per queue; the ids make a repeat
 * harmless. A communication of one PENDING delivery with no time to wait for
 * goes straight to its channel's deliver job, at the delivery's version, as
 * `enqueueCommunication` hands a single send over; the others get their
 * render job.
 */
async function enqueueJobs(deps: ExpandDeps, batch: BatchEntity, recorded: readonly Recorded[]): Promise<void> {
  if (recorded.length === 0) return;
  const now = deps.clock().getTime();
  const priority = bullPriority(batch.priority);
  const renders: Recorded[] = [];
  const deliveries = new Map<Channel, DeliveryEntity[]>();
  for (const r of recorded) {
    const delay = r.communication.scheduledAt ? Math.max(0, r.communication.scheduledAt.getTime() - now) : 0;
    const only = r.deliveries.length === 1 && r.deliveries[0].status === DeliveryStatus.PENDING ? r.deliveries[0] : null;
    if (!only || delay > 0 || !deps.deliverQueues.has(only.channel)) {
      renders.push(r);
      continue;
    }
    const list = deliveries.get(only.channel) ?? [];
    list.push(only);
    deliveries.set(only.channel, list);
  }
  const adds: Promise<unknown>[] = [];
  if (renders.length > 0) {
    const options = jobOptionsFor(QueueName.RENDER, deps.jobOptions);
    adds.push(deps.renderQueue.addBulk(renders.map(({ communication: c }) => ({
      name: 'render',
      data: { communicationId: c.id, correlationId: batch.id },
      opts: { ...options, jobId: c.id, priority, delay: c.scheduledAt ? Math.max(0, c.scheduledAt.getTime() - now) : 0 },
    }))));
  }
  for (const [channel, list] of deliveries) {
    const name = deliverQueueOf(channel);
    const options = jobOptionsFor(name, deps.jobOptions);
    adds.push(deps.deliverQueues.get(channel)!.addBulk(list.map((d) => ({
      name: 'deliver',
      data: { deliveryId: d.id, correlationId: batch.id },
      opts: { ...options, jobId: deliverJobId(d.id, d.version), priority },
    }))));
  }
  await Promise.all(adds);
  await deps.store.markQueued(recorded.map((r) => r.communication.id));
}

/** Back-pressure: a 100,000-target batch never puts more than `highWater` render and deliver jobs in Redis at once. */
async function waitForRoom(deps: ExpandDeps): Promise<void> {
  const highWater = deps.highWater ?? 10_000;
  const queues = [deps.renderQueue, ...deps.deliverQueues.values()];
  for (;;) {
    const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'prioritized')));
    if (counts.reduce((sum, c) => sum + (c.waiting ?? 0) + (c.prioritized ?? 0), 0) < highWater) return;
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

/** BullMQ processor body for `expand` jobs; on the last attempt the batch ends FAILED with the reason. */
export async function processExpandJob(deps: ExpandDeps, job: Job, batchId: string, chunk: number): Promise<ExpandOutcome> {
  try {
    return await expandChunk(deps, batchId, chunk);
  } catch (error) {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const reason = (error as Error).message;
    deps.logger.warn({ batchId, chunk, attemptsMade: job.attemptsMade, final, err: reason }, 'bulk chunk failed');
    if (final) await deps.store.setStatus(batchId, [BatchStatus.EXPANDING], BatchStatus.FAILED, `chunk ${chunk}: ${reason}`);
    throw error;
  }
}
