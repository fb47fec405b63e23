import type { FastifyInstance } from 'fastify';

/** The part of EngagementService the routes use. */
export interface TrackingHandler {
  /** false: not a pixel token of this gateway. */
  opened(token: string): Promise<boolean>;
  /** Where the link leads, or null: not a link token of this gateway. */
  clicked(token: string): Promise<string | null>;
}

export interface TrackingLogger {
  warn(obj: object, msg: string): void;
}

/** The smallest transparent GIF (1×1). */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * `GET /t/o/<token>` (open pixel) and `GET /t/c/<token>` (tracked link).
 * Wildcard routes: a link token is longer than the router's 100-character
 * limit for a path parameter (TrackingTokens checks its shape).
 * The token is the whole request: query strings are ignored, so nothing in the
 * URL can redirect anywhere the message did not link to. Unknown or altered
 * tokens answer 404 and record nothing. HEAD requests (link scanners checking
 * a URL) answer like GET without recording a signal.
 */
export function registerTrackingRoutes(app: FastifyInstance, handler: TrackingHandler, logger: TrackingLogger): void {
  const notFound = { error: 'NOT_FOUND', message: 'unknown link' };
  app.get<{ Params: { '*': string } }>('/t/o/*', { exposeHeadRoute: false }, async (request, reply) => {
    let found: boolean;
    try {
      found = await handler.opened(request.params['*']);
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'open pixel could not be recorded');
      return reply.code(503).header('retry-after', '5').send({ error: 'SERVICE_UNAVAILABLE', message: 'try again shortly' });
    }
    if (!found) return reply.code(404).send(notFound);
    return reply
      .header('content-type', 'image/gif')
      .header('cache-control', 'no-store, no-cache, must-revalidate, private')
      .header('x-content-type-options', 'nosniff')
      .send(PIXEL);
  });
  app.head<{ Params: { '*': string } }>('/t/o/*', async (_request, reply) => reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send());

  app.get<{ Params: { '*': string } }>('/t/c/*', { exposeHeadRoute: false }, async (request, reply) => {
    let location: string | null;
    try {
      location = await handler.clicked(request.params['*']);
    } catch (error) {
      // The store could not take the click (an outage): a retry in a moment records it and redirects.
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'tracked link could not be recorded');
      return reply.code(503).header('retry-after', '5').send({ error: 'SERVICE_UNAVAILABLE', message: 'try again shortly' });
    }
    if (!location) return reply.code(404).send(notFound);
    return reply.code(302).header('location', location).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send();
  });
  app.head<{ Params: { '*': string } }>('/t/c/*', async (_request, reply) => reply.code(204).header('cache-control', 'no-store').send());
}
