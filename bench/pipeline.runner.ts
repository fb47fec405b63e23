import { performance } from 'node:perf_hooks';
import type { BenchEnvironment } from './bench.environment';
import type { CompletionTracker } from './completion.tracker';
import { postGraphql } from './graphql.client';
import { summarize, type LatencySummary } from './latency.stats';
import type { Recipient } from './recipients';

export const SEND_MUTATION = 'mutation Send($input: SendCommunicationInput!) { sendCommunication(input: $input) { id status } }';

export type BenchChannel = 'SMS' | 'EMAIL';

export interface PipelineRunOptions {
  /** Communication i goes by channels[i % channels.length]. */
  readonly channels: readonly BenchChannel[];
  readonly count: number;
  readonly recipients: Readonly<Record<BenchChannel, readonly Recipient[]>>;
  /** Mutations in flight at once. */
  readonly concurrency: number;
  /** Also wait for the provider's DELIVERED callbacks of the SMS (email ends SENT). */
  readonly waitDelivered: boolean;
  /** Nothing moving for this long ends the wait. Default 30 s. */
  readonly stallMs?: number;
  readonly progress?: (line: string) => void;
  /** Distinguishes runs in invoice numbers. */
  readonly label: string;
}

export interface PipelineRun {
  readonly channels: readonly BenchChannel[];
  readonly count: number;
  /** Mutations answered with an error (nothing to wait for). */
  readonly rejected: number;
  readonly firstRejection: string | null;
  /** True when feeding stopped before `count` because the gateway refused most requests. */
  readonly stoppedEarly: boolean;
  /** From the first mutation to the last answer, s. */
  readonly acceptSeconds: number;
  /** From the first mutation until every delivery was SENT (or DELIVERED), s. */
  readonly sentSeconds: number;
  readonly sentPerSecond: number;
  readonly sent: number;
  readonly failed: number;
  readonly firstFailure: string | null;
  /** Until every SMS was confirmed DELIVERED by the Twilio-compatible callbacks, s; null when not waited for or no SMS. */
  readonly deliveredSeconds: number | null;
  readonly delivered: number | null;
  /** True when deliveries stopped reaching SENT before all did (nothing moved for `stallMs`). */
  readonly stalled: boolean;
  /** SMS handed to the provider whose DELIVERED callback never changed the delivery (null when not waited for). */
  readonly unconfirmed: number | null;
  /** sendCommunication round trip, ms. */
  readonly mutationLatency: LatencySummary;
  /** Gateway CPU over the run, as a share of one core, and per communication (ms). */
  readonly gatewayCpuShare: number;
  readonly gatewayCpuMsPerCommunication: number;
}

/** The template data of every benchmark communication; the email's PDF gets a five-line invoice table. */
export function invoiceData(invoiceNumber: string): Record<string, unknown> {
  const line = (i: number): Record<string, unknown> => ({ description: `Monthly premium, period ${i}`, quantity: 1, unitPrice: { amount: '24.90', currency: 'EUR' }, amount: { amount: '24.90', currency: 'EUR' } });
  return {
    invoiceNumber,
    amountDue: { amount: '124.50', currency: 'EUR' },
    dueDate: '2026-12-15',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
    lines: [1, 2, 3, 4, 5].map(line),
  };
}

/**
 * Feeds `count` sendCommunication calls (EXPLICIT, one channel, so one delivery
 * each) over HTTP, `concurrency` at a time, and waits until the status events
 * say every delivery reached the provider.
 */
/** The i-th `sendCommunication` input of a run: channels in turn, recipients of each channel in turn. */
export function sendInput(
  i: number,
  channels: readonly BenchChannel[],
  recipients: Readonly<Record<BenchChannel, readonly Recipient[]>>,
  label: string,
): Record<string, unknown> {
  const channel = channels[i % channels.length];
  const pool = recipients[channel];
  const recipient = pool[Math.floor(i / channels.length) % pool.length];
  return {
    customerId: recipient.customerId,
    contractId: recipient.contractId,
    templateKey: 'invoice-available',
    channelPolicy: 'EXPLICIT',
    channels: [channel],
    data: invoiceData(`INV-${label}-${i}`),
  };
}

