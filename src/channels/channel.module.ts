import type { ConfigEnv } from '../config.env';
import type { Channel, CustomerRecord } from '../domain';
import type { DocumentModel } from '../render/document';
import type { ChannelProvider, DocumentReader } from './channel';

/**
 * Everything one channel is, in one place (`src/channels/<channel>/`): how a
 * customer is reached on it, whether consent is needed, what it makes of the
 * document model, and the provider that sends it. The registry lists the
 * modules; queue names (`deliver-<key>`), worker kinds, rate-limit keys and the
 * policy's digital/paper split are derived from them. See README.md.
 */
export interface ChannelModule<C = unknown, S = unknown> {
  readonly id: Channel;
  /** Lower-case key: queue `deliver-<key>`, worker kind, `CHANNEL_RATE_LIMITS` key. */
  readonly key: string;
  /**
   * `digital` channels are planned by ALL_CONSENTED; `paper` is the safety net
   * (planned when no digital channel is usable) and what paperless skips.
   */
  readonly medium: 'digital' | 'paper';
  /** Reaches a person at once (a phone buzzes): held during quiet hours. */
  readonly interruptive: boolean;
  /** `required`: usable only while the channel is among the customer's consents. */
  readonly consent: 'required' | 'none';
  /** Jobs at once per worker process, as a share of WORKER_CONCURRENCY (default 1; PDF-heavy channels less). */
  readonly concurrencyShare?: number;
  /** The customer's address on this channel, or null when they have none. */
  address(customer: CustomerRecord): string | null;
  /** Why `address` is null, as the policy says it: "needs an email address and the customer has none". */
  readonly missingAddress: string;
  /** What the timeline shows as the recipient (default: the address); never more than the channel needs. */
  recipient?(customer: CustomerRecord): string | null;
  /** Language keys a template must have when it lists this channel (e.g. `sms`). */
  readonly templateTexts: readonly string[];
  /** This channel's form of the document model, at the very end (late binding). */
  render(input: RenderInput): Promise<Rendered<C>>;
  /** The module's own environment variables, parsed once at start with the rest of the configuration. */
  settings?(env: ConfigEnv): S;
  createProvider(context: ProviderContext<S>): ChannelProvider<C>;
  /**
   * A channel a customer can answer on (SMS, WhatsApp): the content of a short
   * plain-text reply to `from` (the sender as the inbound webhook names it),
   * sent through this module's provider — STOP confirmations, HELP answers.
   */
  textReply?(from: string, body: string): C;
}

export interface RenderInput {
  readonly model: DocumentModel;
  /** Fresh from the CRM, read for this render. */
  readonly customer: CustomerRecord;
  readonly delivery: { readonly id: string; readonly communicationId: string; readonly customerId: string; readonly recipient: string | null };
  /** The communication's PDF letter, rendered and archived at most once for all its deliveries. */
  archivedPdf(): Promise<{ readonly id: string; readonly pages: number | null; readonly sha256: string }>;
  /** The customer's attachment password (ATTACHMENT_PASSWORD_FIELD); null when none is configured or the field is empty. */
  readonly attachmentPassword?: string | null;
  /** An AES-256 copy of the letter opened with `password` (not archived; the archive keeps the original). */
  encryptedPdf?(password: string): Promise<{ readonly bytes: Buffer; readonly sha256: string }>;
  /** Links a message writes (view online, open pixel, the text's addresses), tracked unless tracking is off; absent: none. */
  readonly links?: MessageLinks;
}

/** The addresses digital messages carry for the recipient to follow; see src/engagement/. */
export interface MessageLinks {
  /**
   * The links of one message (one delivery). `tracking: false` — the
   * customer's own choice, `CommunicationPreferences.tracking` — writes them
   * as TRACKING=off does: plain links and no pixel. Default: tracked unless
   * TRACKING=off.
   */
  forMessage(deliveryId: string, options?: { readonly tracking?: boolean }): MessageLinkSet;
}

/** The links one message writes; made for that message only. */
export interface MessageLinkSet {
  /** "View this document online": the archived document when there is one, else the portal; null when neither exists. */
  viewOnline(documentId: string | null): string | null;
  /** The open pixel; null when the message is not tracked. */
  pixel(): string | null;
  /**
   * A link the message's text carries (an http(s) URL a template wrote): its
   * tracked form, the same for every call with the same URL, or the URL itself
   * when the message is not tracked or has used up its tracked links.
   */
  link(url: string): string;
}

export type Rendered<C> =
  | { readonly ok: true; readonly content: C; readonly documentId: string | null; readonly detail: string }
  /** This channel cannot serve this customer (no address, no text): a permanent failure, the chain moves on. */
  | { readonly ok: false; readonly reason: string };

/** What a provider factory gets: its module's settings and the shared endpoints of this process. */
export interface ProviderContext<S = unknown> {
  readonly settings: S;
  readonly documents: DocumentReader;
  /** Base of callback and download URLs. */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly mailFrom: string;
  readonly smtpUrl: string;
  readonly twilio: {
    readonly accountSid: string;
    readonly authToken: string;
    readonly from: string | null;
    readonly messagingServiceSid: string | null;
    readonly apiUrl: string | null;
  };
}

/** "3 pages", "1 page", "? pages". */
export function pagesText(pages: number | null): string {
  return `${pages ?? '?'} page${pages === 1 ? '' : 's'}`;
}
