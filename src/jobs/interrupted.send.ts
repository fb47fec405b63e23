import { PermanentDeliveryError, type ChannelProvider, type RenderedMessage, type SendResult } from '../channels/channel';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { PipelineDeps } from './pipeline.deps';
import { SendReceipts } from './send.receipts';

/** A message the provider already holds for a delivery, as a provider that can be asked reports it. */
export interface FoundMessage {
  readonly providerMessageId: string;
  /** The provider already reports it delivered. */
  readonly final: boolean;
  /** Set when the provider reports it failed for good (e.g. Twilio "undelivered"). */
  readonly failure: string | null;
  readonly detail: string;
}

/**
 * A provider that can say which messages it accepted for a delivery's
 * recipient and content since a time (Twilio: the Messages list). Providers
 * implement it structurally; SMTP cannot be asked anything.
 */
export interface SentMessageLookup {
  findSent(message: RenderedMessage, since: Date): Promise<readonly FoundMessage[]>;
}

export function canLookUp(provider: ChannelProvider): provider is ChannelProvider & SentMessageLookup {
  return typeof (provider as Partial<SentMessageLookup>).findSent === 'function';
}

/** Provider clocks and ours differ; a message for this delivery cannot predate its creation by more than this. */
const CLOCK_SLACK_MS = 10 * 60_000;

/**
 * A previous attempt claimed the delivery (SENDING) and its outcome never
 * reached the database: the worker died, the reply was lost, or the database
 * was down right after the provider accepted. Before sending again, what is
 * known about that attempt: its receipt (written the moment the provider
 * answered), then the provider's own record where it can be asked. Null: no
 * trace of an accepted send, so sending is right (for SMTP, the resend carries
 * the same Message-ID).
 */
export async function recoverInterruptedSend(
  deps: Pick<PipelineDeps, 'receipts' | 'repository' | 'logger'>,
  delivery: DeliveryEntity,
  message: RenderedMessage,
  provider: ChannelProvider,
): Promise<SendResult | null> {
  const receipt = await deps.receipts.get(delivery.id);
  // `delivery` as this attempt found it, before its own claim: still at the version the interrupted claim left.
  if (receipt && SendReceipts.speaksFor(receipt, delivery)) {
    deps.logger.warn({ deliveryId: delivery.id, channel: delivery.channel }, 'interrupted attempt had been accepted (send receipt): recorded, not resent');
    return { providerMessageId: receipt.providerMessageId, final: receipt.final, detail: `accepted by an interrupted attempt${receipt.detail ? `: ${receipt.detail}` : ''}` };
  }
  if (!canLookUp(provider)) return null;
  const candidates = await provider.findSent(message, new Date(delivery.createdAt.getTime() - CLOCK_SLACK_MS));
  for (const found of candidates) {
    // Same recipient and text as another delivery that recorded it: that one's message, not ours.
    const owner = await deps.repository.findByProviderMessageId(found.providerMessageId);
    if (owner && owner.id !== delivery.id) continue;
    deps.logger.warn({ deliveryId: delivery.id, channel: delivery.channel }, 'interrupted attempt had been accepted (provider record): recorded, not resent');
    if (found.failure) throw new PermanentDeliveryError(`accepted by an interrupted attempt, then ${found.failure}`);
    return { providerMessageId: found.providerMessageId, final: found.final, detail: `accepted by an interrupted attempt: ${found.detail}` };
  }
  return null;
}
