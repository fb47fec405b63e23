import type { ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import { backofficeOf, everyone, sendBulk, smsReachable, waitForBatch } from './bulk.support';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from './support/gateway.harness';
import { environmentOf, startWorkerProcess, type WorkerProcess } from './support/worker.process';

const MB = 1024 * 1024;
/** Resident memory of another process (Linux). */
const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

// As in production: an API process (this one, with the simulated back-office and the SMS sink) and a
// worker process (expansion, rendering, delivery), each on its own core.
describe('a bulk run to 10,000 customers', () => {
  let h: Harness;
  let worker: WorkerProcess;
  let backoffice: ConnectedBackoffice;

  beforeAll(async () => {
    h = await startHarness({ role: 'api', customers: 10_000, contracts: 25_000, twilio: { callbacks: false } });
    worker = await startWorkerProcess(environmentOf(h.config), h.config.dataDir);
    backoffice = await backofficeOf(h);
  }, 120_000);
  afterAll(async () => {
    await backoffice?.close();
    await worker?.stop();
    await h?.close();
  }, 60_000);

  it('completes with exact counts, in bounded time and memory, and a re-run sends nothing twice', async () => {
    const people = await everyone(backoffice);
    expect(people).toHaveLength(10_000);
    const reachable = people.filter((p) => smsReachable(p.customer) && p.contracts.length > 0);
    const invalid = reachable.filter((p) => p.customer.phone?.endsWith('0000')).length;
    const ids = people.map((p) => p.customer.id);
    const input = { templateKey: 'contract-renewal', target: { customerIds: ids }, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: { renewalDate: '2027-01-01' }, batchKey: 'volume' };

    const baseline = process.memoryUsage();
    const workerBaseline = rssOf(worker.pid);
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    let peakWorker = workerBaseline;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
      peakWorker = Math.max(peakWorker, rssOf(worker.pid));
    }, 100);
    const started = Date.now();
    let done;
    try {
      const batch = await sendBulk(h, input);
      done = await waitForBatch(h, batch.id, (b) => b.status === 'COMPLETED', 90_000);
    } finally {
      clearInterval(sampler);
    }
    const elapsedMs = Date.now() - started;
    const after = process.memoryUsage();
    // Generous bounds (the API process also runs the back-office and the sink), but a run that kept every
    // target, communication or job in memory would pass them by far.
    console.log(`10,000 targets: ${elapsedMs} ms; API heap ${Math.round(baseline.heapUsed / MB)} → peak ${Math.round(peakHeap / MB)} → ${Math.round(after.heapUsed / MB)} MB, rss peak +${Math.round((peakRss - baseline.rss) / MB)} MB; worker rss ${Math.round(workerBaseline / MB)} → peak ${Math.round(peakWorker / MB)} MB`);
    // About 30–45 s on two shared cores; the bound leaves room for a loaded CI machine.
    expect(elapsedMs).toBeLessThan(90_000);
    expect(peakHeap - baseline.heapUsed).toBeLessThan(250 * MB);
    expect(peakRss - baseline.rss).toBeLessThan(400 * MB);
    expect(peakWorker - workerBaseline).toBeLessThan(400 * MB);

    expect(done.progress).toMatchObject({ total: 10_000, targeted: 10_000, queued: reachable.length, duplicates: 0, rejected: 10_000 - reachable.length, waiting: 0, failed: invalid, sent: reachable.length - invalid, settled: reachable.length });
    expect(h.sms.messages).toHaveLength(reachable.length - invalid);
    expect(new Set(h.sms.messages.map((m) => m.to)).size).toBe(new Set(reachable.filter((p) => !p.customer.phone?.endsWith('0000')).map((p) => p.customer.phone)).size);

    const again = await sendBulk(h, input);
    expect(again.run).toBe(2);
    const rerun = await waitForBatch(h, again.id, (b) => b.status === 'COMPLETED', 60_000);
    expect(rerun.progress).toMatchObject({ targeted: 10_000, queued: 0, duplicates: reachable.length, rejected: 10_000 - reachable.length, sent: 0 });
    expect(h.sms.messages).toHaveLength(reachable.length - invalid);
  }, 240_000);
});
