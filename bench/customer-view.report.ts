import { TARGETS, ratioToDirect } from './bench.targets';
import type { CustomerViewResults } from './customer-view.bench';
import { formatTable, num, percent, ratio } from './report.table';

/** Section 1: per back-office latency, each query on the gateway and on the direct client, then the 360 view at half peak. */
export function customerViewSection(view: CustomerViewResults): string {
  const trivial = view.scenarios.find((s) => s.key === 'trivial');
  const rows = view.scenarios.map((s) => [
    `${s.latencyMs} ms`,
    s.label,
    s.server === 'gateway' ? 'gateway' : 'direct client',
    num(s.load.requestsPerSecond),
    num(s.load.latency.p50, 1),
    num(s.load.latency.p95, 1),
    num(s.load.latency.p99, 1),
    num(s.load.errors + s.load.non2xx + s.load.graphqlErrors),
    num(s.crmCallsPerQuery, 2),
    num(s.catalogCallsPerQuery, 2),
    `${percent(s.cpuShare)} · ${num(s.cpuMsPerQuery, 2)} ms`,
    s.server === 'gateway' && trivial ? ratio(s.load.requestsPerSecond / trivial.load.requestsPerSecond) : '',
    s.server === 'gateway' && s.key !== 'trivial' ? verdict(ratioToDirect(view, s.key, s.latencyMs), TARGETS.minRatioToDirect) : '',
  ]);
  const table = formatTable(
    ['back-office', 'query', 'served by', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CRM calls/q', 'catalog calls/q', 'CPU · per q', 'vs trivial', `÷ direct (≥ ${TARGETS.minRatioToDirect}×)`],
    rows,
    [0, 3, 4, 5, 6, 7, 8, 9, 11, 12],
  );
  const halfRows = view.halfLoad.map((h) => {
    const limit = h.latencyMs + TARGETS.p99SlackMs;
    const p = h.paced;
    return [
      `${h.latencyMs} ms`,
      num(h.peakRequestsPerSecond),
      num(p.rate),
      num(p.achievedRate, 1),
      num(p.latency.p50, 1),
      num(p.latency.p95, 1),
      num(p.latency.p99, 1),
      num(p.latency.max, 1),
      num(p.errors),
      `${num(h.gatewayLoopDelay.p99, 1)} / ${num(h.gatewayLoopDelay.max, 1)}`,
      `${num(h.driverLoopDelay.p99, 1)} / ${num(h.driverLoopDelay.max, 1)}`,
      `≤ ${limit} ms`,
      p.latency.p99 <= limit && p.errors === 0 ? 'pass' : 'FAIL',
    ];
  });
  const half = formatTable(
    ['back-office', 'peak req/s', 'paced req/s', 'achieved', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'gateway loop delay p99 / max', 'driver (back-office) loop delay p99 / max', 'target p99', 'result'],
    halfRows,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const lag = Math.max(0, ...view.halfLoad.map((h) => h.paced.maxLagMs));
  const notes = [
    'closed loop: each connection sends its next request when the answer arrives; same connections and seconds for the gateway and the direct client,',
    'which fetches the same data with the same batching by hand (node:http + SQL, no GraphQL) and answers the same JSON (checked before each pair of runs)',
    '"÷ direct": gateway req/s ÷ direct client req/s, same query and back-office latency; CPU: the process serving the query, share of one core · per query',
  ];
  const halfNotes = [
    'the 360 view on the gateway at half its closed-loop peak, requests started at an even pace (open loop), cycling over the same customers;',
    `target: p99 ≤ the back-office latency (its slowest call) + ${TARGETS.p99SlackMs} ms; largest start behind schedule (load generator): ${num(lag, 1)} ms;`,
    'loop delay (ms): how late the event loop of the gateway, and of the driver\'s main thread where the simulated CRM and catalog answer, ran during the run',
  ];
  return [table, ...notes.map((n) => `  ${n}`), '', '360 view at half of peak load (open loop, evenly paced)', half, ...halfNotes.map((n) => `  ${n}`)].join('\n');
}

function verdict(value: number, min: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value.toFixed(2)}× ${value >= min ? 'pass' : 'FAIL'}`;
}
