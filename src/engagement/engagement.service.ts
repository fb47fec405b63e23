import { Channel, EngagementKind } from '../domain';
import { isSuccess } from '../store/delivery-status';
import { statusChangeOf, type StatusFeed } from '../services/status.feed';
import type { EngagementRepository, EngagementResult } from '../store/engagement.repository';
import type { EngagementEntity } from '../store/engagement.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import { escalationReadKinds } from '../store/escalation.rules';
import { isHttp } from './message.links';
import type { TrackingTokens } from './tracking.token';

export interface EngagementServiceOptions {
  readonly repository: EngagementRepository;
  /** The status feed: every recorded signal reaches deliveryStatusChanged and contactHistoryChanged. */
  readonly feed: StatusFeed;
  readonly tokens: TrackingTokens;
  /** Fresh signed document links for a "view online" click. */
  readonly documents: { signedUrl(documentId: string): string };
  /** `ESCALATION_STOP_ON_OPEN`: an open counts as read for escalations too; default false (clients fetch pixels on their own). */
  readonly escalationStopOnOpen?: boolean;
}

/** What a portal user or an agent did with a document, for the delivery that carried it. */
export type DocumentReader = 'portal' | 'agent';

/**
 * Engagement signals: what the recipient did with a delivery. Each kind is
 * recorded once per delivery (a repeat changes nothing and publishes nothing);
 * the first signal of any kind moves a SENT or DELIVERED delivery to READ.
 * Any signal but an open (unless configured) also cancels a pending
 * escalation of the communication: the customer has seen it.
 */
export class EngagementService {
  private readonly readKinds: readonly EngagementKind[];

  constructor(private readonly options: EngagementServiceOptions) {
    this.readKinds = escalationReadKinds(options.escalationStopOnOpen === true);
  }

  /** Records the signal and publishes it when it is new. */
  async record(deliveryId: string, kind: EngagementKind, detail: string | null = null): Promise<EngagementResult> {
    const stopsEscalation = this.readKinds.includes(kind);
    const result = await this.options.repository.record({ deliveryId, kind, detail, makesRead: true, stopsEscalation });
    if (result.outcome === 'recorded' && result.created) {
      await this.options.feed.publish(statusChangeOf(result, `${kind.toLowerCase()}${detail ? `: ${detail}` : ''}`));
    }
    return result;
  }

  /** The open pixel: false for a token this gateway did not mint as a pixel (the route answers 404). */
  async opened(token: string): Promise<boolean> {
    const payload = this.options.tokens.read(token);
    if (!payload || payload.kind !== 'open') return false;
    return (await this.record(payload.deliveryId, EngagementKind.OPENED)).outcome === 'recorded';
  }

  /** A tracked link: where it leads, or null for a token this gateway did not mint as a link. */
  async clicked(token: string): Promise<string | null> {
    const payload = this.options.tokens.read(token);
    if (!payload || payload.kind !== 'click') return null;
    const { target } = payload;
    // Only the gateway mints tokens and only for http(s) addresses; checked again so that no token can ever redirect elsewhere.
    if ('url' in target && !isHttp(target.url)) return null;
    const location = 'documentId' in target ? this.options.documents.signedUrl(target.documentId) : target.url;
    const detail = payload.label ?? ('url' in target ? hostOf(target.url) : null);
    const result = await this.record(payload.deliveryId, EngagementKind.CLICKED, detail);
    return result.outcome === 'recorded' ? location : null;
  }

  /**
   * A document was read (markDocumentRead) or downloaded by its portal user:
   * READ (and DOWNLOADED) on the delivery that carried it — the portal delivery
   * when there is one, else the latest that reached the customer. Null when no
   * delivery carried it.
   */
  async documentRead(documentId: string, how: { readonly downloaded: boolean; readonly by: DocumentReader }): Promise<DeliveryEntity | null> {
    const carriers = await this.options.repository.deliveriesCarrying(documentId);
    const delivery = carriers.find((d) => d.channel === Channel.PORTAL) ?? carriers.filter((d) => isSuccess(d.status)).at(-1) ?? carriers.at(-1) ?? null;
    if (!delivery) return null;
    if (how.downloaded) await this.record(delivery.id, EngagementKind.DOWNLOADED, how.by);
    const read = await this.record(delivery.id, EngagementKind.READ, how.by);
    return read.outcome === 'recorded' ? read.delivery : delivery;
  }

  /** The customer answered the delivery (an inbound SMS or WhatsApp message to the number it went to). */
  async replied(deliveryId: string): Promise<void> {
    await this.record(deliveryId, EngagementKind.REPLIED, 'inbound message');
  }

  ofDeliveries(deliveryIds: readonly string[]): Promise<EngagementEntity[][]> {
    return this.options.repository.ofDeliveries(deliveryIds);
  }
}

/** A link's host: enough to tell links apart on the timeline, nothing of the path or query. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
