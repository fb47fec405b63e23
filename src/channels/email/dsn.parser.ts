import { DeliveryStatus } from '../../domain';

/** One per-recipient block of an RFC 3464 delivery status report; field values as written, unfolded. */
export interface DsnRecipient {
  readonly action: string | null;
  readonly status: string | null;
  readonly diagnosticCode: string | null;
  readonly finalRecipient: string | null;
  readonly remoteMta: string | null;
}

/** What a message sent to a VERP bounce address says about the delivery. */
export type BounceVerdict =
  | {
      readonly status: DeliveryStatus.BOUNCED | DeliveryStatus.DELIVERED;
      /** Status code and diagnostic, addresses masked; safe for the timeline. */
      readonly detail: string;
      /** The report's recipient blocks; empty for a bounce without one. */
      readonly recipients: readonly DsnRecipient[];
    }
  | { readonly status: null; readonly reason: string };

interface Part {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/**
 * Reads a bounce message: an RFC 3464 report (multipart/report;
 * report-type=delivery-status, wherever it is nested) decides by its Action
 * fields — any `failed` → BOUNCED, else `delivered`/`expanded` → DELIVERED,
 * `delayed`/`relayed` → nothing final yet. Without a report, a message from a
 * mailer daemon, or with a bounce subject, is a BOUNCED; anything else (an
 * out-of-office reply, a read receipt, a person answering the envelope
 * sender) is no verdict. The MIME walk is small on purpose: headers, a
 * boundary split, base64 and quoted-printable.
 */
export function parseBounce(raw: Buffer | string): BounceVerdict {
  const root = splitPart(typeof raw === 'string' ? raw : raw.toString('utf8'));
  const report = findPart(root, (type) => type === 'message/delivery-status' || type === 'message/global-delivery-status', 0);
  if (report) return verdictOf(parseDeliveryStatus(decode(report)));
  const { type, params } = contentType(root);
  if (type === 'multipart/report' && params['report-type']?.toLowerCase() !== 'delivery-status') {
    return { status: null, reason: `a ${params['report-type'] ?? 'untyped'} report, not a delivery status` };
  }
  return plainBounce(root);
}

/** The recipient blocks of a message/delivery-status body (the per-message block is skipped). */
export function parseDeliveryStatus(text: string): DsnRecipient[] {
  const groups = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/).map(parseFields);
  return groups
    .filter((fields) => fields.has('action') || fields.has('final-recipient'))
    .map((fields) => ({
      action: fields.get('action')?.toLowerCase() ?? null,
      status: fields.get('status') ?? null,
      diagnosticCode: fields.get('diagnostic-code') ?? null,
      finalRecipient: fields.get('final-recipient') ?? null,
      remoteMta: fields.get('remote-mta') ?? null,
    }));
}

function verdictOf(recipients: DsnRecipient[]): BounceVerdict {
  // A missing Action is judged by the status class, as RFC 3463 defines it.
  const action = (r: DsnRecipient): string | null =>
    r.action ?? (r.status?.startsWith('5') ? 'failed' : r.status?.startsWith('2') ? 'delivered' : null);
  const failed = recipients.find((r) => action(r) === 'failed');
  if (failed) return { status: DeliveryStatus.BOUNCED, detail: describe('bounced', failed), recipients };
  const delivered = recipients.find((r) => action(r) === 'delivered' || action(r) === 'expanded');
  if (delivered) return { status: DeliveryStatus.DELIVERED, detail: describe('delivered', delivered), recipients };
  const actions = recipients.map((r) => r.action ?? 'none').join(', ') || 'no recipient blocks';
  return { status: null, reason: `delivery status report without a final action (${actions})` };
}

/** "bounced: 5.1.1 (smtp; 550 5.1.1 [address]: Recipient address rejected)" */
function describe(what: string, recipient: DsnRecipient): string {
  const status = recipient.status?.match(/\d\.\d{1,3}\.\d{1,3}/)?.[0] ?? recipient.status ?? 'no status';
  const diagnostic = recipient.diagnosticCode ? ` (${redact(recipient.diagnosticCode)})` : '';
  return clip(`${what}: ${status}${diagnostic}`, 300);
}

const BOUNCE_SUBJECT = /undeliver|returned mail|failure notice|delivery (status notification|failure|has failed)|mail delivery (failed|failure|subsystem)|non.?delivery|could not be delivered/i;
const DAEMON = /(^|[<\s"])(mailer-daemon|postmaster)@/i;

function plainBounce(root: Part): BounceVerdict {
  const subject = root.headers.get('subject') ?? '';
  const looksLikeBounce = DAEMON.test(root.headers.get('from') ?? '') || root.headers.has('x-failed-recipients') || BOUNCE_SUBJECT.test(subject);
  if (!looksLikeBounce) return { status: null, reason: 'neither a delivery status report nor a bounce' };
  const textPart = findPart(root, (type) => type === 'text/plain', 0) ?? root;
  // qmail and others quote the original below a marker; codes in it are not the verdict.
  const text = decode(textPart).split(/^-+ ?(?:Below this line|Original message|This is a copy)/im)[0];
  const line = text.split(/\r?\n/).find((l) => /\b[245]\.\d{1,3}\.\d{1,3}\b/.test(l) || /^\s*[45]\d\d[ -]/.test(l));
  const code = line?.match(/\b([245])\.\d{1,3}\.\d{1,3}\b/)?.[1] ?? line?.match(/^\s*([45])\d\d/)?.[1];
  if (/delay/i.test(subject) || code === '4' || code === '2') return { status: null, reason: 'a delay or success notice without a report' };
  const detail = line ? `bounced: ${redact(line.trim())}` : 'bounced: no delivery status report';
  return { status: DeliveryStatus.BOUNCED, detail: clip(detail, 300), recipients: [] };
}

function splitPart(raw: string): Part {
  const text = raw.replace(/\r\n?/g, '\n');
  const end = text.startsWith('\n') ? 0 : text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  return { headers: parseFields(head), body: end === -1 ? '' : text.slice(end + (end === 0 ? 1 : 2)) };
}

/** Header-style fields, unfolded, names lower-cased; the first of repeated names wins. */
function parseFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

function contentType(part: Part): { type: string; params: Record<string, string> } {
  const value = part.headers.get('content-type') ?? 'text/plain';
  const type = value.split(';')[0].trim().toLowerCase();
  const params: Record<string, string> = {};
  for (const match of value.matchAll(/;\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g)) {
    params[match[1].toLowerCase()] = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\(.)/g, '$1') : match[2];
  }
  return { type, params };
}

/** Depth-first through multiparts; never into a returned original message (message/rfc822). */
function findPart(part: Part, wanted: (type: string) => boolean, depth: number): Part | null {
  const { type, params } = contentType(part);
  if (wanted(type)) return part;
  if (!type.startsWith('multipart/') || !params.boundary || depth > 8) return null;
  for (const child of children(part.body, params.boundary)) {
    const found = findPart(splitPart(child), wanted, depth + 1);
    if (found) return found;
  }
  return null;
}

function children(body: string, boundary: string): string[] {
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) break;
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current.join('\n'));
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

function decode(part: Part): string {
  const encoding = part.headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

/** Diagnostics echo the recipient's address; the detail lands in timelines and logs. */
function redact(text: string): string {
  return text.replace(/<?[^\s<>"';,()]+@[^\s<>"';,()]+>?/g, '[address]');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
