import type { CustomerViewResults, QueryKey } from './customer-view.bench';
import type { BulkMemoryRun } from './memory.bench';
import type { MinimalPipelineRun } from './minimal.bench';
import type { PipelineRun } from './pipeline.runner';
import type { RawPdfResult } from './raw-pdf.bench';
import type { ScaleOutRun } from './workers.bench';

/** The targets the figures are held against; the report prints each with its verdict. */
export const TARGETS = {
  /** Gateway req/s ÷ the direct client's, same query, connections, duration and back-office latency. */
  minRatioToDirect: 0.6,
  /** p99 of the 360 view at half the gateway's peak ≤ the slowest back-office call (the configured latency) + this. */
  p99SlackMs: 10,
  /** Peak RSS growth of the gateway from the first bulk checkpoint to the last. */
  maxRssGrowth: 0.1,
  /** Gateway CPU per SMS, end to end (mutation to DELIVERED), ms. */
  maxCpuMsPerSms: 2,
  /** Gateway SMS/s ÷ the minimal durable pipeline's, same SMS, same run. */
  minRatioToMinimal: 0.5,
  /** Email with its PDF/s ÷ raw PDFKit renders/s of the same letter. */
  minRatioToRawPdf: 0.6,
  /** Bulk PORTAL communications per second (expansion to DELIVERED). */
  minBulkPortalPerSecond: 1_000,
  /** Gateway peak RSS over a 100,000-target bulk run (`--bulk-large`), MiB. */
  maxBulkLargeRssMiB: 400,
  /** CPU per SMS with n worker processes ÷ with the fewest, at most. */
  maxScaleOutCpuGrowth: 1.1,
} as const;

/** The pipeline figures the targets beyond the customer view are held against. */
export interface PipelineFigures {
  readonly sms: PipelineRun;
  readonly email: PipelineRun;
  readonly rawPdf: RawPdfResult;
  readonly minimal: MinimalPipelineRun | null;
  readonly bulkPortal: BulkMemoryRun | null;
  readonly scaleOut: readonly ScaleOutRun[];
  /** True when the bulk memory run was the 100,000-target one. */
  readonly bulkLarge: boolean;
}

export interface TargetCheck {
  readonly name: string;
  readonly measured: number;
  /** How the measured value is shown, e.g. "0.72×". */
  readonly shown: string;
  readonly limit: string;
  readonly pass: boolean;
  /** Not measured in this run (an option turns it on): shown, neither passed nor failed. */
  readonly notRun?: string;
}

const QUERY_NAMES: Readonly<Record<Exclude<QueryKey, 'trivial'>, string>> = { list: 'customer list', view360: '360 view' };

/** Gateway ÷ direct req/s for a query at one latency; NaN when either run is missing. */
export function ratioToDirect(view: CustomerViewResults, key: QueryKey, latencyMs: number): number {
  const find = (server: 'gateway' | 'direct'): number =>
    view.scenarios.find((s) => s.key === key && s.server === server && s.latencyMs === latencyMs)?.load.requestsPerSecond ?? NaN;
  return find('gateway') / find('direct');
}

export function rssGrowth(bulk: BulkMemoryRun): number {
  const first = bulk.checkpoints[0];
  const last = bulk.checkpoints[bulk.checkpoints.length - 1];
  return first && last ? last.reading.peakRss / first.reading.peakRss - 1 : NaN;
}

/** Every target of the run with its figure and verdict; a missing figure fails. */
export function checkTargets(view: CustomerViewResults, bulk: BulkMemoryRun, pipeline: PipelineFigures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const latencyMs of view.latenciesMs) {
    for (const key of ['list', 'view360'] as const) {
      const value = ratioToDirect(view, key, latencyMs);
      checks.push({
        name: `${QUERY_NAMES[key]} @${latencyMs} ms: gateway ÷ direct client req/s`,
        measured: value,
        shown: Number.isFinite(value) ? `${value.toFixed(2)}×` : '–',
        limit: `≥ ${TARGETS.minRatioToDirect.toFixed(2)}×`,
        pass: value >= TARGETS.minRatioToDirect,
      });
    }
  }
  for (const run of view.halfLoad) {
    const limit = run.latencyMs + TARGETS.p99SlackMs;
    const p99 = run.paced.latency.p99;
    checks.push({
      name: `360 view @${run.latencyMs} ms: p99 at half peak (${Math.round(run.paced.rate)} req/s)`,
      measured: p99,
      shown: Number.isFinite(p99) ? `${p99.toFixed(1)} ms` : '–',
      limit: `≤ ${limit} ms`,
      pass: p99 <= limit && run.paced.errors === 0,
    });
  }
  const growth = rssGrowth(bulk);
  const first = bulk.checkpoints[0]?.count ?? 0;
  checks.push({
    name: `peak RSS growth, bulk ${first.toLocaleString('en-US')} → ${bulk.total.toLocaleString('en-US')} sent`,
    measured: growth,
    shown: Number.isFinite(growth) ? `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %` : '–',
    limit: `< ${TARGETS.maxRssGrowth * 100} %`,
    pass: growth < TARGETS.maxRssGrowth && bulk.checkpoints.length > 0 && bulk.sent >= bulk.total,
  });
  checks.push(...pipelineTargets(bulk, pipeline));
  return checks;
}

