import { DateTime } from 'luxon';
import type { ChannelRegistry } from '../channels/registry';
import { Priority, type Channel, type CustomerRecord, type QuietHours } from '../domain';
import { quietUntil, zoneOfCountry } from '../preferences/quiet-hours';

/** What is known right before a send: the customer as just read, the channel, the template's paper rule. */
export interface SendTimeInput {
  readonly channels: ChannelRegistry;
  readonly channel: Channel;
  readonly customer: CustomerRecord;
  readonly priority: Priority;
  /** The template's channels and whether it must reach paper; null when the template is gone. */
  readonly template: { readonly channels: readonly Channel[]; readonly paperRequired: boolean } | null;
  readonly now: Date;
  /** QUIET_HOURS: for customers who set none. */
  readonly defaultQuietHours: QuietHours | null;
}

export type SendTimeVerdict =
  | { readonly kind: 'send' }
  /** Not on this channel any more: SKIPPED with the reason, the chain's next channel takes over. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Quiet time in the customer's zone: not before `until`. */
  | { readonly kind: 'hold'; readonly until: Date; readonly note: string };

/**
 * Late binding of the customer's choice: what planning checked is checked
 * again right before each send, because a STOP, a portal change or an agent's
 * call may have come in while the delivery waited in its queue. Consent and
 * paperless skip the delivery; quiet hours hold an interruptive channel (SMS,
 * WhatsApp) until they end, unless the communication is URGENT.
 */
export function checkAtSendTime(input: SendTimeInput): SendTimeVerdict {
  const { channels, channel, customer } = input;
  const module = channels.get(channel);
  if (module.consent === 'required' && !customer.consents.includes(channel)) return { kind: 'skip', reason: `consent withdrawn: the customer no longer consents to ${channel}` };
  if (module.address(customer) === null) return { kind: 'skip', reason: `no longer reachable: ${channel} ${module.missingAddress}` };
  if (module.medium === 'paper' && customer.preferences?.paperless && input.template && !input.template.paperRequired) {
    const digital = input.template.channels.find((c) => channels.has(c) && channels.get(c).medium === 'digital' && channels.whyUnreachable(c, customer) === null);
    if (digital) return { kind: 'skip', reason: `the customer went paperless (${digital} is usable)` };
  }
  if (module.interruptive && input.priority !== Priority.URGENT) {
    const hours = customer.preferences?.quietHours ?? input.defaultQuietHours;
    if (hours) {
      const zone = customer.preferences?.timeZone ?? zoneOfCountry(customer.postalAddress?.country);
      const until = quietUntil(input.now, zone, hours);
      if (until) {
        const local = DateTime.fromJSDate(until, { zone }).toFormat('yyyy-MM-dd HH:mm');
        return { kind: 'hold', until, note: `held for quiet hours (${hours.start}-${hours.end}) until ${local} ${zone}` };
      }
    }
  }
  return { kind: 'send' };
}
