import type { Harness } from './gateway.harness';

/** The harness as one API-key principal sees it: every GraphQL call carries its `x-api-key`. */
export function asKey(h: Harness, key: string): Harness {
  return {
    ...h,
    graphql: <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
      h.graphql<T>(query, variables, { 'x-api-key': key, ...headers }),
  };
}
