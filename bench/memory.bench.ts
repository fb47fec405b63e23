import IORedis from 'ioredis';
import type { BenchEnvironment } from './bench.environment';
import type { CompletionTracker } from './completion.tracker';
import type { MemoryReading } from './gateway.protocol';
import { runPipeline, type BenchChannel, type PipelineRun } from './pipeline.runner';
import type { Recipient } from './recipients';

export interface BulkRun {
  readonly count: number;
  readonly pipeline: PipelineRun;
  /** After a collection, just before the run. */
  readonly before: MemoryReading;
  /** Peaks of the 100 ms samples during the run (and the current values at its end). */
  readonly during: MemoryReading;
  /** After a collection, once every delivery was settled. */
  readonly after: MemoryReading;
  /** Redis `used_memory` after the run, bytes (bounded job history, artifacts deleted once sent). */
  readonly redisUsedMemory: number;
}

export interface BulkOptions {
  readonly counts: readonly number[];
  readonly concurrency: number;
  readonly recipients: Readonly<Record<BenchChannel, readonly Recipient[]>>;
  readonly progress: (line: string) => void;
}

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

/**
 * Bulk runs of growing size, half SMS and half email with the PDF letter, fed
 * as fast as the gateway takes them. The gateway process samples its own
 * memory every 100 ms; a pipeline that keeps nothing per communication shows
 * the same peak for 2,000 as for 1,000, and the same heap after as before.
 */
export async function benchBulkMemory(env: BenchEnvironment, tracker: CompletionTracker, options: BulkOptions): Promise<BulkRun[]> {
  const runs: BulkRun[] = [];
  for (const count of options.counts) {
    tracker.clear();
    options.progress(`bulk memory: ${count} communications (SMS + email with PDF)`);
    const before = await env.gateway.memory({ gc: true, resetPeak: true });
    const pipeline = await runPipeline(env, tracker, {
      channels: ['SMS', 'EMAIL'],
      count,
      recipients: options.recipients,
      concurrency: options.concurrency,
      waitDelivered: true,
      progress: options.progress,
      label: `bulk${count}`,
    });
    const during = await env.gateway.memory();
    const after = await env.gateway.memory({ gc: true });
    runs.push({ count, pipeline, before, during, after, redisUsedMemory: await redisUsedMemory(env.redisUrl) });
  }
  tracker.clear();
  return runs;
}
