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
