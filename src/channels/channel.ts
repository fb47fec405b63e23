import type { Channel, PostalAddress } from '../domain';

/** What a provider needs to send one delivery; built by the deliver job from the rendered artifacts. */
export interface OutboundMessage {
  /** Our delivery id: the provider's idempotency/client reference. */
  readonly deliveryId: string;
  readonly communicationId: string;
  readonly customerId: string;
  readonly email?: {
    readonly to: string;
    readonly subject: string;
    readonly html: string;
    readonly text: string;
    readonly attachments: readonly { readonly filename: string; readonly content: Buffer; readonly contentType: string }[];
  };
  readonly sms?: { readonly to: string; readonly body: string };
  readonly letter?: { readonly name: string; readonly address: PostalAddress; readonly pdf: Buffer; readonly pages: number };
  readonly portal?: { readonly documentId: string; readonly notification: string };
}

export interface SendResult {
  /** The provider's id for the message (SMTP Message-ID, Twilio SID, spool file id). */
  readonly providerMessageId: string | null;
  /** SENT when the provider accepted it; DELIVERED when acceptance is final (portal, print spool). */
  readonly final: boolean;
  readonly detail?: string;
}

/** One provider per channel behind this interface; adding one is a file plus a line of wiring. */
export interface ChannelProvider {
  readonly channel: Channel;
  send(message: OutboundMessage): Promise<SendResult>;
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
