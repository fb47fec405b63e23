import { MAX_UNREAD_SECONDS, type Channel, type Escalation } from '../domain';
import { badInput } from '../errors';

/** Largest template `data` accepted, as JSON. */
export const MAX_DATA_BYTES = 16 * 1024;
/** Farthest `scheduledAt` accepted. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;
/** Clock skew between client and server that still counts as "now". */
const SCHEDULE_TOLERANCE_MS = 5_000;

/** The `data` of a send, single or bulk: a JSON object of bounded size (absent = `{}`). */
export function checkTemplateData(data: unknown, maxBytes: number = MAX_DATA_BYTES): Record<string, unknown> {
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw badInput(`data: expected a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data}`, 'data');
  const size = Buffer.byteLength(JSON.stringify(data));
  if (size > maxBytes) throw badInput(`data: expected at most ${maxBytes} bytes of JSON, got ${size}`, 'data');
  return data as Record<string, unknown>;
}

/** `scheduledAt` of a send: not in the past, not too far ahead; "now" (within the skew) becomes null = send now. */
export function checkSchedule(scheduledAt: Date | null, now: Date, maxAheadMs: number = MAX_SCHEDULE_AHEAD_MS): Date | null {
  if (scheduledAt === null) return null;
  const nowMs = now.getTime();
  if (scheduledAt.getTime() < nowMs - SCHEDULE_TOLERANCE_MS) throw badInput(`scheduledAt: expected a time in the future, got ${scheduledAt.toISOString()}`, 'scheduledAt');
  if (scheduledAt.getTime() > nowMs + maxAheadMs) throw badInput(`scheduledAt: expected a time within the next ${Math.round(maxAheadMs / 86_400_000)} days`, 'scheduledAt');
  return scheduledAt.getTime() <= nowMs ? null : scheduledAt;
}

/** Longest text of one editable slot: a few paragraphs, not a letter of its own. */
export const MAX_BLOCK_CHARS = 2000;
/** Control characters other than line feed and tab: nothing a person typed, and some break PDF or SMS encoding. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/**
 * An agent's slot texts: each slot one the template declares, at most once,
 * non-empty plain text up to MAX_BLOCK_CHARS (line ends normalised to \n).
 * Markup is not interpreted anywhere; each renderer escapes the text like any value.
 */
export function checkEditedBlocks(blocks: readonly { slot: string; text: string }[] | null, slots: readonly string[]): Record<string, string> | null {
  if (blocks === null || blocks.length === 0) return null;
  const out: Record<string, string> = {};
  blocks.forEach(({ slot, text }, i) => {
    if (!slots.includes(slot)) {
      throw badInput(`blocks[${i}].slot: expected ${slots.length ? `one of ${slots.join(', ')}` : 'no slots (this template has no editable blocks)'}, got ${JSON.stringify(slot.slice(0, 50))}`, 'blocks');
    }
    if (Object.hasOwn(out, slot)) throw badInput(`blocks[${i}].slot: expected each slot once, got ${JSON.stringify(slot)} again`, 'blocks');
    const normalised = text.replace(/\r\n?/g, '\n');
    if (normalised.trim() === '') throw badInput(`blocks[${i}].text: expected some text, got none`, 'blocks');
    if (normalised.length > MAX_BLOCK_CHARS) throw badInput(`blocks[${i}].text: expected at most ${MAX_BLOCK_CHARS} characters, got ${normalised.length}`, 'blocks');
    if (CONTROL.test(normalised)) throw badInput(`blocks[${i}].text: expected plain text, got a control character`, 'blocks');
    out[slot] = normalised;
  });
  return out;
}

/** Longest approval comment or rejection reason: a sentence or two for the timeline. */
export const MAX_REVIEW_NOTE_CHARS = 500;

/** A reviewer's comment (optional) or reason (required): trimmed plain text up to MAX_REVIEW_NOTE_CHARS; null when none. */
export function checkReviewNote(text: string | null, field: 'comment' | 'reason', required: boolean): string | null {
  const trimmed = text === null ? '' : text.replace(/\s+/g, ' ').trim();
  if (trimmed === '') {
    if (required) throw badInput(`${field}: expected some text, got none`, field);
    return null;
  }
  if (trimmed.length > MAX_REVIEW_NOTE_CHARS) throw badInput(`${field}: expected at most ${MAX_REVIEW_NOTE_CHARS} characters, got ${trimmed.length}`, field);
  if (CONTROL.test(trimmed)) throw badInput(`${field}: expected plain text, got a control character`, field);
  return trimmed;
}

/**
 * A request's escalation: a window from `minSeconds` to 90 days, `then`
 * channels the template has, each once, and at least one planned channel
 * outside `then` whose delivery can start the clock. Null stays null (the
 * caller turned the template's default off).
 */
export function checkEscalation(
  input: { readonly unreadAfterSeconds: number; readonly then: readonly Channel[] } | null,
  template: { readonly key: string; readonly channels: readonly Channel[] },
  plans: readonly { readonly chain: readonly Channel[] }[],
  minSeconds: number,
): Escalation | null {
  if (input === null) return null;
  const { unreadAfterSeconds, then } = input;
  if (!Number.isSafeInteger(unreadAfterSeconds) || unreadAfterSeconds < minSeconds || unreadAfterSeconds > MAX_UNREAD_SECONDS) {
    throw badInput(`escalation.unreadAfterSeconds: expected ${minSeconds} to ${MAX_UNREAD_SECONDS} seconds, got ${unreadAfterSeconds}`, 'escalation');
  }
  if (then.length === 0) throw badInput('escalation.then: expected at least one channel, got none', 'escalation');
  const missing = then.filter((channel) => !template.channels.includes(channel));
  if (missing.length > 0) throw badInput(`escalation.then: template ${template.key} has no ${missing.join(', ')} (it has ${template.channels.join(', ')})`, 'escalation');
  if (new Set(then).size !== then.length) throw badInput('escalation.then: expected each channel once, got a repeat', 'escalation');
  if (plans.every((plan) => then.includes(plan.chain[0]))) {
    throw badInput(`escalation.then: every planned delivery already goes by ${[...new Set(plans.map((p) => p.chain[0]))].join(', ')}; there is nothing to escalate from`, 'escalation');
  }
  return { unreadAfterSeconds, then: [...then] };
}
