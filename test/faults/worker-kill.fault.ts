import { randomBytes } from 'node:crypto';
import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import type { Harness } from '../support/gateway.harness';
import { createDatabase } from '../support/postgres.cluster';
import { environmentOf, startWorkerProcess, type WorkerProcess } from '../support/worker.process';
import { sendLoad, targetsOf } from './fault.load';
import { report, settle, tally } from './fault.tally';
import { startFaultGateway, type FaultGateway } from './fault.gateway';
import type { RestartableSmtpSink } from './smtp.restartable';

/** Communications of the run (half email with the PDF attached, half SMS); FAULT_KILL_COUNT scales it. */
const COUNT = Number(process.env.FAULT_KILL_COUNT ?? 1_000);
const WORKERS = 2;
/** Communications of the SIGTERM run. */
const GRACE_COUNT = 150;
/** A worker process is killed every 2–4 s while the load runs, and until everything settled or this long after. */
const KILL_FOR_MS = 150_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('(a) worker processes killed with SIGKILL every few seconds', () => {
  const run = `k${randomBytes(3).toString('hex')}`;
  let h: Harness;
  let smtp: RestartableSmtpSink;
  let sms: TwilioSink;
  let gateway: FaultGateway | undefined;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  /** Every process started, killed ones included: their logs say what recovery did. */
  const everStarted: WorkerProcess[] = [];
  const spawnWorker = async (): Promise<void> => {
    const worker = await startWorkerProcess(env, h.config.dataDir);
    workers.push(worker);
    everStarted.push(worker);
  };
  const logged = (text: string): number => everStarted.reduce((n, w) => n + w.output().split(text).length - 1, 0);

  beforeAll(async () => {
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `faults_kill_${process.pid}`);
    // The API in this process; every job runs in the worker processes, which are the ones killed.
    ({ h, smtp, sms } = gateway = await startFaultGateway({ role: 'api', databaseUrl }));
    env = environmentOf(h.config);
    for (let i = 0; i < WORKERS; i += 1) await spawnWorker();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await gateway?.close();
  });

  it('ends every communication in a final state, none lost, none sent twice', async () => {
    const targets = await targetsOf(h);
    const started = Date.now();
    let kills = 0;
    let settled = false;
    const killer = (async () => {
      while (!settled && Date.now() - started < KILL_FOR_MS) {
        await sleep(2_000 + Math.random() * 2_000);
        if (settled) break;
        const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
        process.kill(victim.pid, 'SIGKILL');
        kills += 1;
        await spawnWorker();
      }
    })();

    const sent = await sendLoad(h, { run, count: COUNT, targets, concurrency: 8 });
    const sentMs = Date.now() - started;
    const ids = sent.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const open = await settle(h.gateway.store.communications, ids, 200_000);
    settled = true;
    await killer;
    // Late status callbacks and nothing else: give a resend, if any were coming, the time to show.
    await sleep(1_000);

    const figures = await tally(h.gateway.store.communications, run, sent, smtp.received, sms.messages);
    report('(a) worker SIGKILL', figures, { count: COUNT, workers: WORKERS, kills, sentInS: Math.round(sentMs / 1000), totalInS: Math.round((Date.now() - started) / 1000), open: open.length,
      recoveredByReceipt: logged('(send receipt)'), recoveredByProviderRecord: logged('(provider record)'), requeuedWithoutJob: logged('had no job left'),
      stallLimitFailures: logged('stalled more than allowable limit'), lockLostBeforeSending: logged('job lock lost before sending') });
    expect(figures.accepted).toBe(COUNT);
    expect(kills).toBeGreaterThan(3);
    expect(figures).toMatchObject({ lost: 0, duplicates: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: COUNT });
    // SMTP has no way to ask whether an interrupted transaction got through: a kill can repeat, with the same
    // Message-ID, the emails whose transaction it caught between the final dot and the send receipt; never more.
    expect(figures.emailResends).toBeLessThanOrEqual(kills * h.config.workerConcurrency);
  }, 360_000);

  it('on SIGTERM a worker stops taking jobs and exits within its grace period; on a second signal at once', async () => {
    const targets = await targetsOf(h);
    const graceRun = `g${randomBytes(3).toString('hex')}`;
    const [mailFrom, smsFrom] = [smtp.received.length, sms.messages.length];
    const probe: { stopping: Promise<void> | null; graceful: number | null; immediate: number | null; gracefulLog: string } = { stopping: null, graceful: null, immediate: null, gracefulLog: '' };
    const sent = await sendLoad(h, {
      run: graceRun,
      count: GRACE_COUNT,
      targets,
      onAnswer: (done) => {
        if (done !== Math.floor(GRACE_COUNT / 3) || probe.stopping) return;
        probe.stopping = (async () => {
          // Slow renders, so both workers have jobs in flight that take a while when the signals come.
          h.backoffice.control('crm', { latencyMs: 1_000 });
          await sleep(1_500);
          const [graceful, hurried] = workers.splice(0, 2);
          const started = Date.now();
          process.kill(graceful.pid, 'SIGTERM');
          process.kill(hurried.pid, 'SIGTERM');
          await sleep(100);
          process.kill(hurried.pid, 'SIGTERM');
          const hurriedAt = Date.now();
          [probe.graceful, probe.immediate] = await Promise.all([exitedAfter(graceful.pid, started), exitedAfter(hurried.pid, hurriedAt)]);
          probe.gracefulLog = graceful.output();
          h.backoffice.control('crm', { latencyMs: 0 });
          // The queued work waits for the next worker.
          await spawnWorker();
        })();
      },
    });
    await probe.stopping;
    const ids = sent.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const open = await settle(h.gateway.store.communications, ids, 120_000);
    await sleep(1_000);
    const figures = await tally(h.gateway.store.communications, graceRun, sent, smtp.received.slice(mailFrom), sms.messages.slice(smsFrom));
    report('(a) worker SIGTERM', figures, { count: GRACE_COUNT, gracefulExitMs: probe.graceful, secondSignalExitMs: probe.immediate, open: open.length });
    // Running jobs finish (a render waits for the slow CRM) within the 10 s grace period; a second signal does not wait.
    expect(probe.graceful).toBeGreaterThan(500);
    expect(probe.graceful).toBeLessThan(14_000);
    expect(probe.immediate).toBeLessThan(500);
    expect(probe.gracefulLog).not.toMatch(/left to the other workers|still stopping/);
    expect(figures).toMatchObject({ accepted: GRACE_COUNT, lost: 0, duplicates: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: GRACE_COUNT });
    expect(figures.emailResends).toBeLessThanOrEqual(h.config.workerConcurrency);
  }, 120_000);
});

/** Milliseconds from `since` until the process is gone. */
async function exitedAfter(pid: number, since: number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return Date.now() - since;
    }
    if (Date.now() - since > timeoutMs) throw new Error(`process ${pid}: still running ${timeoutMs} ms after the signal`);
    await sleep(25);
  }
}
