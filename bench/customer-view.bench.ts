import type { BenchEnvironment } from './bench.environment';
import type { BenchOptions } from './bench.options';
import { queryOrThrow } from './graphql.client';
import { runLoad, type LoadRequest, type LoadResult } from './load.runner';

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

export interface QueryScenario {
  readonly key: 'trivial' | 'list' | 'view360';
  readonly label: string;
  readonly load: LoadResult;
  /** Simulated back-office HTTP calls per answered query (stats() of the CRM and the catalog). */
  readonly crmCallsPerQuery: number;
  readonly catalogCallsPerQuery: number;
  /** CPU time of the gateway process over the window, as a share of one core. */
  readonly gatewayCpuShare: number;
  /** Gateway CPU per query, ms. */
  readonly gatewayCpuMsPerQuery: number;
}

/**
 * The same server, the same connections and the same duration for three
 * queries: the trivial one is what the HTTP + Apollo stack alone allows, so the
 * others' ratio to it is what federation (back-office calls, resolvers,
 * contract SQL, the gateway's own history) costs.
 */
export async function benchCustomerView(env: BenchEnvironment, options: BenchOptions, customerIds: readonly string[], progress: (line: string) => void): Promise<QueryScenario[]> {
  const url = env.gateway.url;
  const ids = customerIds.slice(0, 500);
  const scenarios: { key: QueryScenario['key']; label: string; requests: LoadRequest[] }[] = [
    { key: 'trivial', label: '{ __typename } (HTTP + Apollo only)', requests: [{ query: TRIVIAL_QUERY }] },
    { key: 'list', label: 'customers(first: 20) + contracts + product', requests: [{ query: LIST_QUERY }] },
    { key: 'view360', label: `customer(id) 360 view (${ids.length} customers)`, requests: ids.map((id) => ({ query: VIEW_360_QUERY, variables: { id } })) },
  ];
  const results: QueryScenario[] = [];
  for (const scenario of scenarios) {
    // A broken query must fail the run, not be measured as fast errors.
    await queryOrThrow(url, scenario.requests[0].query, scenario.requests[0].variables);
    progress(`customer view: ${scenario.key}, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${options.connections} connections`);
    if (options.warmupSeconds > 0) await runLoad({ url, connections: options.connections, seconds: options.warmupSeconds }, scenario.requests);
    env.backoffice.resetStats();
    const before = await env.gateway.memory();
    const load = await runLoad({ url, connections: options.connections, seconds: options.durationSeconds }, scenario.requests);
    const after = await env.gateway.memory();
    const answered = Math.max(1, load.latency.count + load.non2xx);
    const cpuMs = (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000;
    results.push({
      key: scenario.key,
      label: scenario.label,
      load,
      crmCallsPerQuery: env.backoffice.stats('crm').requests / answered,
      catalogCallsPerQuery: env.backoffice.stats('catalog').requests / answered,
      gatewayCpuShare: cpuMs / 1000 / load.seconds,
      gatewayCpuMsPerQuery: cpuMs / answered,
    });
  }
  return results;
}
