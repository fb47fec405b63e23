import { CircuitBreaker, Resilience } from '../src/connectors/resilience';
import { TtlCache } from '../src/connectors/ttl.cache';
import { UpstreamError } from '../src/connectors/upstream.error';
import { badInput, BackofficeUnavailableError, ErrorCode } from '../src/errors';

const transient = (): UpstreamError => new UpstreamError('crm', 'GET /customers', 'status', true, 'answered HTTP 503', 503);
const permanent = (): UpstreamError => new UpstreamError('crm', 'GET /customers', 'protocol', false, 'answer of an unexpected shape');

describe('circuit breaker', () => {
  it('opens on a failure ratio over the window even without a run of consecutive failures', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 5, failureRatio: 0.5, windowSize: 10, minimumCalls: 10 });
    for (let i = 0; i < 9; i += 1) breaker.record(breaker.acquire()!, i % 2 === 0);
    expect(breaker.state()).toBe('closed');
    breaker.record(breaker.acquire()!, false);
    expect(breaker.state()).toBe('open');
  });

  it('lets exactly one probe through after the cool-down and ignores late answers of older calls', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, now: () => now });
    const early = breaker.acquire()!;
    breaker.record(breaker.acquire()!, false);
    breaker.record(breaker.acquire()!, false);
    expect(breaker.state()).toBe('open');
    expect(breaker.acquire()).toBeNull();

    now = 1_000;
    expect(breaker.state()).toBe('half-open');
    const probe = breaker.acquire();
    expect(probe).toEqual({ probe: true });
    expect(breaker.acquire()).toBeNull();
    breaker.record(early, true);
    expect(breaker.state()).toBe('half-open');
    breaker.record(probe!, true);
    expect(breaker.state()).toBe('closed');
  });
});

describe('resilience', () => {
  it('retries idempotent calls on transient failures only, within the retry bound', async () => {
    const resilience = new Resilience({ system: 'crm', retries: 2, backoffMs: 1 });
    let attempts = 0;
    await expect(resilience.run(async () => {
      attempts += 1;
      if (attempts < 3) throw transient();
      return 'ok';
    }, { idempotent: true })).resolves.toBe('ok');
    expect(attempts).toBe(3);

    attempts = 0;
    await expect(resilience.run(async () => {
      attempts += 1;
      throw transient();
    }, { idempotent: false })).rejects.toBeInstanceOf(BackofficeUnavailableError);
    expect(attempts).toBe(1);

    attempts = 0;
    const error = await resilience.run(async () => {
      attempts += 1;
      throw permanent();
    }, { idempotent: true }).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(error).toMatchObject({ system: 'crm', message: 'The crm system is unavailable (answer of an unexpected shape)' });
  });

  it('passes AppErrors through without counting them against the system', async () => {
    const resilience = new Resilience({ system: 'catalog', breaker: { failureThreshold: 1 } });
    await expect(resilience.run(async () => {
      throw badInput('after: expected a cursor', 'after');
    }, { idempotent: true })).rejects.toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT } });
    expect(resilience.state()).toBe('closed');
  });

  it('holds the caller no longer than the budget, even when the operation ignores its signal', async () => {
    const resilience = new Resilience({ system: 'contracts', timeoutMs: 150, retries: 3 });
    let aborted = false;
    const started = performance.now();
    const error = await resilience.run((signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => undefined);
    }, { idempotent: true }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ system: 'contracts', message: expect.stringContaining('no answer within 150 ms') });
    expect(aborted).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(400);
  });

  it('stops retrying when the next back-off would overrun the budget', async () => {
    const resilience = new Resilience({ system: 'crm', timeoutMs: 100, retries: 5, backoffMs: 400, maxBackoffMs: 400, random: () => 1 });
    let attempts = 0;
    const started = performance.now();
    await expect(resilience.run(async () => {
      attempts += 1;
      throw transient();
    }, { idempotent: true })).rejects.toBeInstanceOf(BackofficeUnavailableError);
    expect(attempts).toBe(1);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('TTL cache', () => {
  it('expires entries and evicts the least recently used one', () => {
    let now = 0;
    const cache = new TtlCache<string | null>({ ttlMs: 100, maxEntries: 2, now: () => now });
    cache.set('a', 'A');
    cache.set('b', null);
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(new TtlCache({ ttlMs: 0 }).enabled).toBe(false);
  });
});
