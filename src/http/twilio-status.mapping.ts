import type { MessageStatus } from 'twilio/lib/rest/api/v2010/account/message';
import { DeliveryStatus } from '../domain';
import { assertNever } from '../errors';

/** What one Twilio status callback means for our delivery, or why it means nothing. */
export type TwilioStatusMapping =
  | { readonly kind: 'status'; readonly status: DeliveryStatus; readonly detail: string }
  | { readonly kind: 'ignored'; readonly reason: string };

/** The most frequent delivery errors, so a timeline reads without a trip to Twilio's error catalogue. */
const ERROR_TEXTS: ReadonlyMap<string, string> = new Map([
  ['30001', 'queue overflow'],
  ['30002', 'account suspended'],
  ['30003', 'unreachable destination handset'],
  ['30004', 'message blocked'],
  ['30005', 'unknown destination handset'],
  ['30006', 'landline or unreachable carrier'],
  ['30007', 'message filtered by the carrier'],
  ['30008', 'unknown error'],
  ['30010', 'message price exceeds max price'],
  ['21610', 'recipient has opted out (STOP)'],
]);

const KNOWN: ReadonlySet<string> = new Set<MessageStatus>([
  'queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received',
  'accepted', 'scheduled', 'read', 'partially_delivered', 'canceled',
]);

function isMessageStatus(value: string): value is MessageStatus {
  return KNOWN.has(value);
}

/**
 * Maps a callback's MessageStatus (with ErrorCode / ErrorMessage) onto our
 * DeliveryStatus. The switch is over the `twilio` package's own status type,
 * so a status added by a client upgrade fails the build until it is mapped.
 *
 * - accepted, scheduled, queued, sending → SENDING: still inside Twilio. The
 *   deliver job records SENT when Twilio accepts the request, and the store
 *   refuses SENT → SENDING, so these only ever add to the timeline when they
 *   overtake the job's own write.
 * - sent → SENT: handed to the carrier.
 * - delivered → DELIVERED; partially_delivered → DELIVERED too, with the
 *   word in the detail: part of the text reached the handset, and a paper
 *   fallback for it would cost more than it tells the customer.
 * - read → READ: WhatsApp's read receipt. Not a step the lifecycle takes from
 *   the provider: it is recorded as an engagement of kind READ (see
 *   `applyProviderReport`), and only for a WhatsApp delivery.
 * - undelivered, failed → FAILED: the store lets SENT → FAILED through, which
 *   starts the next channel of the chain.
 * - canceled → CANCELLED (only a scheduled message can be cancelled).
 * - receiving, received: inbound messages, not a status of ours → ignored.
 *
 * Out-of-order and repeated callbacks (a late "sent" after "delivered") are not
 * judged here: the store's transition table refuses regressions and replays.
 */
export function mapTwilioStatus(
  messageStatus: string,
  errorCode?: string | null,
  errorMessage?: string | null,
): TwilioStatusMapping {
  const status = messageStatus.trim().toLowerCase();
  if (!isMessageStatus(status)) return { kind: 'ignored', reason: `unknown Twilio status ${JSON.stringify(clip(status, 40))}` };
  const to = (target: DeliveryStatus): TwilioStatusMapping => ({ kind: 'status', status: target, detail: describe(status, errorCode, errorMessage) });
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return to(DeliveryStatus.SENDING);
    case 'sent':
      return to(DeliveryStatus.SENT);
    case 'delivered':
    case 'partially_delivered':
      return to(DeliveryStatus.DELIVERED);
    case 'read':
      return to(DeliveryStatus.READ);
    case 'undelivered':
    case 'failed':
      return to(DeliveryStatus.FAILED);
    case 'canceled':
      return to(DeliveryStatus.CANCELLED);
    case 'receiving':
    case 'received':
      return { kind: 'ignored', reason: `inbound message status ${status}` };
    default:
      return assertNever(status);
  }
}

/**
 * "twilio status undelivered, error 30003 (unreachable destination handset)".
 * Carrier texts can quote the number; digit runs long enough to be one are
 * masked, and the text is clipped, because the detail lands in the timeline
 * that customers and logs see.
 */
function describe(status: MessageStatus, errorCode?: string | null, errorMessage?: string | null): string {
  const code = errorCode?.trim() && /^\d{1,6}$/.test(errorCode.trim()) ? errorCode.trim() : null;
  const text = errorMessage?.trim() ? redact(errorMessage.trim()) : code ? (ERROR_TEXTS.get(code) ?? null) : null;
  const parts = [`twilio status ${status}`];
  if (code) parts.push(`error ${code}${text ? ` (${clip(text, 160)})` : ''}`);
  else if (text) parts.push(clip(text, 160));
  return parts.join(', ');
}

function redact(text: string): string {
  return text
    .replace(/[^\s<>"]+@[^\s<>"]+/g, '[address]')
    .replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
