import type { TargetCheck } from './bench.targets';
import { TARGETS, rssGrowth } from './bench.targets';
import type { CustomerViewResults } from './customer-view.bench';
import { customerViewSection } from './customer-view.report';
import type { BulkMemoryRun } from './memory.bench';
import type { MinimalPipelineRun } from './minimal.bench';
import type { ScaleOutRun } from './workers.bench';
import type { MutationLatencyRun } from './mutation-latency.bench';
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
  readonly mutation: MutationLatencyRun;
  readonly customerView: CustomerViewResults;
  readonly bulk: BulkMemoryRun;
  /** The same SMS through the hand-written minimal durable pipeline (null when it could not run). */
  readonly minimal: MinimalPipelineRun | null;
  /** sendBulkCommunication on the PORTAL channel (null: --bulk-portal 0). */
  readonly bulkPortal: BulkMemoryRun | null;
  /** The SMS run on an API process with 1, 2, … worker processes. */
  readonly scaleOut: readonly ScaleOutRun[];
  readonly targets: readonly TargetCheck[];
  /** deliveryStats over the whole run, read back from the gateway's store. */
  readonly deliveryStats: { readonly total: number; readonly byChannel: readonly { channel: string; status: string; count: number }[] } | null;
  readonly totalSeconds: number;
  /** False when the gateway (or the direct client) process had to be killed after close(). */
  readonly gatewayExitedCleanly: boolean;
  readonly directExitedCleanly: boolean;
}

function pipelineTable(r: BenchResults): string {
  const { sms, email, rawBullmq, rawPdf, minimal } = r;
  const flag = (run: PipelineRun): string => (run.rejected || run.failed || run.stalled || run.unconfirmed ? ' (!)' : '');
  const rows = [
    [`SMS → SENT${flag(sms)}`, num(sms.sent), num(sms.sentSeconds, 2), num(sms.sentPerSecond, 1), `raw BullMQ add+process, c=${rawBullmq.concurrency}`, `${num(rawBullmq.jobsPerSecond)} jobs/s`, ratio(sms.sentPerSecond / rawBullmq.jobsPerSecond)],
    [`SMS → SENT, same SMS`, num(sms.sent), num(sms.sentSeconds, 2), num(sms.sentPerSecond, 1), `minimal durable pipeline (${minimal?.store ?? '–'}), c=${rawBullmq.concurrency}`, minimal ? `${num(minimal.sentPerSecond, 1)} SMS/s` : '–', minimal ? ratio(sms.sentPerSecond / minimal.sentPerSecond) : '–'],
    [`SMS → DELIVERED (status callbacks)`, num(sms.delivered), num(sms.deliveredSeconds, 2), num(sms.delivered !== null && sms.deliveredSeconds ? sms.delivered / sms.deliveredSeconds : null, 1), 'minimal pipeline → delivered',
      minimal?.deliveredSeconds ? `${num(minimal.delivered / minimal.deliveredSeconds, 1)} SMS/s` : '–',
      minimal?.deliveredSeconds && sms.delivered !== null && sms.deliveredSeconds ? ratio(sms.delivered / sms.deliveredSeconds / (minimal.delivered / minimal.deliveredSeconds)) : '–'],
    [`email + PDF letter → SENT${flag(email)}`, num(email.sent), num(email.sentSeconds, 2), num(email.sentPerSecond, 1), `raw PDFKit renderPdf, same letter (${rawPdf.pages} p.)`, `${num(rawPdf.pdfsPerSecond)} PDF/s`, ratio(email.sentPerSecond / rawPdf.pdfsPerSecond)],
  ];
  const table = formatTable(['scenario', 'n', 'seconds', 'comms/s', 'limit measured in this run', 'limit', 'ratio'], rows, [1, 2, 3, 5, 6]);
  const m = (run: PipelineRun): string => `p50 ${num(run.mutationLatency.p50, 1)} · p95 ${num(run.mutationLatency.p95, 1)} · p99 ${num(run.mutationLatency.p99, 1)} ms`;
  const notes = [
    `sendCommunication round trip, ${r.settings.sendConcurrency} in flight: SMS run ${m(sms)}; email run ${m(email)}`,
    `gateway CPU: SMS ${percent(sms.gatewayCpuShare)} of a core, ${num(sms.gatewayCpuMsPerCommunication, 1)} ms per communication; email ${percent(email.gatewayCpuShare)}, ${num(email.gatewayCpuMsPerCommunication, 1)} ms per communication (raw PDF: ${num(rawPdf.msPerPdf, 1)} ms)`,
    minimal
      ? `CPU per SMS: gateway ${num(sms.gatewayCpuMsPerCommunication, 2)} ms, minimal durable pipeline ${num(minimal.cpuMsPerSms, 2)} ms (${percent(minimal.cpuShare)} of a core; ${num(minimal.count)} SMS, the gateway's own recipients and texts; one INSERT, one job, one UPDATE on Twilio's answer, one per callback)${minimal.rejected || minimal.failed || minimal.rejectedCallbacks || minimal.stalled ? ` (!) ${minimal.rejected} refused, ${minimal.failed} failed, ${minimal.rejectedCallbacks} callbacks refused${minimal.stalled ? ', stalled' : ''}` : ''}`
      : '(!) the minimal durable pipeline did not run',
    `each SMS (one channel) is 1 job (deliver-sms, which renders it) plus 2 status callbacks; raw BullMQ: ${num(rawBullmq.jobs)} jobs in ${num(rawBullmq.seconds, 2)} s; raw PDF: ${num(rawPdf.renders)} renders, ${num(rawPdf.bytes)} bytes each`,
  ];
  for (const run of [sms, email]) {
    if (run.rejected) notes.push(`(!) ${run.rejected} ${run.channels.join('+')} mutations rejected${run.stoppedEarly ? ' (feeding stopped early)' : ''}, first: ${run.firstRejection}`);
    if (run.failed) notes.push(`(!) ${run.failed} ${run.channels.join('+')} deliveries failed, first: ${run.firstFailure}`);
    if (run.stalled) notes.push(`(!) ${run.channels.join('+')} run stalled: no delivery reached SENT for 30 s`);
    if (run.unconfirmed) notes.push(`(!) ${run.unconfirmed} SMS stayed SENT: the sink reported them delivered, the gateway never recorded it`);
  }
  return `${table}\n${notes.map((n) => `  ${n}`).join('\n')}`;
}

