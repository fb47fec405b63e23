import type { Loaders } from '../connectors/loaders';
import type { Principal } from './principal';

/**
 * What a service call needs of the request it serves: who asks, the
 * request's own back-office loaders (batched and cached for this request
 * only), and its id, which follows the work into job log lines. The GraphQL
 * context (src/resolvers/context.ts) is one.
 */
export interface RequestContext {
  readonly principal: Principal;
  readonly loaders: Loaders;
  readonly requestId: string;
}
