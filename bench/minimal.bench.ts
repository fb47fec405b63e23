import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchEnvironment } from './bench.environment';
import { forkGateway } from './gateway.process';
import { MINIMAL_PATHS, type MinimalStats } from './minimal-pipeline';

export interface MinimalPipelineRun {
  readonly count: number;
  readonly store: 'sqlite' | 'postgres';
  /** From the first POST until Twilio had answered every message, s. */
  readonly sentSeconds: number;
  readonly sentPerSecond: number;
  /** Until every message was confirmed delivered by its signed callbacks, s. */
  readonly deliveredSeconds: number | null;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
  /** Requests refused, and callbacks whose signature did not check out (0 unless something is wrong). */
  readonly rejected: number;
  readonly rejectedCallbacks: number;
  readonly cpuShare: number;
  readonly cpuMsPerSms: number;
  /** True when nothing moved for 30 s before the end. */
  readonly stalled: boolean;
}

export interface MinimalBenchOptions {
  /** The SMS to send: the very recipients and texts the gateway sent in its SMS run. */
  readonly messages: readonly { readonly to: string; readonly body: string }[];
  readonly concurrency: number;
  readonly workerConcurrency: number;
  readonly progress: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same SMS as the gateway's SMS run, through the minimal durable pipeline
 * in its own process (minimal-pipeline.ts), on the same Redis, the same
 * Twilio-compatible sink (and its signed callbacks) and the same kind of
 * store: fed over HTTP with the same number in flight, until every message is
 * sent and every callback has made it delivered.
 */
export async function benchMinimalPipeline(env: BenchEnvironment, options: MinimalBenchOptions): Promise<MinimalPipelineRun> {
  const storeUrl = env.store === 'postgres' ? env.databaseUrl : `sqlite:${join(env.dir, 'minimal.sqlite')}`;
  const child = await forkGateway({
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: env.queuePrefix.replace('{', '{minimal'),
    STORE_URL: storeUrl,
    TWILIO_ACCOUNT_SID: env.sms.accountSid,
    TWILIO_AUTH_TOKEN: env.sms.authToken,
    TWILIO_FROM: env.gatewayEnv.TWILIO_FROM,
    TWILIO_API_URL: env.sms.url,
    WORKER_CONCURRENCY: String(options.workerConcurrency),
  }, { entry: 'minimal.child.js' });
  try {
    const stats = async (): Promise<MinimalStats> => (await (await fetch(`${child.url}${MINIMAL_PATHS.stats}`)).json()) as MinimalStats;
    // One round of `messages`, until every one is sent and delivered (or nothing moved for 30 s).
    const round = async (messages: MinimalBenchOptions['messages']): Promise<MinimalPipelineRun> => {
      const count = messages.length;
      const base = await stats();
      let next = 0;
      let rejected = 0;
      const cpuBefore = await child.memory();
      const t0 = performance.now();
      const sender = async (): Promise<void> => {
        while (next < count) {
          const message = messages[next++];
          const response = await fetch(`${child.url}${MINIMAL_PATHS.send}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ to: message.to, body: message.body }),
          });
          if (response.status !== 200) rejected += 1;
          await response.arrayBuffer();
        }
      };
      const feeding = Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, sender));
      let sentAt: number | null = null;
      let deliveredAt: number | null = null;
      let last = { sent: 0, delivered: 0, failed: 0, rejectedCallbacks: 0 };
      let lastMoved = performance.now();
      let stalled = false;
      for (;;) {
        const raw = await stats();
        const now = { sent: raw.sent - base.sent, delivered: raw.delivered - base.delivered, failed: raw.failed - base.failed, rejectedCallbacks: raw.rejectedCallbacks - base.rejectedCallbacks };
        const at = performance.now();
        if (now.sent + now.failed !== last.sent + last.failed || now.delivered !== last.delivered) lastMoved = at;
        last = now;
        const expected = count - rejected;
        if (sentAt === null && now.sent + now.failed >= expected) sentAt = at;
        if (deliveredAt === null && now.delivered + now.failed >= expected) deliveredAt = at;
        if (sentAt !== null && deliveredAt !== null) break;
        if (at - lastMoved > 30_000) {
          stalled = true;
          break;
        }
        await sleep(20);
      }
      await feeding;
      const cpuAfter = await child.memory();
      const cpuMs = (cpuAfter.cpuUserMicros + cpuAfter.cpuSystemMicros - cpuBefore.cpuUserMicros - cpuBefore.cpuSystemMicros) / 1000;
      const end = deliveredAt ?? sentAt ?? performance.now();
      const sentSeconds = ((sentAt ?? performance.now()) - t0) / 1000;
      return {
        count,
        store: env.store,
        sentSeconds,
        sentPerSecond: last.sent / sentSeconds,
        deliveredSeconds: deliveredAt === null ? null : (deliveredAt - t0) / 1000,
        sent: last.sent,
        delivered: last.delivered,
        failed: last.failed,
        rejected,
        rejectedCallbacks: last.rejectedCallbacks,
        cpuShare: cpuMs / 1000 / Math.max((end - t0) / 1000, 0.001),
        cpuMsPerSms: cpuMs / Math.max(1, count),
        stalled,
      };
    };
    // Warm-up, as the gateway had (its JIT and connections), not reported.
    await round(options.messages.slice(0, 30));
    options.progress(`minimal durable pipeline (${env.store}): ${options.messages.length} SMS`);
    return await round(options.messages);
  } finally {
    await child.close();
  }
}
