import type { Channel } from '../domain';

/**
 * One rendered message, from the render step to the provider: the same shape
 * is kept between the render and the deliver job (in Redis, see
 * `jobs/artifact.store.ts`) and handed to the channel's provider. `content` is
 * the channel's own form (its module declares the type); archived PDFs are
 * referenced by id and read by the provider through a `DocumentReader`, so
 * what is sent is what is archived and no PDF travels through Redis.
 */
export interface RenderedMessage<C = unknown> {
  readonly channel: Channel;
  /** Our delivery id: the provider's idempotency/client reference. */
  readonly deliveryId: string;
  readonly communicationId: string;
  readonly customerId: string;
  /** The archived document this message carries or points at, if any. */
  readonly documentId: string | null;
  readonly content: C;
}

/** An archived document's bytes, checked against the sha256 recorded when it was archived. */
export interface DocumentReader {
  read(documentId: string): Promise<{ readonly bytes: Buffer; readonly pages: number | null; readonly sha256: string; readonly sizeBytes: number }>;
}

export interface SendResult {
  /** The provider's id for the message (SMTP Message-ID, Twilio SID, spool file id). */
  readonly providerMessageId: string | null;
  /** SENT when the provider accepted it; DELIVERED when acceptance is final (portal, print spool, a webhook's 2xx). */
  readonly final: boolean;
  readonly detail?: string;
}

/** One provider per channel behind this interface; its channel module builds it. */
export interface ChannelProvider<C = unknown> {
  readonly channel: Channel;
  send(message: RenderedMessage<C>): Promise<SendResult>;
  /** For /readyz; absent when there is nothing to check. */
  check?(): Promise<void>;
  close?(): Promise<void>;
}

/** The recipient or address was rejected for good: the next channel of the chain takes over. */
export class PermanentDeliveryError extends Error {
  constructor(message: string, readonly providerCode?: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** Worth retrying later (timeouts, 5xx, SMTP 4xx, 429). */
export class TransientDeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'TransientDeliveryError';
  }
}

/** Delivery ids become file names, Message-IDs and URL parameters. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertSafeId(deliveryId: string): void {
  if (!SAFE_ID.test(deliveryId)) {
    throw new Error(`deliveryId: expected letters, digits, ".", "_" or "-", got ${JSON.stringify(deliveryId)}`);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * The provider of a channel this process is not configured for: every send is
 * refused for good with `reason`, so the chain's next channel takes over
 * instead of the delivery waiting for a configuration that will not come.
 */
export function refusingProvider(channel: Channel, reason: string): ChannelProvider {
  return { channel, send: () => Promise.reject(new PermanentDeliveryError(reason, 'not-configured')) };
}

/** The message's content for `channel`; a message of another channel is a programming error, said plainly. */
export function contentFor<C>(message: RenderedMessage<C>, channel: Channel, part: string): C {
  if (message.channel !== channel || message.content === undefined || message.content === null) {
    throw new Error(`delivery ${message.deliveryId}: expected ${part} part, got none`);
  }
  return message.content;
}
