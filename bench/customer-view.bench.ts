import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchEnvironment } from './bench.environment';
import type { BenchOptions } from './bench.options';
import { firstDifference } from './answer.check';
import { DIRECT_PATHS } from './direct-client';
import type { GatewayProcess } from './gateway.process';
import { postGraphql } from './graphql.client';
import { runLoad, type LoadRequest, type LoadResult } from './load.runner';
import { runPaced, type PacedResult } from './paced.runner';

export const TRIVIAL_QUERY = '{ __typename }';
export const LIST_QUERY = '{ customers(first: 20) { edges { node { displayName contracts { number product { name } } } } } }';
/** The agent desktop's customer 360: who, how to reach them, what they hold, what we told them lately. */
export const VIEW_360_QUERY = `query Customer360($id: ID!) {
  customer(id: $id) {
    id displayName email phone language segment
    postalAddress { lines postalCode city country }
    preferences { preferredChannel consents }
    contracts { number status startDate monthlyAmount { amount currency } product { name category price { amount currency } } }
    communications(first: 10) { totalCount edges { node { id templateKey status createdAt deliveries { channel status updatedAt } } } }
  }
}`;

export type QueryKey = 'trivial' | 'list' | 'view360';
export type Server = 'gateway' | 'direct';

export interface QueryScenario {
  readonly key: QueryKey;
  readonly server: Server;
  /** Back-office latency during the run, ms. */
  readonly latencyMs: number;
  readonly label: string;
  readonly load: LoadResult;
  /** Simulated back-office HTTP calls per answered query (stats() of the CRM and the catalog). */
  readonly crmCallsPerQuery: number;
  readonly catalogCallsPerQuery: number;
  /** CPU time of the measured process over the window, as a share of one core. */
  readonly cpuShare: number;
  /** Its CPU per query, ms. */
  readonly cpuMsPerQuery: number;
}

/** The 360 view at half the peak the closed loop reached, started at an even pace. */
export interface HalfLoadRun {
  readonly latencyMs: number;
  readonly peakRequestsPerSecond: number;
  /** Errors: answers carrying GraphQL errors or a status other than 200. */
  readonly paced: PacedResult;
  /** Event loop delay during the run, ms: of the gateway, and of the driver's main thread, where the simulated CRM and catalog answer. */
  readonly gatewayLoopDelay: LoopDelay;
  readonly driverLoopDelay: LoopDelay;
}

export interface LoopDelay {
  readonly p99: number;
  readonly max: number;
}

export interface CustomerViewResults {
  readonly latenciesMs: readonly number[];
  readonly scenarios: readonly QueryScenario[];
  readonly halfLoad: readonly HalfLoadRun[];
}

interface Scenario {
  readonly key: QueryKey;
  readonly label: string;
  readonly requests: readonly LoadRequest[];
}

/**
 * Per back-office latency, the same connections and duration for each query on
 * the gateway and on the hand-written direct client (the limit), one after
 * the other so that both see the same machine; the trivial query (the
 * stack's own ceiling) once; then the 360 view at half the gateway's peak.
 * Every pair of answers is compared first: a broken query or a direct client
 * that fetched other data fails the run instead of being measured.
 */
