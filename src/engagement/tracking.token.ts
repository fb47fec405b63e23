import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where a tracked link leads: an address the rendered message wrote, or the archived document (its signed link made at click time). */
export type LinkTarget = { readonly url: string } | { readonly documentId: string };

export type TrackingPayload =
  | { readonly kind: 'open'; readonly deliveryId: string }
  | { readonly kind: 'click'; readonly deliveryId: string; readonly target: LinkTarget; readonly label: string | null };

const VERSION = 1;
const IV_BYTES = 16;
const TAG_BYTES = 16;

/**
 * Tracking tokens for `/t/o/<token>` and `/t/c/<token>`: the payload (which
 * delivery, which link) is encrypted (AES-256-CTR) and then authenticated with
 * an HMAC-SHA256 over version, IV and ciphertext, with two keys derived from
 * one secret (HKDF). The URL shows nothing readable — no delivery id, no
 * address — and a click can only ever lead where the gateway itself wrote the
 * link: a token nobody minted, or one changed by a single bit, is unknown.
 * No database row per link: the token is the record.
 */
export class TrackingTokens {
  private readonly encryptionKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string) {
    if (!secret) throw new Error('TrackingTokens: expected a non-empty secret, got an empty string');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', secret, 'ccm-gateway', 'tracking-token-encryption', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', secret, 'ccm-gateway', 'tracking-token-mac', 32));
  }

  mint(payload: TrackingPayload): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-ctr', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(compact(payload)), 'utf8'), cipher.final()]);
    const head = Buffer.concat([Buffer.from([VERSION]), iv, body]);
    return Buffer.concat([head, this.tag(head)]).toString('base64url');
  }

  /** Null for anything this gateway did not mint with this secret, or that does not read as a payload. */
  read(token: string): TrackingPayload | null {
    if (!/^[A-Za-z0-9_-]{40,4000}$/.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) return null;
    const head = raw.subarray(0, raw.length - TAG_BYTES);
    const given = raw.subarray(raw.length - TAG_BYTES);
    if (!timingSafeEqual(given, this.tag(head))) return null;
    const decipher = createDecipheriv('aes-256-ctr', this.encryptionKey, head.subarray(1, 1 + IV_BYTES));
    const text = Buffer.concat([decipher.update(head.subarray(1 + IV_BYTES)), decipher.final()]).toString('utf8');
    try {
      return expand(JSON.parse(text) as Compact);
    } catch {
      return null;
    }
  }

  private tag(data: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(data).digest().subarray(0, TAG_BYTES);
  }
}

/** Short keys keep the links short. */
interface Compact {
  readonly k: 'o' | 'c';
  readonly d: string;
  readonly u?: string;
  readonly doc?: string;
  readonly l?: string;
}

function compact(payload: TrackingPayload): Compact {
  if (payload.kind === 'open') return { k: 'o', d: payload.deliveryId };
  const target = 'url' in payload.target ? { u: payload.target.url } : { doc: payload.target.documentId };
  return { k: 'c', d: payload.deliveryId, ...target, ...(payload.label ? { l: payload.label } : {}) };
}

function expand(c: Compact): TrackingPayload | null {
  if (typeof c !== 'object' || c === null || typeof c.d !== 'string') return null;
  if (c.k === 'o') return { kind: 'open', deliveryId: c.d };
  if (c.k !== 'c') return null;
  const label = typeof c.l === 'string' ? c.l : null;
  if (typeof c.u === 'string') return { kind: 'click', deliveryId: c.d, target: { url: c.u }, label };
  if (typeof c.doc === 'string') return { kind: 'click', deliveryId: c.d, target: { documentId: c.doc }, label };
  return null;
}
