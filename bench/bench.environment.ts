import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { loadConfig } from '../src/config';
import { startSmtpSink, type SmtpSink } from '../backoffice/sinks/smtp.sink';
import { startTwilioSink, type TwilioSink } from '../backoffice/sinks/twilio.sink';
import { createRedisStatusEvents, type StatusEvents } from '../src/jobs/status.events';
import { freePort, startLocalRedis, type LocalRedis } from '../src/store/redis.process';
import type { BenchOptions } from './bench.options';
import { forkGateway, type GatewayProcess } from './gateway.process';

export interface BenchEnvironment {
  readonly dir: string;
  readonly redisUrl: string;
  /** The gateway's QUEUE_PREFIX, unique to this run. */
  readonly queuePrefix: string;
  /** Gateway env as given to loadConfig (for the report; no secrets: the sinks' credentials are throw-away). */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  readonly store: 'sqlite' | 'postgres';
  /** The gateway's DATABASE_URL (a SQLite file in `dir`, or the run's own PostgreSQL database). */
  readonly databaseUrl: string;
  readonly backoffice: RunningBackoffice;
  readonly smtp: SmtpSink;
  readonly sms: TwilioSink;
  readonly gateway: GatewayProcess;
  /** The hand-written client of the customer view (direct-client.ts) in its own process, on the same systems and store. */
  readonly direct: GatewayProcess;
  /** Every delivery status change of the gateway, through Redis pub/sub. */
  readonly events: StatusEvents;
  /** Stops everything this function started, in reverse order; says whether the gateway or the direct client process had to be killed. */
  close(): Promise<{ gatewayLeaked: boolean; directLeaked: boolean }>;
}

/** A fresh database on the given server, so runs never see each other's rows. */
export async function createDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * What the gateway talks to, on loopback: a local redis-server, the simulated
 * back-office, the SMTP and Twilio-compatible sinks, all in this process; the
 * gateway itself (API + workers) in a child process.
 */
export async function startBenchEnvironment(options: BenchOptions): Promise<BenchEnvironment> {
  const steps: (() => Promise<unknown>)[] = [];
  const unwind = async (): Promise<void> => {
    while (steps.length) await (steps.pop() as () => Promise<unknown>)().catch(() => undefined);
  };
  const dir = mkdtempSync(join(tmpdir(), 'ccm-bench-'));
  steps.push(async () => rmSync(dir, { recursive: true, force: true }));
  const tag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  try {
    const redis: LocalRedis = await startLocalRedis({ dir: null });
    steps.push(() => redis.close());
    const backoffice = await startBackoffice({
      customers: options.customers,
      contracts: options.contracts,
      products: 200,
      latencyMs: options.backofficeLatenciesMs[0],
      contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}`,
    });
    steps.push(() => backoffice.close());
    const smtp = await startSmtpSink();
    steps.push(() => smtp.close());
    // Every number is valid and every message ends "delivered", one status step per callbackDelayMs.
    const sms = await startTwilioSink({ callbacks: { delayMs: options.callbackDelayMs }, invalidNumber: () => false });
    steps.push(() => sms.close());

    let databaseUrl = `sqlite:${join(dir, 'gateway.sqlite')}`;
    if (options.postgresUrl) {
      const database = await createDatabase(options.postgresUrl, `ccm_bench_${tag}`);
      steps.push(() => database.drop());
      databaseUrl = database.url;
    }
    const queuePrefix = `{bench${tag}}`;
    const port = await freePort();
    const gatewayEnv: Record<string, string> = {
      NODE_ENV: 'development',
      PORT: String(port),
      LOG_LEVEL: 'silent',
      DATA_DIR: join(dir, 'gateway'),
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl,
      CRM_URL: backoffice.crmUrl,
      CATALOG_URL: backoffice.catalogUrl,
      CONTRACTS_DATABASE_URL: backoffice.contractsDatabaseUrl,
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: sms.accountSid,
      TWILIO_AUTH_TOKEN: sms.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: sms.url,
      QUEUE_PREFIX: queuePrefix,
      WORKER_CONCURRENCY: String(options.workerConcurrency),
      ...(options.renderThreads === null ? {} : { RENDER_THREADS: String(options.renderThreads) }),
      ...(options.catalogCacheMs === null ? {} : { CATALOG_CACHE_TTL_MS: String(options.catalogCacheMs) }),
    };
    const events = createRedisStatusEvents({ redisUrl: redis.url, channel: `${queuePrefix}:delivery-status` });
    steps.push(() => events.close());
    const gateway = await forkGateway(gatewayEnv, { cpuProfileDir: options.cpuProfileDir });
    let gatewayLeaked = false;
    steps.push(async () => {
      gatewayLeaked = (await gateway.close()).leaked;
    });
    // After the gateway, whose migrations create the store it reads.
    const direct = await forkGateway({
      CRM_URL: backoffice.crmUrl,
      CATALOG_URL: backoffice.catalogUrl,
      CONTRACTS_DATABASE_URL: backoffice.contractsDatabaseUrl,
      DATABASE_URL: databaseUrl,
      CATALOG_CACHE_TTL_MS: String(loadConfig(gatewayEnv).connectors.cacheTtlMs),
    }, { entry: 'direct.child.js' });
    let directLeaked = false;
    steps.push(async () => {
      directLeaked = (await direct.close()).leaked;
    });
    return {
      dir,
      redisUrl: redis.url,
      queuePrefix,
      gatewayEnv,
      store: options.postgresUrl ? 'postgres' : 'sqlite',
      databaseUrl,
      backoffice,
      smtp,
      sms,
      gateway,
      direct,
      events,
      close: async () => {
        await unwind();
        return { gatewayLeaked, directLeaked };
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
