import IORedis, { type RedisOptions } from 'ioredis';

/** A `redis://` / `rediss://` URL, or ioredis options. */
export type RedisConnectionInput = string | RedisOptions;

export type ConnectionRole = 'producer' | 'worker' | 'client' | 'subscriber';

/**
 * Options per role, following BullMQ's production guide:
 * - producer (API): `enableOfflineQueue: false`, so a request fails fast while
 *   Redis is away instead of piling commands up in memory;
 * - worker: `maxRetriesPerRequest: null`, so blocking commands wait out a
 *   reconnect instead of failing the worker;
 * - client (status publishing, artifacts, receipts, locks): queued while
 *   connecting, but a command gives up after two reconnect attempts, so a Redis
 *   outage cannot stall a job for long; auto-pipelined, so the commands that
 *   concurrent jobs issue in one turn of the event loop leave in one socket
 *   write (each write is a system call, which on small virtual machines costs
 *   more than the command's own work); never handed to BullMQ;
 * - subscriber: pub/sub, reconnects and re-subscribes by itself.
 */
export function redisOptionsFor(input: RedisConnectionInput, role: ConnectionRole): RedisOptions {
  const base = typeof input === 'string' ? fromUrl(input) : { ...input };
  switch (role) {
    case 'producer':
      return { ...base, enableOfflineQueue: false };
    case 'worker':
      return { ...base, maxRetriesPerRequest: null };
    case 'client':
      return { ...base, maxRetriesPerRequest: 2, enableAutoPipelining: true };
    case 'subscriber':
      return { ...base, maxRetriesPerRequest: null };
  }
}

export function createRedis(input: RedisConnectionInput, role: ConnectionRole, connectionName: string): IORedis {
  return new IORedis({ ...redisOptionsFor(input, role), connectionName });
}

function fromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('redis connection: expected a redis:// or rediss:// URL, got something that is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`redis connection: expected a redis:// or rediss:// URL, got ${parsed.protocol}//…`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
  };
}
