import { Direction, InteractionChannel } from '../domain';
import { badInput, notFound } from '../errors';
import type { CommunicationRepository } from '../store/communication.repository';
import type { ContactHistoryPage } from '../store/contact-history.queries';
import type { InteractionEntity } from '../store/interaction.entity';
import type { InteractionRepository } from '../store/interaction.repository';
import { changesOf, type StatusFeed } from './status.feed';

/** The contact history of a customer changed: an interaction was recorded, or a communication moved on. */
export interface ContactHistoryChange {
  readonly customerId: string;
  readonly kind: 'communication' | 'interaction';
  readonly id: string;
  /** An internal note: not for the customer's own subscription. */
  readonly internal: boolean;
}

/** Interaction changes over Redis pub/sub (communications already travel on the status feed). */
export interface ContactFeed {
  publish(change: ContactHistoryChange): Promise<void>;
  subscribe(listener: (change: ContactHistoryChange) => void): () => void;
}

export interface RecordInteractionRequest {
  readonly customerId: string;
  readonly channel: InteractionChannel;
  readonly direction?: Direction | null;
  readonly occurredAt?: Date | null;
  readonly reason?: string | null;
  readonly summary?: string | null;
  readonly agentId?: string | null;
  readonly externalId?: string | null;
  readonly relatedCommunicationId?: string | null;
  readonly internal?: boolean | null;
}

/** An inbound SMS or WhatsApp message (or any reply the gateway received), as the inbound webhook knows it. */
export interface InboundMessage {
  readonly customerId: string;
  readonly channel: InteractionChannel;
  readonly occurredAt: Date;
  /** The provider's message id (e.g. Twilio's SID): a replayed webhook records nothing twice. */
  readonly providerMessageId: string;
  readonly summary: string | null;
  readonly relatedCommunicationId?: string | null;
}

export const LIMITS = Object.freeze({ summary: 4_000, reason: 200, agentId: 200, externalId: 200 });
/** Clocks of the recording systems are not ours: this much ahead of our clock is still "now". */
export const FUTURE_TOLERANCE_MS = 5_000;

export interface ContactServiceOptions {
  readonly interactions: InteractionRepository;
  readonly communications: CommunicationRepository;
  readonly contactFeed: ContactFeed;
  readonly statusFeed: StatusFeed;
  readonly clock?: () => Date;
}

/**
 * Contact memory: what happened with a customer that the gateway did not send,
 * and one history of both. Customer existence and the caller's scope are the
 * resolver's checks (they need the request's loaders and principal).
 */
export class ContactService {
  private readonly clock: () => Date;

  constructor(private readonly options: ContactServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Idempotent on (callerId, externalId); every check runs before anything is written. */
  async recordInteraction(callerId: string, request: RecordInteractionRequest): Promise<InteractionEntity> {
    const now = this.clock();
    const occurredAt = request.occurredAt ?? now;
    if (Number.isNaN(occurredAt.getTime())) throw badInput('occurredAt: expected a date-time, got an invalid date', 'occurredAt');
    if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw badInput(`occurredAt: expected a time that has passed, got ${occurredAt.toISOString()} (now ${now.toISOString()})`, 'occurredAt');
    }
    const text = (field: keyof typeof LIMITS, value: string | null | undefined): string | null => {
      if (value === null || value === undefined) return null;
      if (value.length > LIMITS[field]) throw badInput(`${field}: expected at most ${LIMITS[field]} characters, got ${value.length}`, field);
      if (field === 'externalId' && value.trim() === '') throw badInput('externalId: expected a non-empty string or null, got an empty one', field);
      return value;
    };
    const summary = text('summary', request.summary);
    const reason = text('reason', request.reason);
    const agentId = text('agentId', request.agentId);
    const externalId = text('externalId', request.externalId);
    const relatedCommunicationId = request.relatedCommunicationId ?? null;
    if (relatedCommunicationId !== null) {
      const related = await this.options.communications.get(relatedCommunicationId);
      // Another customer's communication answers as a missing one: the caller learns nothing about it.
      if (!related || related.customerId !== request.customerId) throw notFound('Communication', relatedCommunicationId);
    }
    const { interaction, created } = await this.options.interactions.record({
      callerId,
      externalId,
      customerId: request.customerId,
      channel: request.channel,
      direction: request.direction ?? Direction.INBOUND,
      occurredAt,
      reason,
      summary,
      agentId,
      relatedCommunicationId,
      internal: request.internal ?? false,
    });
    if (created) {
      await this.options.contactFeed.publish({ customerId: interaction.customerId, kind: 'interaction', id: interaction.id, internal: interaction.internal });
    }
    return interaction;
  }

  /**
   * For the inbound webhook: a message the customer sent becomes an inbound
   * interaction, once per provider message id. The summary is the message text
   * (the customer's own words, kept like any other note in the history).
   */
  recordInbound(message: InboundMessage): Promise<InteractionEntity> {
    return this.recordInteraction(`inbound:${message.channel.toLowerCase()}`, {
      customerId: message.customerId,
      channel: message.channel,
      direction: Direction.INBOUND,
      occurredAt: message.occurredAt,
      summary: message.summary === null ? null : message.summary.slice(0, LIMITS.summary),
      externalId: message.providerMessageId,
      relatedCommunicationId: message.relatedCommunicationId ?? null,
    });
  }

  contactHistory(request: {
    readonly customerId: string;
    readonly first: number;
    readonly after?: string | null;
    readonly direction?: Direction | null;
    readonly channels?: readonly InteractionChannel[] | null;
    readonly includeInternal: boolean;
  }): Promise<ContactHistoryPage> {
    return this.options.interactions.contactHistory(request);
  }

  getInteractions(ids: readonly string[]): Promise<(InteractionEntity | null)[]> {
    return this.options.interactions.getMany(ids);
  }

  /** Every change of one customer's history from any process: recorded interactions and communication status changes. */
  changes(customerId: string, includeInternal: boolean): AsyncIterableIterator<ContactHistoryChange> {
    const { contactFeed, statusFeed } = this.options;
    const both = {
      subscribe: (listener: (change: ContactHistoryChange) => void): (() => void) => {
        const offContacts = contactFeed.subscribe(listener);
        const offStatus = statusFeed.subscribe((change) => listener({ customerId: change.customerId, kind: 'communication', id: change.communicationId, internal: false }));
        return () => {
          offContacts();
          offStatus();
        };
      },
    };
    return changesOf<ContactHistoryChange>(both, (change) => change.customerId === customerId && (includeInternal || !change.internal));
  }
}
