import { Channel, DeliveryStatus, EngagementKind } from '../domain';
import { canTransition } from '../store/delivery-status';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { OutcomeDeps } from './pipeline.deps';
import { applyProviderOutcome } from './provider-outcome';
import { matchProviderReport, type ReportMatcherOptions } from './report.matcher';
import type { SendReceipts } from './send.receipts';

/** A provider's status report in our vocabulary (Twilio's callback as the webhook maps it). */
export interface ProviderReport {
  readonly providerMessageId: string;
  /** Our delivery id from the callback URL, when present. */
  readonly deliveryId: string | null;
  /** READ: the provider's read receipt (Twilio "read", WhatsApp only). */
  readonly status: DeliveryStatus;
  readonly detail: string | null;
}

/** Where a read receipt is recorded: EngagementService.record. */
export interface ReadReceiptSink {
  record(deliveryId: string, kind: EngagementKind, detail: string | null): Promise<unknown>;
}

export interface ProviderReportDeps extends OutcomeDeps {
  readonly receipts: SendReceipts;
  /** Absent: read receipts change nothing (a process without engagement tracking). */
  readonly engagement?: ReadReceiptSink | null;
  readonly matcher?: ReportMatcherOptions;
}

/** What a report did: applied; a read receipt recorded; nothing (not ours, a replay, a read receipt of a channel without them). */
export type ProviderReportResult = 'applied' | 'read' | 'unknown' | 'replay' | 'ignored';

/** The timeline and `Engagement.detail` of a WhatsApp read receipt. */
export const WHATSAPP_READ_DETAIL = 'whatsapp read receipt';

/**
 * One provider status report, start to end: which delivery it is about (see
 * `matchProviderReport`), then its transition — or, for a read receipt, an
 * engagement of kind READ (which moves SENT/DELIVERED to READ and is
 * published). Statuses only move forward: a replay or a step the delivery has
 * passed changes nothing.
 */
export async function applyProviderReport(deps: ProviderReportDeps, report: ProviderReport): Promise<ProviderReportResult> {
  const match = await matchProviderReport(deps, report, deps.matcher);
  if (!match) return 'unknown'; // not ours, or from before a retry: acknowledged and ignored
  const { delivery, unrecorded } = match;
  const sid = unrecorded ? { providerMessageId: report.providerMessageId } : {};
  if (report.status === DeliveryStatus.READ) return readReceipt(deps, delivery, report.detail, sid);
  // Statuses only move forward once a SID is recorded, so the committed one is enough here; the lifecycle checks again under its locks.
  if (!canTransition(delivery.status, report.status)) return 'replay';
  await applyProviderOutcome(deps, { deliveryId: delivery.id, status: report.status, detail: report.detail, ...sid });
  return 'applied';
}

/**
 * Twilio reports "read" for WhatsApp only; an SMS never has one, so a "read"
 * about an SMS is not believed. A read receipt says the message was delivered
 * too: one that overtakes "delivered" (or the worker's own SENT, or the SID)
 * first records DELIVERED, with the SID when only the send receipt had it, so
 * the later "delivered" and SENT are refused as steps back.
 */
async function readReceipt(deps: ProviderReportDeps, delivery: DeliveryEntity, detail: string | null, sid: { providerMessageId?: string }): Promise<ProviderReportResult> {
  if (delivery.channel !== Channel.WHATSAPP || !deps.engagement) return 'ignored';
  let status = delivery.status;
  if (!readable(status) && canTransition(status, DeliveryStatus.DELIVERED)) {
    status = (await applyProviderOutcome(deps, { deliveryId: delivery.id, status: DeliveryStatus.DELIVERED, detail, ...sid })).result.delivery.status;
  }
  // FAILED, BOUNCED, CANCELLED, SKIPPED: a read receipt does not undo an ending.
  if (!readable(status)) return 'replay';
  await deps.engagement.record(delivery.id, EngagementKind.READ, WHATSAPP_READ_DETAIL);
  return 'read';
}

/** READ already (another signal came first: the receipt is still recorded), or a step away from it. */
function readable(status: DeliveryStatus): boolean {
  return status === DeliveryStatus.READ || canTransition(status, DeliveryStatus.READ);
}
