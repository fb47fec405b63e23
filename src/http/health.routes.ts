import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<unknown>;
}

/**
 * `/healthz`: the process answers. `/readyz`: what it needs to serve is
 * reachable (Redis, database); 503 with the failing parts otherwise, so a load
 * balancer stops sending traffic without restarting the process.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: readonly ReadinessCheck[], options: { timeoutMs?: number; extra?: () => Record<string, unknown> } = {}): void {
  const timeoutMs = options.timeoutMs ?? 2_000;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `failing: ${(error as Error).message}`] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results), ...(options.extra?.() ?? {}) };
  });
}
