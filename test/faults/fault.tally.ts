import type { ReceivedEmail } from '../../backoffice/sinks/smtp.sink';
import type { SinkSms } from '../../backoffice/sinks/twilio.sink';
import { CommunicationStatus, DeliveryStatus } from '../../src/domain';
import type { CommunicationEntity } from '../../src/store/communication.entity';
import type { CommunicationRepository } from '../../src/store/communication.repository';
import type { Sent } from './fault.load';

const FINAL: ReadonlySet<string> = new Set([CommunicationStatus.DELIVERED, CommunicationStatus.PARTIALLY_DELIVERED, CommunicationStatus.FAILED, CommunicationStatus.CANCELLED]);
const CHUNK = 400;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function load(repository: CommunicationRepository, ids: readonly string[]): Promise<CommunicationEntity[]> {
  const found: CommunicationEntity[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const c of await repository.getMany(ids.slice(i, i + CHUNK))) if (c) found.push(c);
  }
  return found;
}

/** Polls the store until every communication is in a final state or the time is up; returns those still open. */
export async function settle(repository: CommunicationRepository, ids: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let open = [...ids];
  for (;;) {
    const rows = await load(repository, open).catch(() => null);
    if (rows) open = open.filter((id) => !rows.some((c) => c.id === id && FINAL.has(c.status)));
    if (open.length === 0 || Date.now() > deadline) return open;
    await sleep(500);
  }
}

/** What each scenario prints and asserts. */
export interface Figures {
  /** Requests the API acknowledged with a communication. */
  readonly accepted: number;
  /** Requests the API refused (codes in `refusedCodes`). */
  readonly refused: number;
  /** Communications DELIVERED, with a message at the sink for every delivery. */
  readonly delivered: number;
  /** Communications that ended visibly FAILED or PARTIALLY_DELIVERED. */
  readonly failed: number;
  /** Accepted but not final by the deadline, or recorded as sent with no message at the sink. */
  readonly lost: number;
  /**
   * Messages a recipient gets twice: every SMS beyond one per delivery, every
   * email beyond one distinct Message-ID per delivery.
   */
  readonly duplicates: number;
  /**
   * SMTP transactions repeated with the delivery's own Message-ID (the window
   * SMTP leaves, see the README's reliability section): a receiving system
   * that keeps one message per Message-ID shows one.
   */
  readonly emailResends: number;
  /** Messages at the sinks that belong to no accepted request. */
  readonly orphans: number;
  /** SMS deliveries whose recorded SID is not one of the sink's messages for them. */
  readonly wrongRecords: number;
  readonly refusedCodes: Readonly<Record<string, number>>;
  /** Up to five resent, duplicated or lost deliveries with their timelines, to see what happened. */
  readonly examples: readonly string[];
}

/**
 * Counts, per delivery, the messages the sinks hold for it: email by its
 * stable Message-ID (`<deliveryId@domain>`), SMS by the request's reference,
 * which is in the text.
 */
