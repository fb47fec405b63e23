import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocalRedis } from '../../src/store/redis.process';
import { startPostgres } from './postgres.cluster';

/**
 * One Redis and one PostgreSQL cluster for the whole run, real servers on loopback.
 * Their URLs reach the test workers through the environment (workers are forked after this).
 */
export default async function globalSetup(): Promise<void> {
  const [redis, postgres] = await Promise.all([
    process.env.TEST_REDIS_URL ? null : startLocalRedis({ dir: null }),
    process.env.TEST_POSTGRES_URL ? null : freePort().then(startPostgres),
  ]);
  if (redis) process.env.TEST_REDIS_URL = redis.url;
  if (postgres) process.env.TEST_POSTGRES_URL = postgres.url;
  (globalThis as Record<string, unknown>).__ccmTestServers = { redis, postgres };
  writeFileSync(join(tmpdir(), 'ccm-test-servers.json'), JSON.stringify({ redis: redis?.url, postgres: postgres?.url }));
}
