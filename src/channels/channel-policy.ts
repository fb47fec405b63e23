import { Channel, ChannelPolicy, type CustomerRecord } from '../domain';
import { assertNever } from '../errors';
import type { ChannelRegistry } from './registry';

/**
 * Channel policy: which deliveries a communication gets, and in which order
 * each delivery tries its channels. Pure: same input, same plan.
 *
 * A channel is USABLE for a customer and a template when all three hold:
 *   - supported: the template lists it;
 *   - addressable: the channel's module finds an address (EMAIL an email
 *     address, SMS and WHATSAPP a mobile number, LETTER a postal address,
 *     WEBHOOK a registered endpoint; PORTAL always);
 *   - consented: every channel whose module requires consent must be in the
 *     customer's consents; LETTER needs none;
 *   - wanted: a paperless customer (preference centre) gets no paper channel
 *     while one of the template's digital channels is usable, unless the
 *     template is `paperRequired` (a legal or contractual notice).
 *
 * EXPLICIT       `channels` is required (non-empty, no duplicates). One delivery
 *                per given channel, chain of length 1, no fallback. Every given
 *                channel must be usable, consent included: an agent choosing a
 *                channel does not override an opt-out (e-privacy rules apply to
 *                transactional notices too). Otherwise an error names each
 *                channel and why.
 * PREFERRED      One delivery. Chain: the customer's preferred channel first,
 *                then `channels` (the caller's fallback order) or, when null,
 *                SMS → EMAIL → LETTER; unusable channels and repeats are left
 *                out. An error when nothing is left.
 * ALL_CONSENTED  One delivery per usable digital channel (every module whose medium is digital),
 *                each with a chain of length 1. LETTER, which needs no consent,
 *                is the safety net: planned only when no digital channel is
 *                usable, so the customer still hears from us, and never as an
 *                extra copy. `channels` must be null (it has no meaning here).
 *
 * `channels`, when given, is never empty and never repeats a channel. Plans
 * list channels in the registry's order (EMAIL, SMS, WHATSAPP, PORTAL, WEBHOOK, LETTER) where the policy
 * does not set one, so the same request always gives the same plan.
 */

export interface DeliveryPlanInput {
  readonly policy: ChannelPolicy;
  /** Required with EXPLICIT; the fallback order with PREFERRED; null otherwise. */
  readonly channels: readonly Channel[] | null;
  readonly customer: CustomerRecord;
  readonly templateChannels: readonly Channel[];
  /** The channel modules: addresses, consent rules, digital or paper. */
  readonly registry: ChannelRegistry;
  /** The template must reach paper even for a paperless customer. */
  readonly paperRequired?: boolean;
}

export interface PlannedDelivery {
  /** chain[0] is tried first; the rest, in order, after a permanent failure. */
  readonly chain: Channel[];
}

export type DeliveryPlan =
  | { readonly ok: true; readonly plans: PlannedDelivery[] }
  | { readonly ok: false; readonly error: string };

const DEFAULT_FALLBACK: readonly Channel[] = [Channel.SMS, Channel.EMAIL, Channel.LETTER];

export function planDeliveries(input: DeliveryPlanInput): DeliveryPlan {
  const { policy, channels, customer, templateChannels, registry } = input;
  const inputError = checkChannelsArgument(policy, channels);
  if (inputError) return { ok: false, error: inputError };
  const usable = (channel: Channel): string | null => whyUnusable(registry, channel, customer, templateChannels);
  const paperless = refusesPaper(customer, input.paperRequired === true) ? registry.digital().find((channel) => usable(channel) === null) : undefined;
  const paper = new Set(registry.paper());
  const why = (channel: Channel): string | null =>
    usable(channel) ?? (paperless && paper.has(channel) ? `is not used: the customer is paperless and ${paperless} is usable` : null);

  switch (policy) {
    case ChannelPolicy.EXPLICIT: {
      const given = channels ?? [];
      const problems = given.flatMap((channel) => {
        const reason = why(channel);
        return reason ? [`${channel} ${reason}`] : [];
      });
      if (problems.length > 0) return { ok: false, error: `Cannot deliver as requested: ${problems.join('; ')}` };
      return { ok: true, plans: given.map((channel) => ({ chain: [channel] })) };
    }
    case ChannelPolicy.PREFERRED: {
      const candidates = unique([
        ...(customer.preferredChannel ? [customer.preferredChannel] : []),
        ...(channels ?? DEFAULT_FALLBACK),
      ]);
      const chain = candidates.filter((channel) => why(channel) === null);
      if (chain.length === 0) {
        return { ok: false, error: `No usable channel for this customer: ${describe(candidates, why)}` };
      }
      return { ok: true, plans: [{ chain }] };
    }
    case ChannelPolicy.ALL_CONSENTED: {
      const all = registry.digital();
      const digital = all.filter((channel) => why(channel) === null);
      if (digital.length > 0) return { ok: true, plans: digital.map((channel) => ({ chain: [channel] })) };
      const letters = registry.paper().filter((channel) => why(channel) === null);
      if (letters.length > 0) return { ok: true, plans: letters.slice(0, 1).map((channel) => ({ chain: [channel] })) };
      // Only what the template offers is worth naming, plus the paper safety net.
      const named = [...all.filter((channel) => templateChannels.includes(channel)), ...registry.paper()];
      return {
        ok: false,
        error: `No usable channel for this customer: ${describe(named, why)}`,
      };
    }
    default:
      return assertNever(policy);
  }
}

/** The customer went paperless and the template does not have to reach paper: no paper channel while a digital one reaches them. */
export function refusesPaper(customer: CustomerRecord, paperRequired: boolean): boolean {
  return customer.preferences?.paperless === true && !paperRequired;
}

/** Why `channel` cannot be used for this customer and template, or null when it can. */
export function whyUnusable(
  registry: ChannelRegistry,
  channel: Channel,
  customer: CustomerRecord,
  templateChannels: readonly Channel[],
): string | null {
  if (!templateChannels.includes(channel)) return 'is not supported by the template';
  if (!registry.has(channel)) return 'is not a channel this gateway serves';
  return registry.whyUnreachable(channel, customer);
}

function checkChannelsArgument(policy: ChannelPolicy, channels: readonly Channel[] | null): string | null {
  if (channels !== null) {
    if (policy === ChannelPolicy.ALL_CONSENTED) {
      return `channels: expected null with channelPolicy ALL_CONSENTED, got [${channels.join(', ')}]`;
    }
    if (channels.length === 0) {
      return policy === ChannelPolicy.EXPLICIT
        ? 'channels: expected at least one channel with channelPolicy EXPLICIT, got an empty list'
        : 'channels: expected null (default fallback order) or at least one channel, got an empty list';
    }
    const repeated = channels.filter((channel, index) => channels.indexOf(channel) !== index);
    if (repeated.length > 0) {
      return `channels: expected each channel at most once, got ${unique(repeated).join(', ')} more than once`;
    }
  } else if (policy === ChannelPolicy.EXPLICIT) {
    return 'channels: expected at least one channel with channelPolicy EXPLICIT, got none';
  }
  return null;
}

function describe(channels: readonly Channel[], why: (channel: Channel) => string | null): string {
  return channels.map((channel) => `${channel} ${why(channel) ?? 'is usable'}`).join('; ');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
