import { join } from 'node:path';
import { createRedisStatusEvents } from '../src/jobs/status.events';
import { freePort } from '../src/store/redis.process';
import { createDatabase, type BenchEnvironment } from './bench.environment';
import { CompletionTracker } from './completion.tracker';
import { forkGateway, type GatewayProcess } from './gateway.process';
import type { MemoryReading } from './gateway.protocol';
import { runPipeline, type PipelineRun } from './pipeline.runner';
import type { Recipient } from './recipients';

export interface ScaleOutRun {
  /** Worker processes (role `worker`) behind one API process (role `api`). */
  readonly workers: number;
  readonly run: PipelineRun;
  /** CPU of the API and every worker process together, ms per SMS. */
  readonly cpuMsPerSms: number;
  /** The same, API process alone and the worker processes alone. */
  readonly apiCpuMsPerSms: number;
  readonly workerCpuMsPerSms: number;
  /** Messages the Twilio-compatible sink received during the run: more than the SMS sent would be a duplicate send. */
  readonly providerMessages: number;
  /** Distinct texts among them (each SMS of a run carries its own invoice number). */
  readonly distinctBodies: number;
}

export interface ScaleOutOptions {
  readonly workerCounts: readonly number[];
  readonly count: number;
  readonly recipients: readonly Recipient[];
  readonly concurrency: number;
  readonly progress: (line: string) => void;
}

const cpuMicros = (r: MemoryReading): number => r.cpuUserMicros + r.cpuSystemMicros;

/**
 * Scale-out evidence: the same SMS load as the pipeline run, sent to an API
 * process with 1, 2, … worker processes behind it (`node dist/main.js api` and
 * `worker`, as deployed), each set on a fresh store (a new PostgreSQL
 * database, or a new SQLite file) and its own queue prefix. The CPU of all
 * the processes is summed: CPU per SMS that does not grow with the number of
 * workers means no lock contention or retries; the sink's count of messages
 * shows there was no duplicate send.
 */
export async function benchScaleOut(env: BenchEnvironment, options: ScaleOutOptions): Promise<ScaleOutRun[]> {
  const runs: ScaleOutRun[] = [];
  for (const workers of options.workerCounts) {
    const steps: (() => Promise<unknown>)[] = [];
    try {
      const tag = `w${workers}${Math.random().toString(36).slice(2, 7)}`;
      let databaseUrl = `sqlite:${join(env.dir, `scale-${tag}.sqlite`)}`;
      if (env.store === 'postgres') {
        const server = new URL(env.databaseUrl);
        server.pathname = '/postgres';
        const database = await createDatabase(server.toString(), `ccm_bench_${tag}`);
        steps.push(() => database.drop());
        databaseUrl = database.url;
      }
      const queuePrefix = env.queuePrefix.replace('{', `{${tag}`);
      const port = await freePort();
      const processEnv = {
        ...env.gatewayEnv,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: queuePrefix,
        DATA_DIR: join(env.dir, `gateway-${tag}`),
      };
      options.progress(`scale-out: API process + ${workers} worker process${workers === 1 ? '' : 'es'} (${env.store})`);
      // The API first: its migrations create the store the workers open.
      const api = await forkGateway(processEnv, { role: 'api' });
      steps.push(() => api.close());
      const workerProcesses: GatewayProcess[] = [];
      for (let i = 0; i < workers; i += 1) {
        const worker = await forkGateway(processEnv, { role: 'worker' });
        steps.push(() => worker.close());
        workerProcesses.push(worker);
      }
      const events = createRedisStatusEvents({ redisUrl: env.redisUrl, channel: `${queuePrefix}:delivery-status` });
      steps.push(() => events.close());
      const tracker = await CompletionTracker.start(events);
      steps.push(async () => tracker.stop());
      // runPipeline reads the CPU of `gateway`: here the API process and its workers together.
      const readings = async (): Promise<{ api: number; workers: number }> => {
        const [a, ...w] = await Promise.all([api.memory(), ...workerProcesses.map((p) => p.memory())]);
        return { api: cpuMicros(a), workers: w.reduce((sum, r) => sum + cpuMicros(r), 0) };
      };
      const group: GatewayProcess = {
        url: api.url,
        pid: api.pid,
        memory: async () => {
          const r = await readings();
          const base = await api.memory();
          return { ...base, cpuUserMicros: r.api + r.workers, cpuSystemMicros: 0 };
        },
        close: () => api.close(),
      };
      const groupEnv: BenchEnvironment = { ...env, gateway: group };
      const common = { recipients: { SMS: options.recipients, EMAIL: options.recipients }, concurrency: options.concurrency, channels: ['SMS'] as const, progress: options.progress };
      await runPipeline(groupEnv, tracker, { ...common, count: 30, waitDelivered: true, label: `warmup-${tag}` });
      tracker.clear();
      const sinkBefore = env.sms.messages.length;
      const before = await readings();
      const run = await runPipeline(groupEnv, tracker, { ...common, count: options.count, waitDelivered: true, label: `scale-${tag}` });
      const after = await readings();
      const sent = env.sms.messages.slice(sinkBefore);
      const n = Math.max(1, run.count - run.rejected);
      runs.push({
        workers,
        run,
        cpuMsPerSms: (after.api + after.workers - before.api - before.workers) / 1000 / n,
        apiCpuMsPerSms: (after.api - before.api) / 1000 / n,
        workerCpuMsPerSms: (after.workers - before.workers) / 1000 / n,
        providerMessages: sent.length,
        distinctBodies: new Set(sent.map((m) => m.body)).size,
      });
    } finally {
      while (steps.length) await (steps.pop() as () => Promise<unknown>)().catch(() => undefined);
    }
  }
  return runs;
}