function targetsTable(targets: readonly TargetCheck[]): string {
  const rows = targets.map((t) => [t.name, t.shown, t.limit, t.notRun ? `not run (${t.notRun})` : t.pass ? 'pass' : 'FAIL']);
  const run = targets.filter((t) => !t.notRun);
  const passed = run.filter((t) => t.pass).length;
  return `${formatTable(['target', 'measured', 'target value', 'result'], rows, [1])}\n  ${passed} of ${run.length} targets met${run.length < targets.length ? `, ${targets.length - run.length} not run` : ''}`;
}

function mutationTable(m: MutationLatencyRun): string {
  const p = m.paced;
  const row = [num(p.rate), num(p.started), num(p.achievedRate, 1), num(p.latency.p50, 1), num(p.latency.p95, 1), num(p.latency.p99, 1), num(p.latency.max, 1),
    num(p.errors), `${num(m.sent)}/${num(m.accepted)}`, num(m.failed), num(m.drainSeconds, 2), percent(m.gatewayCpuShare),
    `${num(m.gatewayLoopDelay.p99, 1)} / ${num(m.gatewayLoopDelay.max, 1)}`];
  const table = formatTable(['calls/s', 'calls', 'achieved/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'refused', 'SENT', 'failed', 'drain s', 'gateway CPU', 'gateway loop delay p99 / max'],
    [row], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const notes = [
    'sendCommunication started at an even pace (open loop), SMS and email with the PDF letter alternately, rendered and delivered by the same process meanwhile;',
    `"drain": from the last answer until the last delivery was SENT (near 0: the pipeline kept up); no target set; largest start behind schedule ${num(p.maxLagMs, 1)} ms`,
  ];
  if (p.firstError) notes.push(`(!) first refusal: ${p.firstError}`);
  return `${table}\n${notes.map((n) => `  ${n}`).join('\n')}`;
}

function memoryTable(b: BulkMemoryRun): string {
  const row = (label: string, seconds: number | null, r: BulkMemoryRun['before'], peaks: boolean): string[] => [
    label, seconds === null ? '' : num(seconds, 1), mib(r.rss), peaks ? mib(r.peakRss) : '', mib(r.heapUsed), peaks ? mib(r.peakHeapUsed) : '', peaks ? mib(r.peakLiveHeap) : '', peaks ? num(r.samples) : '',
  ];
  const rows = [
    row('before (after a full GC)', null, b.before, false),
    ...b.checkpoints.map((c) => row(`${num(c.count)} sent`, c.seconds, c.reading, true)),
    row('after, all settled (after a full GC)', null, b.after, false),
  ];
  const table = formatTable(['point of the flow', 'seconds', 'RSS', 'peak RSS', 'heap', 'peak heap', 'peak live heap', 'samples'], rows, [1, 2, 3, 4, 5, 6, 7]);
  const growth = rssGrowth(b);
  const first = b.checkpoints[0];
  const last = b.checkpoints[b.checkpoints.length - 1];
  const notes = [
    `MiB, gateway process; ${num(b.total)} SMS through sendBulkCommunication (EXPLICIT SMS) in ${b.batches} runs of up to ${num(b.customersPerBatch)} customers, each started when the previous had recorded its communications;`,
    `${num(b.sent)} sent in ${num(b.seconds, 1)} s = ${num(b.sentPerSecond, 1)} SMS/s, gateway CPU ${num(b.cpuMsPerCommunication, 2)} ms per SMS (expansion to callbacks); peaks since the flow started (100 ms samples, garbage included); "peak live heap": largest heap right after a full GC`,
    first && last ? `peak RSS ${num(first.count)} → ${num(last.count)}: ${mib(first.reading.peakRss)} → ${mib(last.reading.peakRss)} MiB (${(growth * 100).toFixed(1)} %, target < ${TARGETS.maxRssGrowth * 100} %); peak live heap ${ratio(last.reading.peakLiveHeap / first.reading.peakLiveHeap)}; heap after vs before: ${ratio(b.after.heapUsed / b.before.heapUsed)}; redis used after: ${mib(b.redisUsedMemory)} MiB` : '(!) no checkpoint reached',
  ];
  if (b.failed) notes.push(`(!) ${b.failed} deliveries failed`);
  if (b.stalled) notes.push(`(!) the flow stalled: nothing reached the provider for 30 s, ${num(b.sent)} of ${num(b.total)} sent`);
  return `${table}\n${notes.map((n) => `  ${n}`).join('\n')}`;
}

function bulkPortalLine(b: BulkMemoryRun | null): string {
  if (!b) return '  bulk PORTAL: not run (--bulk-portal 0)';
  const flags = `${b.failed ? `, (!) ${b.failed} failed` : ''}${b.stalled ? ', (!) stalled' : ''}`;
  return `  bulk PORTAL (sendBulkCommunication, EXPLICIT PORTAL: PDF rendered and archived, final at hand-over): ${num(b.sent)} of ${num(b.total)} in ${num(b.seconds, 1)} s = ${num(b.sentPerSecond, 1)} communications/s, gateway CPU ${num(b.cpuMsPerCommunication, 2)} ms per communication; peak RSS ${mib(b.checkpoints[b.checkpoints.length - 1]?.reading.peakRss ?? NaN)} MiB${flags}`;
}

function scaleOutTable(runs: readonly ScaleOutRun[]): string {
  if (runs.length === 0) return '  not run (--workers n,n; default 1,2 with --postgres)';
  const rows = runs.map((w) => [num(w.workers), num(w.run.sent), num(w.run.sentSeconds, 2), num(w.run.sentPerSecond, 1), num(w.cpuMsPerSms, 2), num(w.apiCpuMsPerSms, 2), num(w.workerCpuMsPerSms, 2),
    num(w.run.failed), `${num(w.providerMessages)} / ${num(w.distinctBodies)}`]);
  const table = formatTable(['worker processes', 'SMS', 'seconds', 'SMS/s', 'CPU ms/SMS, all', 'API process', 'worker processes', 'failed', 'provider messages / distinct'], rows, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  return `${table}\n  one API process (role api) and n worker processes (role worker) on a fresh store each, the SMS run's load; provider messages = what the Twilio-compatible sink received (more than SMS sent would be a duplicate send)`;
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
    'Targets',
    targetsTable(r.targets),
    '',
    '1. Customer view: POST under autocannon (closed loop, fixed connections), gateway vs a hand-written direct client',
    customerViewSection(r.customerView),
    '',
    '2. Pipeline end to end: sendCommunication over HTTP until the provider has it, vs the limits of its parts',
    pipelineTable(r),
    '',
    'sendCommunication latency at a fixed rate, pipeline running',
    mutationTable(r.mutation),
    '',
    'Scale-out: the SMS run on one API process and n worker processes',
    scaleOutTable(r.scaleOut),
    '',
    '3. Memory of the gateway process while SMS flow through bulk runs',
    memoryTable(r.bulk),
    bulkPortalLine(r.bulkPortal),
    '',
    stats,
    `total ${num(r.totalSeconds)} s; gateway process ${r.gatewayExitedCleanly ? 'exited by itself after close()' : 'DID NOT exit by itself after close() (killed)'}; direct client process ${r.directExitedCleanly ? 'exited by itself' : 'DID NOT exit by itself (killed)'}`,
  ].join('\n');
}
