import { DateTime, IANAZone } from 'luxon';
import type { QuietHours } from '../domain';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `null` when valid, else why: `HH:MM` 24-hour local times, start ≠ end (equal would be ambiguous: never or always). */
export function whyBadQuietHours(hours: QuietHours): string | null {
  for (const [name, value] of [['start', hours.start], ['end', hours.end]] as const) {
    if (typeof value !== 'string' || !TIME.test(value)) return `${name}: expected a local time HH:MM from 00:00 to 23:59, got ${JSON.stringify(value)}`;
  }
  if (hours.start === hours.end) return `expected start and end to differ (${hours.start}-${hours.end} would mean never or always)`;
  return null;
}

/** `QUIET_HOURS` and friends: `21:00-08:00`. */
export function parseQuietHours(text: string): QuietHours | null {
  const match = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/.exec(text);
  if (!match) return null;
  const hours = { start: match[1], end: match[2] };
  return whyBadQuietHours(hours) === null ? hours : null;
}

export function isTimeZone(zone: string): boolean {
  return zone.length <= 64 && IANAZone.isValidZone(zone);
}

/**
 * The zone of a country from ICU's data (FR → Europe/Paris); of several, the
 * first in Europe (ES → Europe/Madrid, not Africa/Ceuta), else the first; UTC
 * when the country is unknown.
 */
export function zoneOfCountry(country: string | null | undefined): string {
  if (!country || !/^[A-Za-z]{2}$/.test(country)) return 'UTC';
  const locale = new Intl.Locale(`und-${country.toUpperCase()}`) as Intl.Locale & { timeZones?: string[] };
  const zones = locale.timeZones ?? [];
  return zones.find((zone) => zone.startsWith('Europe/')) ?? zones[0] ?? 'UTC';
}

const minutes = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * When the quiet time that `now` falls in ends, in `zone`; null when `now` is
 * not quiet. `21:00-08:00` spans midnight; `12:00-14:00` does not. A window end
 * that does not exist on a DST day (02:30 on a spring-forward night) is moved
 * forward by luxon to the next valid instant.
 */
export function quietUntil(now: Date, zone: string, hours: QuietHours): Date | null {
  const local = DateTime.fromJSDate(now, { zone });
  const at = local.hour * 60 + local.minute;
  const start = minutes(hours.start);
  const end = minutes(hours.end);
  const spansMidnight = start > end;
  const quiet = spansMidnight ? at >= start || at < end : at >= start && at < end;
  if (!quiet) return null;
  const day = spansMidnight && at >= start ? local.plus({ days: 1 }) : local;
  return day.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 }).toJSDate();
}
