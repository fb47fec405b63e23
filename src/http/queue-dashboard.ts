import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';
import { credentialsOf, type Authenticator } from './authenticate';

export interface QueueDashboardOptions {
  readonly queues: readonly Queue[];
  readonly authenticator: Authenticator;
  /** Default '/admin/queues'. */
  readonly basePath?: string;
}

/**
 * bull-board for operators: queue depths, failed jobs with their reasons, retry
 * and clean. Admins only (the same credentials as the API: `Authorization` or
 * `X-Api-Key`; behind a proxy that adds them for browsers). Jobs carry ids only,
 * so nothing personal shows here.
 */
export async function registerQueueDashboard(app: FastifyInstance, options: QueueDashboardOptions): Promise<void> {
  const basePath = options.basePath ?? '/admin/queues';
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: options.queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      try {
        const principal = await options.authenticator.authenticate(credentialsOf(request.headers));
        if (principal.role !== 'admin') return reply.code(403).send({ error: 'FORBIDDEN', message: 'the queue dashboard is for admins' });
      } catch (error) {
        const message = error instanceof AppError ? error.message : 'credentials could not be checked';
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHENTICATED', message });
      }
      return undefined;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: basePath, basePath });
  });
}
