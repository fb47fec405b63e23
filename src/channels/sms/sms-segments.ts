/**
 * SMS length accounting after 3GPP TS 23.038 (GSM 03.38). A body that uses
 * only the GSM 7-bit default alphabet is sent as GSM-7: 160 septets in one
 * message, 153 per part when concatenated (the user data header takes 7);
 * characters of the extension table (€ [ ] { } \ ~ ^ | and form feed) cost two
 * septets (escape + code) and never straddle two parts. Anything else makes the
 * whole body UCS-2: 70 UTF-16 code units alone, 67 per part, with a surrogate
 * pair (an emoji) costing two units and kept within one part.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  readonly units: number;
  readonly segments: number;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** The cost of each character in its encoding's units, in order. */
function costs(text: string, encoding: SmsEncoding): number[] {
  const out: number[] = [];
  // for…of walks code points, so a surrogate pair is one entry of cost 2.
  for (const ch of text) out.push(encoding === 'GSM-7' ? (EXTENSION.has(ch) ? 2 : 1) : ch.length);
  return out;
}

/** Parts needed when characters may not be split across a part boundary. */
function countParts(charCosts: readonly number[], part: number): number {
  let parts = 1;
  let used = 0;
  for (const cost of charCosts) {
    if (used + cost > part) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

export function smsLength(text: string): SmsLength {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const charCosts = costs(text, encoding);
  const units = charCosts.reduce((sum, c) => sum + c, 0);
  const limit = LIMITS[encoding];
  const segments = units === 0 ? 0 : units <= limit.single ? 1 : countParts(charCosts, limit.part);
  return { encoding, units, segments };
}

/**
 * The longest start of `text` that, with an ellipsis, fits `maxSegments`
 * (the whole text when it already fits), ending on a whole word when one ends
 * within 20 characters of the cut. GSM-7 bodies end in "..." because
 * "…" is not in the GSM alphabet and would turn the message into UCS-2.
 */
export function truncateToSegments(text: string, maxSegments: number): string {
  if (!Number.isInteger(maxSegments) || maxSegments < 1) throw new RangeError(`maxSegments: expected an integer >= 1, got ${maxSegments}`);
  if (smsLength(text).segments <= maxSegments) return text;
  const chars = [...text];
  const candidate = (n: number): string => {
    const head = chars.slice(0, n).join('').trimEnd();
    return `${head}${isGsm7(head) ? '...' : '…'}`;
  };
  // Segments grow with the prefix length, so the longest fitting prefix is found by bisection.
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (smsLength(candidate(mid)).segments <= maxSegments) lo = mid;
    else hi = mid - 1;
  }
  // End on a whole word when one ends close enough to the cut.
  const space = chars.lastIndexOf(' ', lo);
  if (space > 0 && lo - space <= 20 && chars[lo] !== ' ' && smsLength(candidate(space)).segments <= maxSegments) return candidate(space);
  return candidate(lo);
}
