import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type IORedis from 'ioredis';

export interface PreviewStoreOptions {
  /** Keys are `<prefix>:preview:<id>`. */
  readonly prefix: string;
  /** Key of the HMAC that signs the links (the document signing secret). */
  readonly signingSecret: string;
  /** The gateway's public base URL; links point at `${publicUrl}/previews/<id>`. */
  readonly publicUrl: string;
  /** How long a preview PDF and its link live; default 600 s. */
  readonly ttlSeconds?: number;
}

export type PreviewLinkCheck = 'ok' | 'expired' | 'invalid';

/**
 * Preview PDFs between `previewCommunication` and the agent's click: a Redis
 * entry that expires with its link (default 10 minutes), so nothing previewed
 * stays anywhere for long and no archive row or file is ever written. The link
 * is signed like a document link but over `preview:<id>`, so neither kind of
 * signature opens the other.
 */
export class PreviewStore {
  readonly ttlSeconds: number;
  private readonly publicUrl: string;

  constructor(
    private readonly redis: IORedis,
    private readonly options: PreviewStoreOptions,
  ) {
    if (!options.signingSecret) throw new Error('signingSecret: expected a non-empty secret, got an empty string');
    this.ttlSeconds = options.ttlSeconds ?? 600;
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  /** Keeps the PDF for the TTL; returns its id and a signed link that expires with it. */
  async put(pdf: Uint8Array, now: Date = new Date()): Promise<{ id: string; url: string }> {
    const id = randomUUID();
    await this.redis.set(this.key(id), Buffer.from(pdf), 'EX', this.ttlSeconds);
    const expires = Math.floor(now.getTime() / 1000) + this.ttlSeconds;
    const query = new URLSearchParams({ expires: String(expires), sig: this.sign(id, expires) });
    return { id, url: `${this.publicUrl}/previews/${id}?${query.toString()}` };
  }

  async get(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.key(id));
  }

  verify(id: string, expires: string, sig: string, now: Date = new Date()): PreviewLinkCheck {
    if (!/^\d{1,12}$/.test(expires) || typeof sig !== 'string') return 'invalid';
    const expected = Buffer.from(this.sign(id, Number(expires)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) * 1000 > now.getTime() ? 'ok' : 'expired';
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.options.signingSecret).update(`preview:${id}:${expires}`).digest('base64url');
  }

  private key(id: string): string {
    return `${this.options.prefix}:preview:${id}`;
  }
}