export async function tally(repository: CommunicationRepository, run: string, sent: readonly Sent[], emails: readonly ReceivedEmail[], sms: readonly SinkSms[]): Promise<Figures> {
  const accepted = sent.filter((s) => s.communicationId !== null);
  const refusedCodes: Record<string, number> = {};
  for (const s of sent) if (!s.communicationId) refusedCodes[s.errorCode ?? '?'] = (refusedCodes[s.errorCode ?? '?'] ?? 0) + 1;
  const ids = [...new Set(accepted.map((s) => s.communicationId!))];
  const communications = new Map((await load(repository, ids)).map((c) => [c.id, c] as const));
  const deliveriesOf = new Map<string, Awaited<ReturnType<CommunicationRepository['deliveriesOf']>>[number]>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    (await repository.deliveriesOf(chunk)).forEach((list, j) => deliveriesOf.set(chunk[j], list));
  }
  const mailOf = new Map<string, ReceivedEmail[]>();
  for (const m of emails) {
    const id = /^<([^@>]+)@/.exec(m.messageId ?? '')?.[1] ?? `?${m.id}`;
    mailOf.set(id, [...(mailOf.get(id) ?? []), m]);
  }
  const refPattern = new RegExp(`${run}-\\d{5}`);
  const smsOf = new Map<string, SinkSms[]>();
  for (const m of sms) {
    const ref = refPattern.exec(m.body)?.[0] ?? `?${m.sid}`;
    smsOf.set(ref, [...(smsOf.get(ref) ?? []), m]);
  }

  let delivered = 0, failed = 0, lost = 0, duplicates = 0, emailResends = 0, wrongRecords = 0;
  const known = { mail: new Set<string>(), sms: new Set<string>() };
  const suspects: { id: string; at: string[] }[] = [];
  const suspect = (id: string, times: Date[]): void => {
    if (suspects.length < 5) suspects.push({ id, at: times.map((t) => t.toISOString().slice(11, 23)) });
  };
  for (const s of accepted) {
    const communication = communications.get(s.communicationId!);
    if (!communication || !FINAL.has(communication.status)) {
      lost += 1;
      continue;
    }
    let missing = false;
    const texts = smsOf.get(s.ref) ?? [];
    let smsDeliveries = 0;
    for (const d of deliveriesOf.get(communication.id) ?? []) {
      const success = d.status === DeliveryStatus.SENT || d.status === DeliveryStatus.DELIVERED;
      if (d.channel === 'EMAIL') {
        known.mail.add(d.id);
        const copies = mailOf.get(d.id) ?? [];
        if (success && copies.length === 0) missing = true;
        // Copies beyond the first carry the same Message-ID: a resend, not a second message.
        emailResends += Math.max(0, copies.length - 1);
        if (!success && copies.length > 0) duplicates += copies.length;
        if (copies.length > 1 || (success && copies.length === 0)) suspect(d.id, copies.map((m) => m.receivedAt));
      } else if (d.channel === 'SMS') {
        known.sms.add(s.ref);
        smsDeliveries += 1;
        if (success && texts.length === 0) missing = true;
        if (success && !texts.some((m) => m.sid === d.providerMessageId)) wrongRecords += 1;
        if (texts.length > 1 || (success && texts.length === 0)) suspect(d.id, texts.map((m) => m.dateCreated));
      }
    }
    duplicates += Math.max(0, texts.length - smsDeliveries);
    if (missing) lost += 1;
    else if (communication.status === CommunicationStatus.DELIVERED) delivered += 1;
    else failed += 1;
  }
  const orphans = [...mailOf.keys()].filter((id) => !known.mail.has(id)).length + [...smsOf.keys()].filter((ref) => !known.sms.has(ref)).length;
  const examples = (await repository.eventsOf(suspects.map((x) => x.id))).map((events, i) =>
    `${suspects[i].id} (at the sink: ${suspects[i].at.join(', ') || 'nothing'}): ${events.map((e) => `${e.at.toISOString().slice(11, 23)} ${e.status} ${e.detail ?? ''}`.trim()).join(' | ')}`);
  return { accepted: accepted.length, refused: sent.length - accepted.length, delivered, failed, lost, duplicates, emailResends, orphans, wrongRecords, refusedCodes, examples };
}

/** One line per scenario, the figures the issue asks for first. */
export function report(label: string, figures: Figures, extra: Record<string, unknown> = {}): void {
  const { accepted, delivered, failed, lost, duplicates } = figures;
  const rest = {
    refused: figures.refused, orphans: figures.orphans, wrongRecords: figures.wrongRecords,
    emailResends: figures.emailResends, ...(figures.refused ? { refusedCodes: figures.refusedCodes } : {}), ...extra,
  };
  const examples = figures.examples.map((e) => `\n    ${e}`).join('');
  console.log(`[faults] ${label}: accepted=${accepted} delivered=${delivered} failed=${failed} lost=${lost} duplicates=${duplicates} ${JSON.stringify(rest)}${examples}`);
}
