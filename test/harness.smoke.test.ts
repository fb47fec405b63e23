import Redis from 'ioredis';
import { Client } from 'pg';

describe('test harness', () => {
  it('provides a real Redis and a real PostgreSQL', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    await expect(redis.ping()).resolves.toBe('PONG');
    redis.disconnect();
    const pg = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
    await pg.connect();
    const { rows } = await pg.query('select version() as v');
    expect(rows[0].v).toMatch(/PostgreSQL 15/);
    await pg.end();
  });
});
