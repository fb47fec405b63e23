import { Gauge, type Registry } from 'prom-client';
import type { KpiFigures, KpiReport } from '../services/kpi.report';

export interface KpiMetricsOptions {
  /** The KPIs of [from, to), e.g. the repository's `kpis` through `kpiReport`, its reasons capped to the top N. */
  readonly read: (from: Date, to: Date) => Promise<KpiReport>;
  /** The trailing window the gauges cover, ending at the scrape. */
  readonly windowSeconds: number;
  /** How long one reading answers scrapes (a failed one too, so a database in trouble is not asked at every scrape); 0: every scrape reads. */
  readonly cacheSeconds: number;
  /** Prefix of every metric name; default 'ccm_'. */
  readonly prefix?: string;
  /** How long a scrape waits for a reading before it answers without the KPIs (`kpi_up` 0); default 5_000 ms. */
  readonly timeoutMs?: number;
  /** Default: Date.now. */
  readonly clock?: () => number;
  /** Told why a reading failed (the gauges are then empty and `kpi_up` is 0). */
  readonly onError?: (error: unknown) => void;
}

type Labels = Record<string, string>;

/**
 * The cross-channel KPIs of a trailing window as gauges, read at scrape time
 * and cached for a few seconds: the prom-client collectors of one scrape run
 * in parallel and share one reading. Labels stay bounded: channels and
 * templates are finite, reasons are the report's top N plus "(other)" and
 * "(none)" (no reason recorded). Every API process reads the same database:
 * do not sum these across instances.
 */
export function registerKpiMetrics(registry: Registry, options: KpiMetricsOptions): void {
  const prefix = options.prefix ?? 'ccm_';
  const clock = options.clock ?? Date.now;
  const windowMs = options.windowSeconds * 1000;
  const cacheMs = options.cacheSeconds * 1000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const registers = [registry];

  // One reading at a time: a scrape that gives up waiting leaves it running, and the next scrapes wait for
  // the same one instead of piling more queries on a slow database.
  let reading: { readonly promise: Promise<KpiReport | null>; warned: boolean } | null = null;
  let last: { readonly at: number; readonly report: KpiReport | null } | null = null;
  const current = (): Promise<KpiReport | null> => {
    const now = clock();
    if (last && now - last.at < cacheMs) return Promise.resolve(last.report);
    const entry = (reading ??= {
      warned: false,
      promise: options
        .read(new Date(now - windowMs), new Date(now))
        .catch((error: unknown) => {
          options.onError?.(error);
          return null;
        })
        .then((report) => {
          last = { at: now, report };
          reading = null;
          return report;
        }),
    });
    return withTimeout(entry.promise, timeoutMs, () => {
      // Once per reading, not once per collector.
      if (entry.warned) return;
      entry.warned = true;
      options.onError?.(new Error(`KPI reading: expected an answer within ${timeoutMs} ms`));
    });
  };

  /** A gauge reset and refilled from the current reading at each scrape, so no stale series stays behind. */
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: (report: KpiReport, set: (labels: Labels, value: number) => void) => void): void => {
    new Gauge({
      name: `${prefix}${name}`, help, labelNames, registers,
      async collect() {
        this.reset();
        const report = await current();
        if (report) fill(report, (labels, value) => this.set(labels, value));
      },
    });
  };
  const perPair = (name: string, help: string, value: (pair: Omit<KpiFigures, 'lettersAvoided'>) => number | null): void =>
    gauge(name, help, ['channel', 'template'], (report, set) => {
      for (const pair of report.pairs) {
        const v = value(pair);
        if (v !== null) set({ channel: pair.channel, template: pair.templateKey }, v);
      }
    });

  new Gauge({
    name: `${prefix}kpi_up`, help: '1 when the KPI gauges are current; 0 when reading them failed', registers,
    async collect() {
      this.set((await current()) ? 1 : 0);
    },
  });
  new Gauge({ name: `${prefix}kpi_window_seconds`, help: 'The trailing window the KPI gauges cover', registers }).set(options.windowSeconds);
  const window = 'communications created in the KPI window';
  perPair('kpi_deliveries_total', `Deliveries of the ${window}, by channel and template`, (p) => p.deliveries);
  perPair('deliveries_reached_total', `Deliveries SENT, DELIVERED or READ, of the ${window}`, (p) => p.reached);
  perPair('deliveries_read_total', `Deliveries READ or with an engagement (opened, clicked, read, downloaded, replied), of the ${window}`, (p) => p.read);
  perPair('delivery_read_rate', `Read among the reached ÷ reached, of the ${window}; absent when none reached the customer`, (p) => p.readRate);
  gauge('time_to_read_seconds', `Seconds from a delivery's first SENT or DELIVERED entry to its first engagement, median (0.5) and p90 (0.9), of the ${window}`, ['channel', 'template', 'quantile'], (report, set) => {
    for (const pair of report.pairs) {
      const labels = { channel: pair.channel, template: pair.templateKey };
      if (pair.timeToReadMedianSeconds !== null) set({ ...labels, quantile: '0.5' }, pair.timeToReadMedianSeconds);
      if (pair.timeToReadP90Seconds !== null) set({ ...labels, quantile: '0.9' }, pair.timeToReadP90Seconds);
    }
  });
  perPair('fallbacks_total', `Deliveries made because the previous one failed, bounced or was skipped, of the ${window}`, (p) => p.fallbacks);
  perPair('escalations_total', `Deliveries that escalated unread, of the ${window}, on the channel that went unread`, (p) => p.escalated);
  perPair('replies_total', `Deliveries replied to, of the ${window}`, (p) => p.replies);
  gauge('letters_avoided_total', `Communications whose plan or chain held LETTER that reached the customer digitally with no letter sent, of the ${window}, by template`, ['template'], (report, set) => {
    for (const t of report.byTemplate) set({ template: t.templateKey }, t.lettersAvoided);
  });
  gauge('interactions_total', 'Interactions that occurred in the KPI window, by channel', ['channel'], (report, set) => {
    for (const c of report.interactions.byChannel) set({ channel: c.channel }, c.count);
  });
  gauge('interaction_reasons_total', 'Interactions that occurred in the KPI window, by reason: the most frequent, "(none)" without a reason, "(other)" the rest', ['reason'], (report, set) => {
    // Summed, not set: a reason recorded as the text "(other)" or "(none)" joins that series instead of overwriting it.
    const counts = new Map<string, number>();
    const add = (reason: string, count: number): void => void counts.set(reason, (counts.get(reason) ?? 0) + count);
    for (const r of report.interactions.byReason) add(r.reason ?? '(none)', r.count);
    if (report.interactions.otherReasons > 0) add('(other)', report.interactions.otherReasons);
    for (const [reason, count] of counts) set({ reason }, count);
  });
}

/** The reading, or null once `ms` have passed (the reading goes on, for the next scrape). */
function withTimeout<T>(promise: Promise<T | null>, ms: number, onTimeout: () => void): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      onTimeout();
      resolve(null);
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
