import type { MessageLinks } from '../channels/channel.module';
import type { TrackingTokens } from './tracking.token';

export interface TrackedLinksOptions {
  /** Base of the tracking routes (`PUBLIC_URL`). */
  readonly publicUrl: string;
  readonly tokens: TrackingTokens;
  /** `TRACKING=off`: plain links, no pixel. */
  readonly enabled: boolean;
  /** `PORTAL_URL`: where "view online" leads when the message has no archived document; null: nowhere. */
  readonly portalUrl: string | null;
  /** Signed document links, for untracked messages. */
  readonly documents: { signedUrl(documentId: string): string };
}

/**
 * The links the email writes. Tracked: `/t/c/<token>` for "view online" (the
 * click makes a fresh signed document link, so the mail's link outlives the
 * link TTL) and `/t/o/<token>` for the pixel. Untracked: the signed link itself
 * (it expires after DOCUMENT_LINK_TTL_SECONDS) or the portal.
 */
export class TrackedLinks implements MessageLinks {
  private readonly base: string;

  constructor(private readonly options: TrackedLinksOptions) {
    this.base = options.publicUrl.replace(/\/+$/, '');
  }

  viewOnline(deliveryId: string, documentId: string | null): string | null {
    const { enabled, portalUrl, tokens, documents } = this.options;
    if (!enabled) return documentId ? documents.signedUrl(documentId) : portalUrl;
    const target = documentId ? { documentId } : portalUrl ? { url: portalUrl } : null;
    if (!target) return null;
    return `${this.base}/t/c/${tokens.mint({ kind: 'click', deliveryId, target, label: 'view online' })}`;
  }

  pixel(deliveryId: string): string | null {
    return this.options.enabled ? `${this.base}/t/o/${this.options.tokens.mint({ kind: 'open', deliveryId })}` : null;
  }
}
