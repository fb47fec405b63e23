import { performance } from 'node:perf_hooks';
import type { BenchEnvironment } from './bench.environment';
import type { CompletionTracker } from './completion.tracker';
import { runPaced, type PacedResult } from './paced.runner';
import { SEND_MUTATION, sendInput, type BenchChannel } from './pipeline.runner';
import type { Recipient } from './recipients';

export interface MutationLatencyRun {
  /** The paced sendCommunication calls: round trips, achieved rate, refusals (errors). */
  readonly paced: PacedResult;
  readonly accepted: number;
  /** Deliveries that reached the provider (SENT or DELIVERED) and that failed. */
  readonly sent: number;
  readonly failed: number;
  /** From the last mutation's answer until the last delivery was SENT, s: near 0 when the pipeline kept up with the rate. */
  readonly drainSeconds: number;
  /** Gateway CPU over the run, as a share of one core. */
  readonly gatewayCpuShare: number;
  /** Gateway event loop delay over the run, ms. */
  readonly gatewayLoopDelay: { readonly p99: number; readonly max: number };
}

export interface MutationLatencyOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly recipients: Readonly<Record<BenchChannel, readonly Recipient[]>>;
  readonly progress: (line: string) => void;
}

/**
 * What a front-office caller waits for while the pipeline works: sendCommunication
 * started at a fixed rate (evenly paced, whatever the answers do), half SMS and
 * half email with the PDF letter, rendered and delivered by the same process
 * meanwhile; then the wait until every one of them reached the provider.
 */
export async function benchMutationLatency(env: BenchEnvironment, tracker: CompletionTracker, options: MutationLatencyOptions): Promise<MutationLatencyRun> {
  tracker.clear();
  const channels: readonly BenchChannel[] = ['SMS', 'EMAIL'];
  const ids: string[] = [];
  const before = await env.gateway.memory({ resetPeak: true });
  const t0 = performance.now();
  options.progress(`mutation latency: sendCommunication at ${options.rate}/s for ${options.seconds} s (SMS and email alternately)`);
  const bodies = Array.from({ length: Math.max(1, Math.round(options.rate * options.seconds)) }, (_, i) => {
    const input = sendInput(i, channels, options.recipients, 'rate');
    return JSON.stringify({ query: SEND_MUTATION, variables: { input } });
  });
  const { result: paced, samples } = await runPaced({ url: `${env.gateway.url}/graphql`, bodies, rate: options.rate, maxSockets: 256, keepBodies: true });
  for (const sample of samples) {
    if (!sample.ok || !sample.body) continue;
    const id = (JSON.parse(sample.body) as { data?: { sendCommunication?: { id?: string } } }).data?.sendCommunication?.id;
    if (id) ids.push(id);
  }
  const answeredAt = performance.now();
  const outcome = await tracker.waitFor(ids, ids.length, 'sent', 30_000);
  const after = await env.gateway.memory();
  const cpuMs = (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000;
  const end = Math.max(outcome.lastAt ?? answeredAt, answeredAt);
  tracker.clear();
  return {
    paced,
    accepted: ids.length,
    sent: outcome.reached,
    failed: outcome.failed,
    drainSeconds: Math.max(0, ((outcome.lastAt ?? answeredAt) - answeredAt) / 1000),
    gatewayCpuShare: cpuMs / (end - t0),
    gatewayLoopDelay: { p99: after.loopDelayP99Ms, max: after.loopDelayMaxMs },
  };
}
