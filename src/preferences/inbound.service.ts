import { LRUCache } from 'lru-cache';
import { Channel, InteractionChannel, PreferenceSource, type CustomerRecord } from '../domain';
import type { CustomerDirectory } from '../connectors/backoffice';
import type { PreferenceRepository } from '../store/preference.repository';
import { classifyInbound, type InboundKind } from './inbound.keywords';
import { replyTo } from './inbound.replies';
import type { ContactService } from '../services/contact.service';
import type { PreferenceService } from './preference.service';

/** One inbound message as the provider's webhook reports it. */
export interface InboundMessage {
  /** The provider's id (Twilio MessageSid): the same id twice is handled once. */
  readonly providerMessageId: string;
  readonly channel: Channel;
  /** E.164, without any `whatsapp:` prefix. */
  readonly from: string;
  /** The sender as a delivery on that channel names its recipient (`whatsapp:+33…` on WhatsApp, the number on SMS). */
  readonly address: string;
  readonly body: string;
}

/** Sends the confirmation and help replies through the channel's provider. */
export interface ReplySender {
  send(channel: Channel, to: string, body: string): Promise<void>;
}

export interface InboundOutcome {
  readonly kind: InboundKind;
  /** false: this id had been handled before, nothing was done again. */
  readonly handled: boolean;
  readonly customerIds: readonly string[];
  readonly replied: boolean;
}

export interface InboundServiceOptions {
  readonly repository: PreferenceRepository;
  readonly preferences: PreferenceService;
  /** The CRM as the gateway reads it (overlay laid over), for the phone lookup and the customer's language. */
  readonly directory: CustomerDirectory;
  readonly replies: ReplySender | null;
  /** The contact memory: a known customer's message becomes an inbound interaction in their history. */
  readonly contacts?: Pick<ContactService, 'recordInbound'>;
  /** Engagement signals: a message (not a keyword) answering the last delivery to that number is its REPLIED. */
  readonly engagement?: { replied(deliveryId: string): Promise<unknown> };
  /** Name that opens each reply, e.g. the letterhead's sender. */
  readonly senderName: string;
  /** How long a number → customers answer is reused; default 60_000 ms (0: not cached). */
  readonly lookupTtlMs?: number;
  readonly logger?: { warn(obj: object, msg: string): void };
}

/** Longest inbound text kept (an SMS concatenation of 10 segments is ~1,530 characters). */
const MAX_BODY = 2_000;

/**
 * Inbound SMS/WhatsApp: STOP-family words withdraw the consent to that channel
 * of every customer with that number (source INBOUND_SMS, actor the number)
 * and are confirmed; START-family words give it back; HELP is answered in the
 * customer's language; any other text is kept, linked to the customer and to
 * the last message sent to that number. An unknown number is answered and
 * recorded. The provider's message id makes a redelivered webhook a no-op.
 */
export class InboundService {
  /** Number → customer ids: who has a number changes rarely, their consents do not, so records are read fresh. */
  private readonly byPhone: LRUCache<string, readonly string[]> | null;

  constructor(private readonly options: InboundServiceOptions) {
    const ttl = options.lookupTtlMs ?? 60_000;
    this.byPhone = ttl > 0 ? new LRUCache({ max: 10_000, ttl }) : null;
  }

  async handle(message: InboundMessage): Promise<InboundOutcome> {
    const { repository, preferences } = this.options;
    const kind = classifyInbound(message.body);
    const earlier = await repository.findInbound(message.providerMessageId);
    if (earlier) return { kind, handled: false, customerIds: earlier.customerId ? [earlier.customerId] : [], replied: false };

    const customers = await this.customersOf(message.from);
    const by = { source: PreferenceSource.INBOUND_SMS, actor: message.from };
    // Applied before the message is recorded: a failure here answers 5xx, the provider retries, and
    // applying again changes nothing (the consent is already what was asked).
    for (const customer of customers) {
      if (kind === 'STOP' && customer.consents.includes(message.channel)) {
        await preferences.record(customer.id, by, { consents: customer.consents.filter((c) => c !== message.channel) }, `${message.body.trim().toUpperCase()} received on ${message.channel}`);
      } else if (kind === 'START' && !customer.consents.includes(message.channel)) {
        await preferences.record(customer.id, by, { consents: [...customer.consents, message.channel] }, `${message.body.trim().toUpperCase()} received on ${message.channel}`);
      }
    }

    const customer = customers[0] ?? null;
    const last = customer ? await repository.lastDeliveryTo(customer.id, message.channel, message.address) : null;
    // Before the message is marked handled: the interaction is idempotent per message id, so a retry after a
    // failure in between records it once, while marking first would lose it on that retry.
    for (const match of customers) {
      await this.options.contacts?.recordInbound({
        customerId: match.id,
        channel: message.channel === Channel.WHATSAPP ? InteractionChannel.WHATSAPP : InteractionChannel.SMS,
        occurredAt: new Date(),
        providerMessageId: message.providerMessageId,
        summary: message.body.slice(0, MAX_BODY),
        relatedCommunicationId: match === customer ? last?.communicationId ?? null : null,
      });
    }
    // Idempotent too (once per delivery and kind), so it goes before the message is marked handled.
    if (last && kind === 'MESSAGE') await this.options.engagement?.replied(last.id);
    const recorded = await repository.recordInbound({
      providerMessageId: message.providerMessageId,
      channel: message.channel,
      sender: message.from,
      customerId: customer?.id ?? null,
      inReplyToDeliveryId: last?.id ?? null,
      kind,
      body: message.body.slice(0, MAX_BODY),
    });
    if (!recorded.created) return { kind, handled: false, customerIds: customers.map((c) => c.id), replied: false };

    const text = replyTo(kind, customer !== null, customer?.language ?? 'en', this.options.senderName);
    let replied = false;
    if (text && this.options.replies) {
      try {
        await this.options.replies.send(message.channel, message.from, text);
        replied = true;
      } catch (error) {
        // The change is made and recorded; a lost confirmation is not worth a second one on the provider's retry.
        this.options.logger?.warn({ err: (error as Error).message, inboundId: recorded.message.id }, 'inbound reply not sent');
      }
    }
    return { kind, handled: true, customerIds: customers.map((c) => c.id), replied };
  }

  private async customersOf(phone: string): Promise<readonly CustomerRecord[]> {
    const { directory } = this.options;
    const ids = this.byPhone?.get(phone);
    if (ids) return (await directory.getCustomers(ids)).filter((c): c is CustomerRecord => c !== null);
    const found = (await directory.findByPhone?.(phone)) ?? [];
    this.byPhone?.set(phone, found.map((c) => c.id));
    return found;
  }
}
