import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';
import type { BenchEnvironment } from './bench.environment';
import type { CompletionTracker } from './completion.tracker';
import type { MemoryReading } from './gateway.protocol';
import { queryOrThrow } from './graphql.client';
import { invoiceData } from './pipeline.runner';
import type { Recipient } from './recipients';

/** The gateway's memory when the n-th communication of the flow reached the provider. */
export interface BulkCheckpoint {
  readonly count: number;
  /** Since the first sendBulkCommunication, s. */
  readonly seconds: number;
  /** Current values, and the peaks of the 100 ms samples since the flow started. */
  readonly reading: MemoryReading;
}

export interface BulkMemoryRun {
  readonly channel: BulkChannel;
  /** Communications the flow was to send (the last checkpoint) and those the bulk runs recorded. */
  readonly total: number;
  readonly queued: number;
  /** sendBulkCommunication runs needed (each reaches a customer once; the list is smaller than the flow). */
  readonly batches: number;
  readonly customersPerBatch: number;
  readonly sent: number;
  readonly failed: number;
  /** From the first mutation to the last SENT, s. */
  readonly seconds: number;
  readonly sentPerSecond: number;
  /** True when nothing reached the provider for 30 s before all had. */
  readonly stalled: boolean;
  /** After a collection, before the flow. */
  readonly before: MemoryReading;
  readonly checkpoints: readonly BulkCheckpoint[];
  /** After a collection, once every run had completed (callbacks included). */
  readonly after: MemoryReading;
  /** Redis `used_memory` after the flow, bytes (bounded job history, artifacts deleted once sent). */
  readonly redisUsedMemory: number;
  /** Gateway CPU (user + system) from "before" to "after", ms per communication sent: expansion, render, send and callbacks. */
  readonly cpuMsPerCommunication: number;
}

export type BulkChannel = 'SMS' | 'PORTAL';

export interface BulkOptions {
  /** EXPLICIT, this one channel. Default SMS. */
  readonly channel?: BulkChannel;
  /** Ascending; the last is the number of communications. */
  readonly checkpoints: readonly number[];
  /** Customers reachable on `channel` with an active contract. */
  readonly recipients: readonly Recipient[];
  readonly progress: (line: string) => void;
}

interface BatchView {
  readonly id: string;
  readonly status: string;
  readonly error: string | null;
  readonly progress: { readonly queued: number; readonly settled: number; readonly done: boolean };
}

const BATCH_FIELDS = 'id status error progress { queued settled done }';
const SEND_BULK = `mutation Bulk($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { ${BATCH_FIELDS} } }`;
const BATCH = `query Batch($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} } }`;
const STALL_MS = 30_000;

async function redisUsedMemory(url: string): Promise<number> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  } finally {
    redis.disconnect();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One flow of SMS through `sendBulkCommunication` (EXPLICIT SMS, the invoice
 * template), as many runs of the customer list as it takes, each started once
 * the one before has recorded all its communications, so the flow never
 * stops. The gateway samples its memory every 100 ms; at each checkpoint (n
 * communications handed to the provider) the peaks since the start are read.
 * A pipeline that keeps nothing per communication has the same peak RSS at
 * 20,000 as at 5,000.
 */
export async function benchBulkMemory(env: BenchEnvironment, tracker: CompletionTracker, options: BulkOptions): Promise<BulkMemoryRun> {
  const channel = options.channel ?? 'SMS';
  const total = options.checkpoints[options.checkpoints.length - 1];
  const perBatch = Math.min(options.recipients.length, total);
  const tag = Date.now().toString(36);
  // Callbacks of earlier runs still on their way would count as this flow's.
  await sleep(1_000);
  tracker.clear();
  const before = await env.gateway.memory({ gc: true, resetPeak: true });
  const t0 = performance.now();
  const batches: BatchView[] = [];
  let queued = 0;
  const start = async (): Promise<void> => {
    const ids = options.recipients.slice(0, Math.min(perBatch, total - queued)).map((r) => r.customerId);
    const { sendBulkCommunication: batch } = await queryOrThrow<{ sendBulkCommunication: BatchView }>(env.gateway.url, SEND_BULK, {
      input: {
        templateKey: 'invoice-available',
        target: { customerIds: ids },
        channelPolicy: 'EXPLICIT',
        channels: [channel],
        data: invoiceData(`INV-bulk-${tag}-${batches.length}`),
        batchKey: `bench-${tag}-${batches.length}`,
      },
    });
    batches.push(batch);
  };

  options.progress(`bulk: ${total} ${channel} through sendBulkCommunication (${Math.ceil(total / perBatch)} runs of up to ${perBatch} customers)`);
  await start();
  const checkpoints: BulkCheckpoint[] = [];
  let lastSent = 0;
  let lastMoved = performance.now();
  let lastPoll = 0;
  let lastLine = performance.now();
  let expanding = true;
  let stalled = false;
  for (;;) {
    const { sent, failed } = tracker.totalsSinceClear();
    const now = performance.now();
    while (checkpoints.length < options.checkpoints.length && sent >= options.checkpoints[checkpoints.length]) {
      checkpoints.push({ count: options.checkpoints[checkpoints.length], seconds: (now - t0) / 1000, reading: await env.gateway.memory() });
    }
    if (sent + failed >= total) break;
    if (sent + failed !== lastSent) {
      lastSent = sent + failed;
      lastMoved = now;
    } else if (now - lastMoved > STALL_MS) {
      stalled = true;
      break;
    }
    // The next run starts once the current one has recorded its communications (left EXPANDING).
    if (expanding && now - lastPoll > 500) {
      lastPoll = now;
      const current = batches[batches.length - 1];
      const { batch } = await queryOrThrow<{ batch: BatchView }>(env.gateway.url, BATCH, { id: current.id });
      if (batch.status === 'FAILED' || batch.status === 'CANCELLED') throw new Error(`bulk run ${batch.id} ended ${batch.status}: ${batch.error ?? 'no reason given'}`);
      if (batch.status !== 'EXPANDING') {
        batches[batches.length - 1] = batch;
        queued += batch.progress.queued;
        if (queued >= total) expanding = false;
        else if (batch.progress.queued === 0) throw new Error(`bulk run ${batch.id}: expected communications for ${perBatch} ${channel} customers, got none recorded`);
        else await start();
      }
    }
    if (now - lastLine > 5_000) {
      lastLine = now;
      options.progress(`bulk: ${sent}/${total} sent${failed ? `, ${failed} failed` : ''}, ${batches.length} runs started`);
    }
    await sleep(50);
  }
  const end = tracker.totalsSinceClear();
  const seconds = (performance.now() - t0) / 1000;

  // Settled (SMS confirmed by the callbacks) before the "after" reading, so it holds no work in flight.
  const deadline = performance.now() + 60_000;
  for (const batch of batches) {
    for (let done = false; !done && performance.now() < deadline;) {
      const { batch: current } = await queryOrThrow<{ batch: BatchView }>(env.gateway.url, BATCH, { id: batch.id });
      done = current.progress.done;
      if (!done) await sleep(250);
    }
  }
  const after = await env.gateway.memory({ gc: true });
  return {
    channel,
    total,
    queued,
    batches: batches.length,
    customersPerBatch: perBatch,
    sent: end.sent,
    failed: end.failed,
    seconds,
    sentPerSecond: end.sent / seconds,
    stalled,
    before,
    checkpoints,
    after,
    redisUsedMemory: await redisUsedMemory(env.redisUrl),
    cpuMsPerCommunication: (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000 / Math.max(1, end.sent),
  };
}
