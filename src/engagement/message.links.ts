import type { MessageLinks, MessageLinkSet } from '../channels/channel.module';
import type { TrackingTokens } from './tracking.token';

/**
 * Distinct links of a message's text rewritten to tracked links, at most; the
 * ones after stay as written. Bounds the work per message and the size of an
 * email whose data lists many addresses.
 */
export const MAX_TRACKED_LINKS = 20;
/** A longer address stays as written: its token would outgrow what the click route reads (4,000 characters). */
export const MAX_TRACKED_URL_LENGTH = 2_048;

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
 * link TTL) and for every http(s) link of the text (302 to that address), and
 * `/t/o/<token>` for the pixel. Untracked (`TRACKING=off`, or the customer's
 * `tracking: false`): the signed link itself (it expires after
 * DOCUMENT_LINK_TTL_SECONDS) or the portal, the text's links as written, no
 * pixel.
 */
export class TrackedLinks implements MessageLinks {
  private readonly base: string;

  constructor(private readonly options: TrackedLinksOptions) {
    this.base = options.publicUrl.replace(/\/+$/, '');
  }

  forMessage(deliveryId: string, options: { readonly tracking?: boolean } = {}): MessageLinkSet {
    const { portalUrl, tokens, documents } = this.options;
    const tracked = this.options.enabled && options.tracking !== false;
    const click = (token: string): string => `${this.base}/t/c/${token}`;
    // One token per address: the HTML and the text part carry the same link.
    const minted = new Map<string, string>();
    return {
      viewOnline: (documentId) => {
        if (!tracked) return documentId ? documents.signedUrl(documentId) : portalUrl;
        const target = documentId ? { documentId } : portalUrl ? { url: portalUrl } : null;
        return target ? click(tokens.mint({ kind: 'click', deliveryId, target, label: 'view online' })) : null;
      },
      pixel: () => (tracked ? `${this.base}/t/o/${tokens.mint({ kind: 'open', deliveryId })}` : null),
      link: (url) => {
        if (!tracked || !isHttp(url) || url.length > MAX_TRACKED_URL_LENGTH) return url;
        const known = minted.get(url);
        if (known) return known;
        if (minted.size >= MAX_TRACKED_LINKS) return url;
        const link = click(tokens.mint({ kind: 'click', deliveryId, target: { url }, label: null }));
        minted.set(url, link);
        return link;
      },
    };
  }
}

/** Only http(s) addresses are ever a click's destination. */
export function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url) && URL.canParse(url);
}
