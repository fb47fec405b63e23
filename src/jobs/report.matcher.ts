import { DeliveryStatus } from '../domain';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import { SendReceipts } from './send.receipts';

export interface ProviderReportKey {
  /** The provider's id of the message (Twilio: the SID). */
  readonly providerMessageId: string;
  /** Our delivery id, when the provider echoes it (it is in each message's StatusCallback URL). */
  readonly deliveryId: string | null;
}

export interface MatchedReport {
  readonly delivery: DeliveryEntity;
  /** The delivery's record does not carry the provider's id yet: the report should record it. */
  readonly unrecorded: boolean;
}

export interface ReportMatcherOptions {
  /** Look-ups before giving up on a report that matches nothing yet; default 10. */
  readonly attempts?: number;
  /** Pause between them; default 200 ms. */
  readonly pauseMs?: number;
}

/**
 * Which delivery a provider's status report is about. A fast provider can
 * report before the worker has stored the message id: with our delivery id in
 * the report, the delivery still SENDING is the one when the send receipt
 * (written the moment the provider answered) names the same message id — a
 * report about an earlier attempt (before a retry) names another and is not
 * taken. Without a match, the look-up is repeated for a moment (the receipt
 * may be milliseconds away), then by message id alone; null: not ours, or
 * about a send that was reset since.
 */
export async function matchProviderReport(
  deps: { readonly repository: CommunicationRepository; readonly receipts: SendReceipts },
  report: ProviderReportKey,
  options: ReportMatcherOptions = {},
): Promise<MatchedReport | null> {
  const attempts = options.attempts ?? 10;
  const pauseMs = options.pauseMs ?? 200;
  for (let attempt = 0; ; attempt += 1) {
    const found = await lookUp(deps, report);
    if (found || attempt >= attempts) return found;
    await new Promise((wait) => setTimeout(wait, pauseMs));
  }
}

async function lookUp(deps: { readonly repository: CommunicationRepository; readonly receipts: SendReceipts }, report: ProviderReportKey): Promise<MatchedReport | null> {
  if (report.deliveryId) {
    const delivery = await deps.repository.getDelivery(report.deliveryId);
    if (delivery?.providerMessageId === report.providerMessageId) return { delivery, unrecorded: false };
    if (delivery && delivery.providerMessageId === null && delivery.status === DeliveryStatus.SENDING) {
      const receipt = await deps.receipts.get(delivery.id);
      if (receipt && SendReceipts.speaksFor(receipt, delivery) && receipt.providerMessageId === report.providerMessageId) return { delivery, unrecorded: true };
    }
  }
  const delivery = await deps.repository.findByProviderMessageId(report.providerMessageId);
  return delivery ? { delivery, unrecorded: false } : null;
}
