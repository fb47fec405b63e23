import { randomBytes } from 'node:crypto';
import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import { freePort } from '../../src/store/redis.process';
import type { Harness } from '../support/gateway.harness';
import { sendLoad, submit, targetsOf, type Sent } from './fault.load';
import { report, settle, tally } from './fault.tally';
import { startRestartablePostgres, type RestartablePostgres } from './postgres.restartable';
import { startFaultGateway, type FaultGateway } from './fault.gateway';
import type { RestartableSmtpSink } from './smtp.restartable';

const COUNT = Number(process.env.FAULT_DATABASE_COUNT ?? 150);
const DOWN_MS = 5_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('(e) PostgreSQL stopped for a few seconds mid-run', () => {
  const run = `d${randomBytes(3).toString('hex')}`;
  let postgres: RestartablePostgres;
  let h: Harness;
  let smtp: RestartableSmtpSink;
  let sms: TwilioSink;
  let gateway: FaultGateway | undefined;

  beforeAll(async () => {
    // A cluster of its own: stopping the suite's shared one would take every other database with it.
    postgres = startRestartablePostgres(await freePort());
    ({ h, smtp, sms } = gateway = await startFaultGateway({ role: 'all', databaseUrl: postgres.url }));
  });
  afterAll(async () => {
    await gateway?.close();
    postgres?.destroy();
  });

  it('refuses requests with SERVICE_UNAVAILABLE while it is away, writes nothing by halves, and delivers everything accepted', async () => {
    const targets = await targetsOf(h);
    const started = Date.now();
    const probe: { outage: Promise<void> | null; ready: number | null } = { outage: null, ready: null };
    const sent = await sendLoad(h, {
      run,
      count: COUNT,
      targets,
      concurrency: 4,
      onAnswer: (done) => {
        if (done !== Math.floor(COUNT / 3) || probe.outage) return;
        probe.outage = (async () => {
          postgres.stop();
          await sleep(DOWN_MS / 2);
          probe.ready = (await fetch(`${h.url}/readyz`)).status;
          await sleep(DOWN_MS / 2);
          postgres.start();
        })();
      },
    });
    await probe.outage;
    const refused = sent.filter((s) => !s.communicationId);
    const codes = new Set(refused.map((s) => s.errorCode));

    // Nothing half-written: every communication has its deliveries, every delivery its first timeline entry.
    const store = h.gateway.store.dataSource;
    const [{ count: bare }] = await store.query('SELECT count(*)::int AS count FROM communication c WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d."communicationId" = c.id)');
    const [{ count: silent }] = await store.query('SELECT count(*)::int AS count FROM delivery d WHERE NOT EXISTS (SELECT 1 FROM delivery_event e WHERE e."deliveryId" = d.id)');
    // A refused request left no row, unless the store died while committing it (then the retry below finds it).
    const refusedKeys = refused.map((s) => s.ref);
    const recorded = refusedKeys.length ? await store.query('SELECT count(*)::int AS count FROM communication WHERE "idempotencyKey" = ANY($1)', [refusedKeys]) : [{ count: 0 }];

    // The client's answer to SERVICE_UNAVAILABLE: the same request again, with the same key.
    const retried: Sent[] = refused.map((s) => ({ ...s }));
    for (const entry of retried) await submit(h, entry);
    const final = sent.map((s) => retried.find((r) => r.ref === s.ref) ?? s);
    const ids = final.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const open = await settle(h.gateway.store.communications, ids, 120_000);
    await sleep(500);
    const figures = await tally(h.gateway.store.communications, run, final, smtp.received, sms.messages);
    report('(e) PostgreSQL down', figures, {
      count: COUNT, downMs: DOWN_MS, refusedDuringOutage: refused.length, refusedCodes: [...codes], refusedButRecorded: recorded[0].count,
      unexpectedRefusals: [...new Set(refused.filter((s) => s.errorCode !== 'SERVICE_UNAVAILABLE').map((s) => `${s.errorCode}: ${s.errorMessage}`))],
      readyzDuringOutage: probe.ready, communicationsWithoutDeliveries: bare, deliveriesWithoutTimeline: silent, totalInS: Math.round((Date.now() - started) / 1000), open: open.length,
    });
    expect(refused.length).toBeGreaterThan(0);
    expect([...codes]).toEqual(['SERVICE_UNAVAILABLE']);
    expect(probe.ready).toBe(503);
    expect([bare, silent]).toEqual([0, 0]);
    expect(figures.accepted).toBe(COUNT);
    expect(figures).toMatchObject({ lost: 0, duplicates: 0, emailResends: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: COUNT });
  }, 200_000);
});
