import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { startGateway, type Role } from '../src/runtime/gateway';
import { hostChild } from './child.host';

/**
 * The gateway under test, in its own process (forked by gateway.process.ts), so
 * its memory and CPU are its own: the load generator, the back-office and the
 * sinks (which keep every message they receive) live in the parent. It samples
 * its own memory every 100 ms and answers the driver's readings over IPC.
 */
hostChild(async (env, role) => {
  const gateway = await startGateway(loadConfig(env), role as Role, pino({ level: 'silent' }));
  return { url: gateway.url ?? '', close: () => gateway.close() };
});