export async function benchCustomerView(env: BenchEnvironment, options: BenchOptions, customerIds: readonly string[], progress: (line: string) => void): Promise<CustomerViewResults> {
  const ids = customerIds.slice(0, 500);
  const trivial: Scenario = { key: 'trivial', label: '{ __typename } (HTTP + Apollo only)', requests: [{ query: TRIVIAL_QUERY }] };
  const queries: Scenario[] = [
    { key: 'list', label: 'customers(first: 20) + contracts + product', requests: [{ query: LIST_QUERY }] },
    { key: 'view360', label: `customer(id) 360 view (${ids.length} customers)`, requests: ids.map((id) => ({ query: VIEW_360_QUERY, variables: { id } })) },
  ];
  const scenarios: QueryScenario[] = [];
  const halfLoad: HalfLoadRun[] = [];

  const measure = async (scenario: Scenario, server: Server, latencyMs: number): Promise<QueryScenario> => {
    const target: GatewayProcess = server === 'gateway' ? env.gateway : env.direct;
    const load = { url: target.url, path: server === 'gateway' ? '/graphql' : DIRECT_PATHS[scenario.key as 'list' | 'view360'], connections: options.connections };
    progress(`customer view @${latencyMs} ms: ${scenario.key} on the ${server === 'gateway' ? 'gateway' : 'direct client'}, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${options.connections} connections`);
    if (options.warmupSeconds > 0) await runLoad({ ...load, seconds: options.warmupSeconds }, scenario.requests);
    env.backoffice.resetStats();
    const before = await target.memory();
    const result = await runLoad({ ...load, seconds: options.durationSeconds }, scenario.requests);
    const after = await target.memory();
    const answered = Math.max(1, result.latency.count + result.non2xx);
    const cpuMs = (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000;
    return {
      key: scenario.key,
      server,
      latencyMs,
      label: scenario.label,
      load: result,
      crmCallsPerQuery: env.backoffice.stats('crm').requests / answered,
      catalogCallsPerQuery: env.backoffice.stats('catalog').requests / answered,
      cpuShare: cpuMs / 1000 / result.seconds,
      cpuMsPerQuery: cpuMs / answered,
    };
  };

  for (const [index, latencyMs] of options.backofficeLatenciesMs.entries()) {
    env.backoffice.control('crm', { latencyMs });
    env.backoffice.control('catalog', { latencyMs });
    if (index === 0) {
      await sameAnswers(env, trivial, 1);
      scenarios.push(await measure(trivial, 'gateway', latencyMs));
    }
    for (const scenario of queries) {
      await sameAnswers(env, scenario, 3);
      scenarios.push(await measure(scenario, 'gateway', latencyMs));
      scenarios.push(await measure(scenario, 'direct', latencyMs));
    }
    const peak = scenarios.find((s) => s.key === 'view360' && s.server === 'gateway' && s.latencyMs === latencyMs);
    const rate = Math.max(1, Math.round((peak?.load.requestsPerSecond ?? 2) / 2));
    progress(`customer view @${latencyMs} ms: 360 view on the gateway at ${rate} req/s (half its peak), evenly paced, ${options.durationSeconds} s`);
    const view = queries[1].requests;
    const bodies = Array.from({ length: Math.max(1, Math.round(rate * options.durationSeconds)) }, (_, i) =>
      JSON.stringify({ query: view[i % view.length].query, variables: view[i % view.length].variables ?? {} }));
    await env.gateway.memory({ resetPeak: true });
    const driverLoop = monitorEventLoopDelay({ resolution: 10 });
    driverLoop.enable();
    const { result: paced } = await runPaced({ url: `${env.gateway.url}/graphql`, bodies, rate, maxSockets: 64, keepBodies: false });
    driverLoop.disable();
    const gatewayLoop = await env.gateway.memory();
    halfLoad.push({
      latencyMs,
      peakRequestsPerSecond: peak?.load.requestsPerSecond ?? NaN,
      paced,
      gatewayLoopDelay: { p99: gatewayLoop.loopDelayP99Ms, max: gatewayLoop.loopDelayMaxMs },
      driverLoopDelay: { p99: driverLoop.percentile(99) / 1e6, max: driverLoop.max / 1e6 },
    });
  }
  env.backoffice.control('crm', { latencyMs: options.backofficeLatenciesMs[0] });
  env.backoffice.control('catalog', { latencyMs: options.backofficeLatenciesMs[0] });
  return { latenciesMs: options.backofficeLatenciesMs, scenarios, halfLoad };
}

/** The first `count` requests of a scenario answered by the gateway and, but for the trivial query, by the direct client: the same data or the run fails. */
async function sameAnswers(env: BenchEnvironment, scenario: Scenario, count: number): Promise<void> {
  for (const request of scenario.requests.slice(0, count)) {
    const gateway = await postGraphql<unknown>(env.gateway.url, request.query, request.variables);
    if (gateway.errors.length > 0 || gateway.data === null) {
      const first = gateway.errors[0];
      throw new Error(`${scenario.key}: expected data from the gateway, got ${first ? `${String(first.extensions?.code ?? 'error')}: ${first.message}` : 'no data'}`);
    }
    if (scenario.key === 'trivial') continue;
    const response = await fetch(`${env.direct.url}${DIRECT_PATHS[scenario.key]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: request.query, variables: request.variables ?? {} }),
    });
    const direct = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
    if (!response.ok || direct.errors) throw new Error(`${scenario.key}: expected data from the direct client, got HTTP ${response.status} ${direct.errors?.[0]?.message ?? ''}`);
    const difference = firstDifference(gateway.data, direct.data);
    if (difference) throw new Error(`${scenario.key}: the direct client's answer differs from the gateway's at ${difference}`);
  }
}
