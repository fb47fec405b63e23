import type { CustomerViewResults, QueryKey } from './customer-view.bench';
import type { BulkMemoryRun } from './memory.bench';

/** The targets the figures are held against; the report prints each with its verdict. */
export const TARGETS = {
  /** Gateway req/s ÷ the direct client's, same query, connections, duration and back-office latency. */
  minRatioToDirect: 0.6,
  /** p99 of the 360 view at half the gateway's peak ≤ the slowest back-office call (the configured latency) + this. */
  p99SlackMs: 10,
  /** Peak RSS growth of the gateway from the first bulk checkpoint to the last. */
  maxRssGrowth: 0.1,
} as const;

export interface TargetCheck {
  readonly name: string;
  readonly measured: number;
  /** How the measured value is shown, e.g. "0.72×". */
  readonly shown: string;
  readonly limit: string;
  readonly pass: boolean;
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
export function checkTargets(view: CustomerViewResults, bulk: BulkMemoryRun): TargetCheck[] {
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
  return checks;
}
