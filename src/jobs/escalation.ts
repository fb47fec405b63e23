import { DelayedError, type Job } from 'bullmq';
import { refusesPaper } from '../channels/channel-policy';
import type { ChannelRegistry } from '../channels/registry';
import type { Channel, CustomerRecord, EngagementKind, Escalation } from '../domain';
import type { EscalationResult, EscalationStep } from '../store/delivery.lifecycle';
import { publishChange } from './delivery.fallback';
import type { EscalateJobData } from './dispatcher';
import { enqueueDelivery } from './outbox.enqueue';
import type { PipelineDeps } from './pipeline.deps';

/**
 * The escalation channels that reach the customer as they are now, in the
 * escalation's order: addressable and consented (the channel modules' rule),
 * and no paper for a paperless customer unless the template must reach paper.
 */
export function escalationChain(
  registry: ChannelRegistry,
  escalation: Escalation,
  customer: CustomerRecord | null,
  paperRequired: boolean,
): Pick<EscalationStep, 'chain' | 'recipient' | 'why'> {
  if (!customer) return { chain: [], recipient: null, why: 'the customer is no longer in the CRM' };
  const paper = new Set(registry.paper());
  const reasons: string[] = [];
  const chain = escalation.then.filter((channel: Channel) => {
    const why = !registry.has(channel)
      ? 'is not a channel this gateway serves'
      : (registry.whyUnreachable(channel, customer) ?? (paper.has(channel) && refusesPaper(customer, paperRequired) ? 'is not used: the customer is paperless' : null));
    if (why) reasons.push(`${channel} ${why}`);
    return why === null;
  });
  return { chain, recipient: chain[0] ? registry.recipientOf(chain[0], customer) : null, why: reasons.length ? reasons.join('; ') : null };
}

/**
 * One due deadline: the customer's current record (the letter goes to the
 * address as it is now), then the store's exactly-once step, then the new
 * delivery announced and handed to its channel's queue. A CRM that does not
 * answer fails the attempt (BullMQ retries; the sweeper after that).
 */
export async function runEscalation(deps: PipelineDeps, deliveryId: string, readKinds: readonly EngagementKind[]): Promise<EscalationResult> {
  const delivery = await deps.repository.getDelivery(deliveryId);
  if (!delivery || delivery.escalatesAt === null) return { outcome: 'none' };
  if (delivery.escalatesAt.getTime() > deps.clock().getTime()) return { outcome: 'not-due', escalatesAt: delivery.escalatesAt };
  const communication = await deps.repository.get(delivery.communicationId);
  if (!communication?.escalation) return { outcome: 'none' };
  const customer = deps.currentCustomer ? await deps.currentCustomer(delivery.customerId) : ((await deps.backoffice.crm.getCustomers([delivery.customerId]))[0] ?? null);
  // The template version it was sent with (a later publish may have changed paperRequired), compiled here if this process lacks it.
  await deps.templateVersions?.ensure(communication.templateKey, communication.templateVersion);
  const paperRequired = deps.templates.get(communication.templateKey, communication.templateVersion)?.paperRequired === true;
  const result = await deps.repository.escalate(deliveryId, { ...escalationChain(deps.channels, communication.escalation, customer, paperRequired), readKinds });
  if (result.outcome === 'escalated') {
    // Both: the unread delivery now says when it escalated, the new one is on its way.
    const detail = `escalation ${result.from.channel}→${result.next.channel}`;
    await publishChange(deps, { delivery: result.from, communication: result.communication, changed: true }, detail);
    await publishChange(deps, { delivery: result.next, communication: result.communication, changed: true }, detail);
    await enqueueDelivery(deps, result.next, result.communication.priority);
    deps.logger.info({ deliveryId, escalationDeliveryId: result.next.id, from: result.from.channel, to: result.next.channel }, 'unread: escalation delivery queued');
  } else if (result.outcome !== 'none' && result.outcome !== 'not-due') {
    deps.logger.info({ deliveryId, outcome: result.outcome }, 'escalation deadline passed without escalating');
  }
  return result;
}

/** The `escalate` queue's processor: a job that ran early (clocks apart) waits again until the deadline. */
export function escalateProcessor(deps: PipelineDeps, readKinds: readonly EngagementKind[]) {
  return async (job: Job<EscalateJobData>, token?: string): Promise<string> => {
    const result = await runEscalation(deps, job.data.deliveryId, readKinds);
    if (result.outcome === 'not-due' && token) {
      await job.moveToDelayed(result.escalatesAt.getTime(), token);
      throw new DelayedError();
    }
    return result.outcome;
  };
}
