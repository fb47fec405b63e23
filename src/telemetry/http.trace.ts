import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/**
 * Gives each HTTP server span its route template (`GET /documents/:id`), the
 * way the HTTP instrumentation expects a framework to: through the request's
 * RPC metadata, which it reads when the response ends.
 */
export function registerHttpRouteNames(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const metadata = getRPCMetadata(context.active());
    const route = request.routeOptions.url;
    if (metadata?.type === RPCType.HTTP && route) {
      metadata.route = route;
      metadata.span.updateName(`${request.method} ${route}`);
    }
    done();
  });
}