const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/** Throughput per core: CPU per SMS, the ratios to the minimal pipeline and raw PDFKit, bulk rate and memory, scale-out. */
function pipelineTargets(bulk: BulkMemoryRun, p: PipelineFigures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const cpu = p.sms.gatewayCpuMsPerCommunication;
  checks.push({ name: 'gateway CPU per SMS, end to end', measured: cpu, shown: `${cpu.toFixed(2)} ms`, limit: `≤ ${TARGETS.maxCpuMsPerSms} ms`, pass: cpu <= TARGETS.maxCpuMsPerSms });
  const toMinimal = p.minimal ? p.sms.sentPerSecond / p.minimal.sentPerSecond : NaN;
  checks.push({
    name: 'SMS/s: gateway ÷ minimal durable pipeline',
    measured: toMinimal,
    shown: times(toMinimal),
    limit: `≥ ${TARGETS.minRatioToMinimal.toFixed(2)}×`,
    pass: toMinimal >= TARGETS.minRatioToMinimal && p.minimal !== null && !p.minimal.stalled,
  });
  const toPdf = p.email.sentPerSecond / p.rawPdf.pdfsPerSecond;
  checks.push({ name: 'email+PDF/s ÷ raw PDFKit renders/s', measured: toPdf, shown: times(toPdf), limit: `≥ ${TARGETS.minRatioToRawPdf.toFixed(2)}×`, pass: toPdf >= TARGETS.minRatioToRawPdf });
  const portal = p.bulkPortal;
  checks.push({
    name: `bulk PORTAL communications/s${portal ? ` (${portal.total.toLocaleString('en-US')})` : ''}`,
    measured: portal?.sentPerSecond ?? NaN,
    shown: portal ? `${portal.sentPerSecond.toFixed(0)}/s` : '–',
    limit: `≥ ${TARGETS.minBulkPortalPerSecond.toLocaleString('en-US')}/s`,
    pass: portal !== null && portal.sentPerSecond >= TARGETS.minBulkPortalPerSecond && portal.sent >= portal.total,
    ...(portal ? {} : { notRun: '--bulk-portal 0' }),
  });
  const peak = Math.max(0, ...bulk.checkpoints.map((c) => c.reading.peakRss)) / 2 ** 20;
  checks.push({
    name: 'bulk 100,000 targets: gateway peak RSS',
    measured: p.bulkLarge ? peak : NaN,
    shown: p.bulkLarge ? `${peak.toFixed(0)} MiB` : '–',
    limit: `< ${TARGETS.maxBulkLargeRssMiB} MiB`,
    pass: p.bulkLarge && peak < TARGETS.maxBulkLargeRssMiB && bulk.sent >= bulk.total,
    ...(p.bulkLarge ? {} : { notRun: 'needs --bulk-large' }),
  });
  const [fewest, ...more] = p.scaleOut;
  if (!fewest) {
    checks.push({ name: 'scale-out: CPU per SMS with more worker processes', measured: NaN, shown: '–', limit: `≤ ${TARGETS.maxScaleOutCpuGrowth.toFixed(2)}×`, pass: false, notRun: 'needs --workers (default with --postgres)' });
  }
  for (const run of more) {
    const growth = run.cpuMsPerSms / fewest.cpuMsPerSms;
    const clean = [fewest, run].every((r) => r.run.sent === r.run.count && r.providerMessages === r.run.count && r.distinctBodies === r.run.count && !r.run.failed);
    checks.push({
      name: `scale-out: CPU per SMS, ${run.workers} ÷ ${fewest.workers} worker process${fewest.workers === 1 ? '' : 'es'} (${fewest.cpuMsPerSms.toFixed(2)} → ${run.cpuMsPerSms.toFixed(2)} ms), no duplicate`,
      measured: growth,
      shown: times(growth),
      limit: `≤ ${TARGETS.maxScaleOutCpuGrowth.toFixed(2)}×`,
      pass: growth <= TARGETS.maxScaleOutCpuGrowth && clean,
    });
  }
  return checks;
}
