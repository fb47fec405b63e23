import type { QueryScenario } from './customer-view.bench';
import type { BulkRun } from './memory.bench';
import type { PipelineRun } from './pipeline.runner';
import type { RawBullmqResult } from './raw-bullmq.bench';
import type { RawPdfResult } from './raw-pdf.bench';
import { formatTable, mib, num, percent, ratio } from './report.table';

export interface BenchResults {
  readonly date: string;
  readonly command: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly platform: string };
  /** 1-minute load average when the run started and when it ended: above the core count, other work shared the machine. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly settings: Readonly<Record<string, string | number | null>>;
  readonly rawPdf: RawPdfResult;
  readonly rawBullmq: RawBullmqResult;
  readonly sms: PipelineRun;
  readonly email: PipelineRun;
  readonly customerView: readonly QueryScenario[];
  readonly bulk: readonly BulkRun[];
  /** deliveryStats over the whole run, read back from the gateway's store. */
  readonly deliveryStats: { readonly total: number; readonly byChannel: readonly { channel: string; status: string; count: number }[] } | null;
  readonly totalSeconds: number;
  /** False when the gateway process had to be killed after close(). */
  readonly gatewayExitedCleanly: boolean;
}

function customerViewTable(scenarios: readonly QueryScenario[]): string {
  const trivial = scenarios.find((s) => s.key === 'trivial');
  const rows = scenarios.map((s) => [
    s.label,
    num(s.load.requestsPerSecond),
    num(s.load.latency.p50, 1),
    num(s.load.latency.p95, 1),
    num(s.load.latency.p99, 1),
    num(s.load.errors + s.load.non2xx + s.load.graphqlErrors),
    num(s.crmCallsPerQuery, 2),
    num(s.catalogCallsPerQuery, 2),
    `${percent(s.gatewayCpuShare)} · ${num(s.gatewayCpuMsPerQuery, 2)} ms`,
    ratio(trivial ? s.load.requestsPerSecond / trivial.load.requestsPerSecond : null),
  ]);
  return formatTable(['query', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CRM calls/q', 'catalog calls/q', 'gateway CPU · per q', 'req/s vs trivial'], rows, [1, 2, 3, 4, 5, 6, 7, 9]);
}

function pipelineTable(r: BenchResults): string {
  const { sms, email, rawBullmq, rawPdf } = r;
  const flag = (run: PipelineRun): string => (run.rejected || run.failed || run.stalled || run.unconfirmed ? ' (!)' : '');
  const rows = [
    [`SMS → SENT${flag(sms)}`, num(sms.sent), num(sms.sentSeconds, 2), num(sms.sentPerSecond, 1), `raw BullMQ add+process, c=${rawBullmq.concurrency}`, `${num(rawBullmq.jobsPerSecond)} jobs/s`, ratio(sms.sentPerSecond / rawBullmq.jobsPerSecond)],
    [`SMS → DELIVERED (status callbacks)`, num(sms.delivered), num(sms.deliveredSeconds, 2), num(sms.delivered !== null && sms.deliveredSeconds ? sms.delivered / sms.deliveredSeconds : null, 1), '', '', ''],
    [`email + PDF letter → SENT${flag(email)}`, num(email.sent), num(email.sentSeconds, 2), num(email.sentPerSecond, 1), `raw PDFKit renderPdf, same letter (${rawPdf.pages} p.)`, `${num(rawPdf.pdfsPerSecond)} PDF/s`, ratio(email.sentPerSecond / rawPdf.pdfsPerSecond)],
  ];
  const table = formatTable(['scenario', 'n', 'seconds', 'comms/s', 'limit measured in this run', 'limit', 'ratio'], rows, [1, 2, 3, 5, 6]);
  const m = (run: PipelineRun): string => `p50 ${num(run.mutationLatency.p50, 1)} · p95 ${num(run.mutationLatency.p95, 1)} · p99 ${num(run.mutationLatency.p99, 1)} ms`;
  const notes = [
    `sendCommunication round trip, ${r.settings.sendConcurrency} in flight: SMS run ${m(sms)}; email run ${m(email)}`,
    `gateway CPU: SMS ${percent(sms.gatewayCpuShare)} of a core, ${num(sms.gatewayCpuMsPerCommunication, 1)} ms per communication; email ${percent(email.gatewayCpuShare)}, ${num(email.gatewayCpuMsPerCommunication, 1)} ms per communication (raw PDF: ${num(rawPdf.msPerPdf, 1)} ms)`,
    `each SMS is 2 jobs (render, deliver-sms) plus 2 status callbacks; raw BullMQ: ${num(rawBullmq.jobs)} jobs in ${num(rawBullmq.seconds, 2)} s; raw PDF: ${num(rawPdf.renders)} renders, ${num(rawPdf.bytes)} bytes each`,
  ];
  for (const run of [sms, email]) {
    if (run.rejected) notes.push(`(!) ${run.rejected} ${run.channels.join('+')} mutations rejected${run.stoppedEarly ? ' (feeding stopped early)' : ''}, first: ${run.firstRejection}`);
    if (run.failed) notes.push(`(!) ${run.failed} ${run.channels.join('+')} deliveries failed, first: ${run.firstFailure}`);
    if (run.stalled) notes.push(`(!) ${run.channels.join('+')} run stalled: no delivery reached SENT for 30 s`);
    if (run.unconfirmed) notes.push(`(!) ${run.unconfirmed} SMS stayed SENT: the sink reported them delivered, the gateway never recorded it`);
  }
  return `${table}\n${notes.map((n) => `  ${n}`).join('\n')}`;
}

function memoryTable(bulk: readonly BulkRun[]): string {
  const rows = bulk.map((b) => [
    num(b.count),
    num(b.pipeline.sentPerSecond, 1),
    mib(b.before.rss),
    mib(b.during.peakRss),
    mib(b.after.rss),
    mib(b.before.heapUsed),
    mib(b.during.peakHeapUsed),
    mib(b.during.peakLiveHeap),
    mib(b.after.heapUsed),
    mib(b.redisUsedMemory),
    num(b.during.samples),
  ]);
  const table = formatTable(['communications', 'comms/s', 'RSS before', 'peak RSS', 'RSS after', 'heap before', 'peak heap', 'peak live heap', 'heap after', 'redis used', 'samples'], rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const notes: string[] = [
    'MiB, gateway process; half SMS, half email with PDF. "before"/"after": after a forced full GC; peaks: 100 ms samples (garbage included);',
    '"peak live heap": the largest heap right after a full GC during the run, i.e. what the process kept alive',
  ];
  if (bulk.length >= 2) {
    const [first, last] = [bulk[0], bulk[bulk.length - 1]];
    notes.push(`${num(last.count)} vs ${num(first.count)}: peak RSS ${ratio(last.during.peakRss / first.during.peakRss)}, peak heap ${ratio(last.during.peakHeapUsed / first.during.peakHeapUsed)}, peak live heap ${ratio(last.during.peakLiveHeap / first.during.peakLiveHeap)}; heap after the last run vs before the first: ${ratio(last.after.heapUsed / first.before.heapUsed)}`);
  }
  for (const b of bulk) {
    const p = b.pipeline;
    if (p.rejected || p.failed || p.stalled) notes.push(`(!) bulk ${b.count}: ${p.rejected} rejected${p.stoppedEarly ? ' (feeding stopped early)' : ''}, ${p.failed} failed${p.stalled ? ', stalled' : ''}; first: ${p.firstRejection ?? p.firstFailure}`);
    if (p.unconfirmed) notes.push(`(!) bulk ${b.count}: ${p.unconfirmed} SMS stayed SENT: the sink reported them delivered, the gateway never recorded it`);
  }
  return `${table}\n${notes.map((n) => `  ${n}`).join('\n')}`;
}

/** The whole printed report: header, the three tables, and what to keep in mind reading them. */
export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const settings = Object.entries(r.settings).map(([k, v]) => `${k}=${v ?? 'default'}`).join(', ');
  const stats = r.deliveryStats
    ? `deliveryStats read back from the store: ${r.deliveryStats.total} deliveries; ${r.deliveryStats.byChannel.map((c) => `${c.channel} ${c.status} ${c.count}`).join(', ')}`
    : 'deliveryStats: not available';
  return [
    `ccm-gateway benchmarks · ${r.date} · ${r.command}`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}, ${m.platform}; load average ${r.loadAverage.start.toFixed(2)} at start, ${r.loadAverage.end.toFixed(2)} at end`,
    `settings: ${settings}`,
    '',
    '1. Customer view: POST /graphql under autocannon (closed loop, fixed connections)',
    customerViewTable(r.customerView),
    '',
    '2. Pipeline end to end: sendCommunication over HTTP until the provider has it, vs the limits of its parts',
    pipelineTable(r),
    '',
    '3. Memory of the gateway process during bulk runs',
    memoryTable(r.bulk),
    '',
    stats,
    `total ${num(r.totalSeconds)} s; gateway process ${r.gatewayExitedCleanly ? 'exited by itself after close()' : 'DID NOT exit by itself after close() (killed)'}`,
  ].join('\n');
}
