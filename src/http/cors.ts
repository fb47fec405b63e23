import type { FastifyInstance } from 'fastify';

/**
 * CORS for the browser apps named in `CORS_ORIGINS` and no one else: without
 * the variable, no cross-origin headers are sent at all (same-origin only).
 * Credentials travel in headers, never cookies, so no `Allow-Credentials`.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, x-api-key, content-type, x-request-id, apollo-require-preflight')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