export async function runPipeline(env: BenchEnvironment, tracker: CompletionTracker, options: PipelineRunOptions): Promise<PipelineRun> {
  const url = env.gateway.url;
  const ids: string[] = [];
  const smsIds: string[] = [];
  const latencies: number[] = [];
  let rejected = 0;
  let firstRejection: string | null = null;
  let next = 0;
  const cpuBefore = await env.gateway.memory();
  const t0 = performance.now();
  let acceptedAt = t0;

  // A gateway that refuses most requests (Redis or the back-office gone) ends the feeding early, with its error in the report.
  const refusing = (): boolean => rejected >= 20 && rejected > ids.length;
  const sender = async (): Promise<void> => {
    while (next < options.count && !refusing()) {
      const i = next++;
      const input = sendInput(i, options.channels, options.recipients, options.label);
      const started = performance.now();
      try {
        const answer = await postGraphql<{ sendCommunication: { id: string } }>(url, SEND_MUTATION, { input });
        latencies.push(performance.now() - started);
        const created = answer.data?.sendCommunication;
        if (created) {
          ids.push(created.id);
          if (options.channels[i % options.channels.length] === 'SMS') smsIds.push(created.id);
        } else throw new Error(answer.errors.map((e) => `${String(e.extensions?.code)}: ${e.message}`).join('; ') || 'no data');
      } catch (error) {
        rejected += 1;
        firstRejection ??= (error as Error).message;
      }
      acceptedAt = performance.now();
    }
  };
  const ticker = setInterval(() => {
    const refused = rejected ? `, ${rejected} refused (${firstRejection})` : '';
    options.progress?.(`${options.label}: ${ids.length}/${options.count} accepted${refused}, ${tracker.count(ids, 'sent')} sent`);
  }, 2_000);
  try {
    const sending = Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, sender));
    await sending;
    const expected = ids.length;
    const stallMs = options.stallMs ?? 30_000;
    const sent = await tracker.waitFor(ids, expected, 'sent', stallMs);
    // Callbacks follow SENT within a few status steps: a short stall means they are not coming.
    const delivered = options.waitDelivered && smsIds.length > 0 ? await tracker.waitFor(smsIds, smsIds.length, 'delivered', Math.min(stallMs, 5_000)) : null;
    const cpuAfter = await env.gateway.memory();
    // Up to the last milestone: a wait that ended in a stall adds seconds but no work.
    const wallSeconds = (Math.max(sent.lastAt ?? t0, delivered?.lastAt ?? t0, acceptedAt) - t0) / 1000;
    const sentSeconds = ((sent.lastAt ?? performance.now()) - t0) / 1000;
    const cpuMs = (cpuAfter.cpuUserMicros + cpuAfter.cpuSystemMicros - cpuBefore.cpuUserMicros - cpuBefore.cpuSystemMicros) / 1000;
    return {
      channels: options.channels,
      count: options.count,
      rejected,
      firstRejection,
      stoppedEarly: ids.length + rejected < options.count,
      acceptSeconds: (acceptedAt - t0) / 1000,
      sentSeconds,
      sentPerSecond: sent.reached / sentSeconds,
      sent: sent.reached,
      failed: sent.failed,
      firstFailure: sent.firstFailure,
      deliveredSeconds: delivered?.lastAt ? (delivered.lastAt - t0) / 1000 : null,
      delivered: delivered?.reached ?? null,
      stalled: sent.stalled,
      unconfirmed: delivered ? smsIds.length - delivered.reached - delivered.failed : null,
      mutationLatency: summarize(latencies),
      gatewayCpuShare: cpuMs / 1000 / Math.max(wallSeconds, 0.001),
      gatewayCpuMsPerCommunication: cpuMs / Math.max(1, ids.length),
    };
  } finally {
    clearInterval(ticker);
  }
}
