import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import { createErrorFormatter } from '../src/http/error.format';
import { createRateLimiter, enforceRateLimit, rateLimitedError, type RateLimiter } from '../src/http/rate-limit';
import { freePort } from '../src/store/redis.process';

const redisUrl = (): string => {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL: expected the URL of the test Redis (set by the jest global setup), got nothing');
  return url;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('createRateLimiter against a real Redis', () => {
  let redis: Redis;
  let other: Redis;
  const limiters: RateLimiter[] = [];
  /** A limiter on a fresh prefix, so test files and tests never share counters. */
  const limiter = (limit: number, windowMs: number, client: Redis | string = redis, prefix = `{rl-${randomUUID()}}`): RateLimiter => {
    const created = createRateLimiter({ redis: client, prefix, limit, windowMs });
    limiters.push(created);
    return created;
  };
  beforeAll(() => {
    redis = new Redis(redisUrl());
    other = new Redis(redisUrl());
  });
  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('allows a burst of `limit` requests, then refuses with the time until the next one fits', async () => {
    const rl = limiter(5, 60_000);
    const results = [];
    for (let i = 0; i < 6; i += 1) results.push(await rl.consume('agent:a1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results.slice(0, 5).map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
    // One request every 60 s / 5 = 12 s once the burst is spent.
    expect(results[5].retryAfterMs).toBeGreaterThan(11_000);
    expect(results[5].retryAfterMs).toBeLessThanOrEqual(12_000);
    expect(results[0].retryAfterMs).toBe(0);
  });

  it('lets one more request through once the retry time has passed', async () => {
    const rl = limiter(2, 300);
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(true);
    const refused = await rl.consume('k');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(150);
    await sleep(refused.retryAfterMs + 10);
    expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);
  });

  it('counts each key (principal) on its own', async () => {
    const rl = limiter(1, 60_000);
    expect((await rl.consume('portal:u1')).allowed).toBe(true);
    expect((await rl.consume('portal:u1')).allowed).toBe(false);
    expect((await rl.consume('portal:u2')).allowed).toBe(true);
  });

  it('holds across processes: limiters on two connections share one budget, and concurrent requests never overshoot it', async () => {
    const prefix = `{rl-${randomUUID()}}`;
    const a = limiter(10, 60_000, redis, prefix);
    const b = limiter(10, 60_000, other, prefix);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).consume('service:1')));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('keeps one key per principal that expires by itself', async () => {
    const prefix = `{rl-${randomUUID()}}`;
    const rl = limiter(3, 2_000, redis, prefix);
    await rl.consume('agent:ttl');
    const ttl = await redis.pttl(`${prefix}:agent:ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000 / 3 + 1);
    expect(await redis.keys(`${prefix}:*`)).toEqual([`${prefix}:agent:ttl`]);
  });

  it('reloads its script after a SCRIPT FLUSH (failover, restart)', async () => {
    const rl = limiter(2, 60_000);
    expect((await rl.consume('x')).allowed).toBe(true);
    await redis.script('FLUSH');
    expect((await rl.consume('x')).allowed).toBe(true);
    expect((await rl.consume('x')).allowed).toBe(false);
  });

  it('opens and closes its own connection when given a URL, and leaves a given client open', async () => {
    const own = createRateLimiter({ redis: redisUrl(), prefix: `{rl-${randomUUID()}}`, limit: 1, windowMs: 60_000 });
    expect((await own.consume('a')).allowed).toBe(true);
    expect((await own.consume('a')).allowed).toBe(false);
    await own.close();
    const shared = createRateLimiter({ redis, prefix: `{rl-${randomUUID()}}`, limit: 1, windowMs: 60_000 });
    await shared.close();
    expect(await redis.ping()).toBe('PONG');
  });

  it('lets requests through when Redis is unreachable (fail open), or refuses them when told to, and reports the failure', async () => {
    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const errors: unknown[] = [];
    const open = createRateLimiter({ redis: deadUrl, prefix: 'p', limit: 1, windowMs: 1_000, timeoutMs: 200, onError: (e) => errors.push(e) });
    const closed = createRateLimiter({ redis: deadUrl, prefix: 'p', limit: 1, windowMs: 1_000, timeoutMs: 200, failOpen: false });
    try {
      const started = Date.now();
      expect(await open.consume('a')).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
      expect(await closed.consume('a')).toEqual({ allowed: false, retryAfterMs: 1_000, remaining: 0 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(errors).toHaveLength(1);
    } finally {
      await Promise.all([open.close(), closed.close()]);
    }
  });

  it('refuses nonsensical limits at construction', () => {
    expect(() => createRateLimiter({ redis, prefix: 'p', limit: 0, windowMs: 1_000 })).toThrow('expected a limit of 1 or more requests, got 0');
    expect(() => createRateLimiter({ redis, prefix: 'p', limit: 1.5, windowMs: 1_000 })).toThrow('expected a limit of 1 or more requests, got 1.5');
    expect(() => createRateLimiter({ redis, prefix: 'p', limit: 5, windowMs: 0 })).toThrow('expected a window of 1 ms or more, got 0');
  });
});

describe('rateLimitedError through Apollo on fastify', () => {
  let app: FastifyInstance;
  let apollo: ApolloServer<{ principal: string }>;
  let rl: RateLimiter;
  let url: string;
  beforeAll(async () => {
    rl = createRateLimiter({ redis: redisUrl(), prefix: `{rl-${randomUUID()}}`, limit: 2, windowMs: 60_000 });
    app = Fastify();
    apollo = new ApolloServer<{ principal: string }>({
      typeDefs: 'type Query { whoami: String! }',
      resolvers: { Query: { whoami: (_root: unknown, _args: unknown, ctx: { principal: string }) => ctx.principal } },
      formatError: createErrorFormatter({ error: () => undefined }),
      includeStacktraceInErrorResponses: false,
    });
    await apollo.start();
    app.route({
      method: ['GET', 'POST'],
      url: '/graphql',
      handler: fastifyApolloHandler(apollo, {
        // What the gateway's context function does after authenticating.
        context: async (request) => {
          const principal = String(request.headers['x-principal']);
          await enforceRateLimit(rl, principal);
          return { principal };
        },
      }),
    });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  });
  afterAll(async () => {
    await apollo?.stop();
    await app?.close();
    await rl?.close();
  });

  const ask = (principal: string): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-principal': principal }, body: JSON.stringify({ query: '{ whoami }' }) });

  it('answers HTTP 429 with Retry-After and a RATE_LIMITED error carrying the retry hint', async () => {
    expect((await ask('agent:1')).status).toBe(200);
    expect((await ask('agent:1')).status).toBe(200);
    const refused = await ask('agent:1');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(30);
    const body = (await refused.json()) as { data?: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0].extensions.retryAfterMs).toBeGreaterThan(28_000);
    expect(body.errors[0].extensions).not.toHaveProperty('http');
    expect(body.errors[0].message).toMatch(/^too many requests: retry in \d+ s$/);
    // Another principal is not affected.
    expect(await (await ask('agent:2')).json()).toEqual({ data: { whoami: 'agent:2' } });
  });

  it('rounds the Retry-After header up to whole seconds, never 0', () => {
    const error = rateLimitedError(20);
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 20 });
    expect((error.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')).toBe('1');
    expect((rateLimitedError(2_001).extensions.http as { status: number; headers: Map<string, string> })).toMatchObject({ status: 429 });
  });
});
