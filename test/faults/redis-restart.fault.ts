import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import { freePort, startLocalRedis, type LocalRedis } from '../../src/store/redis.process';
import type { Harness } from '../support/gateway.harness';
import { createDatabase } from '../support/postgres.cluster';
import { sendLoad, targetsOf } from './fault.load';
import { report, settle, tally } from './fault.tally';
import { startFaultGateway, type FaultGateway } from './fault.gateway';
import type { RestartableSmtpSink } from './smtp.restartable';

const COUNT = Number(process.env.FAULT_REDIS_COUNT ?? 200);
/** How long Redis stays away. */
const DOWN_MS = 3_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGKILL, not a clean shutdown: with `appendfsync everysec` the last second of writes may be gone too. */
async function crash(redis: LocalRedis): Promise<void> {
  const client = new IORedis(redis.url, { maxRetriesPerRequest: 1 });
  const info = await client.info('server');
  client.disconnect();
  process.kill(Number(/process_id:(\d+)/.exec(info)?.[1]), 'SIGKILL');
  await redis.close();
}

describe('(b) Redis killed and restarted mid-run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ccm-fault-redis-'));
  let port: number;
  let redis: LocalRedis;
  let h: Harness;
  let smtp: RestartableSmtpSink;
  let sms: TwilioSink;
  let gateway: FaultGateway | undefined;

  beforeAll(async () => {
    port = await freePort();
    redis = await startLocalRedis({ dir: dataDir, port });
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `faults_redis_${process.pid}`);
    // Its own Redis on a fixed port, so it can be restarted where the gateway expects it.
    ({ h, smtp, sms } = gateway = await startFaultGateway({ role: 'all', databaseUrl, env: { REDIS_URL: redis.url } }));
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['with persistence (append-only file, fsync every second)', true],
    ['without persistence (all queues, jobs, receipts and rendered texts gone)', false],
  ])('%s: nothing accepted is lost, nothing is sent twice', async (label, persistent) => {
    const run = `r${persistent ? 'p' : 'n'}${randomBytes(2).toString('hex')}`;
    const targets = await targetsOf(h);
    const started = Date.now();
    // The sinks are shared by both runs: count what arrived from this one on.
    const [mailFrom, smsFrom] = [smtp.received.length, sms.messages.length];
    let restart: Promise<void> | null = null;
    let inFlight = 0;
    const sent = await sendLoad(h, {
      run,
      count: COUNT,
      targets,
      // Mid-run: part of the work is queued, part rendered, part being sent.
      onAnswer: (done) => {
        if (done !== Math.floor(COUNT / 3) || restart) return;
        restart = (async () => {
          const [{ n }] = await h.gateway.store.dataSource.query(`SELECT count(*)::int AS n FROM communication WHERE status NOT IN ('DELIVERED', 'PARTIALLY_DELIVERED', 'FAILED', 'CANCELLED')`);
          inFlight = n;
          await crash(redis);
          await sleep(DOWN_MS);
          redis = await startLocalRedis({ dir: persistent ? dataDir : null, port });
        })();
      },
    });
    await restart;
    const ids = sent.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const open = await settle(h.gateway.store.communications, ids, 120_000);
    await sleep(500);
    const figures = await tally(h.gateway.store.communications, run, sent, smtp.received.slice(mailFrom), sms.messages.slice(smsFrom));
    report(`(b) Redis restart ${label}`, figures, { count: COUNT, downMs: DOWN_MS, notFinalAtRestart: inFlight, totalInS: Math.round((Date.now() - started) / 1000), open: open.length });
    // Requests that came while Redis was away are recorded and acknowledged; the sweeper queues them later.
    expect(inFlight).toBeGreaterThan(0);
    expect(figures.accepted).toBe(COUNT);
    expect(figures).toMatchObject({ lost: 0, duplicates: 0, emailResends: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: COUNT });
  }, 180_000);
});
