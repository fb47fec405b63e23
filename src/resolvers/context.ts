import type { GatewayServices } from '../services/gateway.services';
import type { RequestContext } from '../services/request.context';
import type { HistoryLoaders } from './history.loaders';

/** Per request (or per subscription): who asks, loaders that batch and cache for this request only, and the services. */
export interface GatewayContext extends RequestContext {
  readonly history: HistoryLoaders;
  readonly services: GatewayServices;
}
