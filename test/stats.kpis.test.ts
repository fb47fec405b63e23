import { Registry } from 'prom-client';
import { Channel, ChannelPolicy, DeliveryStatus, EngagementKind, Direction, InteractionChannel, Priority, type Escalation } from '../src/domain';
import { registerKpiMetrics } from '../src/http/kpi.metrics';
import { kpiReport, quantile, type KpiReport } from '../src/services/kpi.report';
import { READ_SIGNALS } from '../src/store/kpi.queries';
import { CommunicationRepository } from '../src/store/communication.repository';
import { EngagementRepository } from '../src/store/engagement.repository';
import { InteractionRepository } from '../src/store/interaction.repository';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { signHs256 } from './support/tokens';

const SECRET = 'stats-kpis-secret-0123456789-abcdefghij';
const SERVICE_KEY = 'svc-kpis-0f9e8d7c6b5a4f3e2d1c';
const { EMAIL, SMS, LETTER, PORTAL } = Channel;
const { SENT, DELIVERED, FAILED, BOUNCED, SKIPPED, SENDING } = DeliveryStatus;

type Headers = Record<string, string>;
const jwt = (claims: Record<string, unknown>): Headers => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = jwt({ sub: 'agent-kpi', role: 'agent' });
const portal = jwt({ sub: 'portal-kpi', role: 'portal', customerId: 'C0000001' });
const service: Headers = { 'x-api-key': SERVICE_KEY };

const FIGURES = 'deliveries reached read readRate timeToReadMedianSeconds timeToReadP90Seconds fallbacks escalated lettersAvoided replies';
const STATS = `query($from: DateTime!, $to: DateTime!) { deliveryStats(from: $from, to: $to) {
  overall { ${FIGURES} } channels { channel ${FIGURES} } byTemplate { templateKey ${FIGURES} } timeToReadCapped
  interactions { total byChannel { channel count } byReason { reason count } otherReasons } } }`;

interface Sample { readonly name: string; readonly labels: Record<string, string>; readonly value: number }

/** The Prometheus text format, one sample per line. */
function samples(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`expected a sample line, got ${JSON.stringify(line)}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1], labels, value: Number(match[3]) };
  });
}
/** The one sample of `name` with exactly these labels, or undefined. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  if (found.length > 1) throw new Error(`expected one ${name} sample for ${JSON.stringify(labels)}, got ${found.length}`);
  return found[0]?.value;
}
const series = (text: string, name: string): Sample[] => samples(text).filter((s) => s.name === name);

/** Zero figures, for the expectations below to override. */
const none = { deliveries: 0, reached: 0, read: 0, readRate: null, timeToReadMedianSeconds: null, timeToReadP90Seconds: null, fallbacks: 0, escalated: 0, lettersAvoided: 0, replies: 0 };

describe('quantile', () => {
  it('interpolates between the closest ranks, as percentile_cont', () => {
    const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(oneToTen, 0.5)).toBeCloseTo(5.5, 10);
    expect(quantile(oneToTen, 0.9)).toBeCloseTo(9.1, 10);
    expect(quantile([60, 120, 300], 0.9)).toBeCloseTo(264, 10);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('KPI gauges: reading and caching', () => {
  const report = (deliveries: number): KpiReport =>
    kpiReport({
      groups: [{ channel: EMAIL, templateKey: 'welcome', deliveries, reached: 0, read: 0, readReached: 0, replies: 0, fallbacks: 0, escalated: 0 }],
      durations: [],
      durationsCapped: false,
      lettersAvoided: [],
      interactionsByChannel: [],
      interactionReasons: [],
    });

  it('reads once per cache period, shared by the gauges of a scrape, over the trailing window', async () => {
    let now = 1_800_000_000_000;
    const reads: [number, number][] = [];
    const registry = new Registry();
    registerKpiMetrics(registry, {
      read: async (from, to) => {
        reads.push([from.getTime(), to.getTime()]);
        return report(reads.length);
      },
      windowSeconds: 3_600,
      cacheSeconds: 10,
      clock: () => now,
    });
    const text = await registry.metrics();
    expect(reads).toEqual([[now - 3_600_000, now]]);
    expect(valueOf(text, 'ccm_kpi_deliveries_total', { channel: 'EMAIL', template: 'welcome' })).toBe(1);
    // Nothing reached the customer: no read rate (never NaN), no time to read.
    expect(series(text, 'ccm_delivery_read_rate')).toEqual([]);
    expect(series(text, 'ccm_time_to_read_seconds')).toEqual([]);
    expect(valueOf(text, 'ccm_kpi_window_seconds')).toBe(3_600);
    now += 9_999;
    expect(valueOf(await registry.metrics(), 'ccm_kpi_deliveries_total', { channel: 'EMAIL', template: 'welcome' })).toBe(1);
    expect(reads).toHaveLength(1);
    now += 1;
    expect(valueOf(await registry.metrics(), 'ccm_kpi_deliveries_total', { channel: 'EMAIL', template: 'welcome' })).toBe(2);
    expect(reads).toHaveLength(2);
  });

  it('a failed reading empties the gauges, says kpi_up 0, and is not retried within the cache period', async () => {
    let now = 1_800_000_000_000;
    let calls = 0;
    const errors: unknown[] = [];
    const registry = new Registry();
    registerKpiMetrics(registry, {
      read: async () => {
        calls += 1;
        if (calls === 1) return report(5);
        throw new Error('database gone');
      },
      windowSeconds: 60,
      cacheSeconds: 5,
      clock: () => now,
      onError: (error) => errors.push(error),
      prefix: 'kpitest_',
    });
    expect(valueOf(await registry.metrics(), 'kpitest_kpi_up')).toBe(1);
    now += 5_000;
    let text = await registry.metrics();
    expect(valueOf(text, 'kpitest_kpi_up')).toBe(0);
    expect(series(text, 'kpitest_kpi_deliveries_total')).toEqual([]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['database gone']);
    now += 4_999;
    text = await registry.metrics();
    expect(valueOf(text, 'kpitest_kpi_up')).toBe(0);
    expect(calls).toBe(2);
  });
  it('a slow reading answers the scrape without the KPIs after the timeout, and no second reading starts meanwhile', async () => {
    let release: (r: KpiReport) => void = () => undefined;
    let calls = 0;
    const errors: string[] = [];
    const registry = new Registry();
    registerKpiMetrics(registry, {
      read: () => {
        calls += 1;
        return new Promise<KpiReport>((resolve) => {
          release = resolve;
        });
      },
      windowSeconds: 60,
      cacheSeconds: 10,
      clock: () => 1_800_000_000_000,
      timeoutMs: 50,
      onError: (error) => errors.push((error as Error).message),
    });
    for (let i = 0; i < 2; i += 1) {
      const text = await registry.metrics();
      expect(valueOf(text, 'ccm_kpi_up')).toBe(0);
      expect(series(text, 'ccm_kpi_deliveries_total')).toEqual([]);
    }
    expect(calls).toBe(1);
    expect(errors).toEqual(['KPI reading: expected an answer within 50 ms']);
    release(report(7));
    await new Promise((resolve) => setImmediate(resolve));
    // The late reading answers the next scrapes of its cache period.
    const text = await registry.metrics();
    expect(valueOf(text, 'ccm_kpi_up')).toBe(1);
    expect(valueOf(text, 'ccm_kpi_deliveries_total', { channel: 'EMAIL', template: 'welcome' })).toBe(7);
    expect(calls).toBe(1);
  });
});

describe.each(['sqlite', 'postgres'] as const)('deliveryStats KPIs and /metrics on %s', (kind) => {
  let h: Harness;
  /** The window of the known set: [T, T + 1 h), three hours before the run, so the 24 h gauges hold it all. */
  const T = Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000;
  const HOUR = 3_600_000;
  let now = T;
  const at = (offsetMs: number): void => {
    now = T + offsetMs;
  };
  const s = (seconds: number): number => seconds * 1000;

  const ask = async (headers: Headers, from: number, to: number): Promise<{ data: any; codes: unknown[] }> => {
    const { body } = await h.graphql(STATS, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, headers);
    return { data: body.data?.deliveryStats, codes: (body.errors ?? []).map((e) => e.extensions?.code) };
  };

  beforeAll(async () => {
    const databaseUrl = kind === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `stats_kpis_${process.pid}`) : undefined;
    h = await startHarness({
      role: 'api',
      databaseUrl,
      customers: 20,
      contracts: 20,
      products: 5,
      env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `service:${SERVICE_KEY}`, KPI_CACHE_SECONDS: '0', KPI_TOP_REASONS: '2' },
    });
    const clock = (): Date => new Date(now);
    const { dataSource } = h.gateway.store;
    const repository = new CommunicationRepository(dataSource, { clock });
    const engagement = new EngagementRepository(dataSource, clock);
    const interactions = new InteractionRepository(dataSource);

    const create = async (offsetMs: number, templateKey: string, ...chains: Channel[][]): Promise<string[]> => createEscalating(offsetMs, templateKey, null, ...chains);
    const createEscalating = async (offsetMs: number, templateKey: string, escalation: Escalation | null, ...chains: Channel[][]): Promise<string[]> => {
      at(offsetMs);
      const { deliveries } = await repository.create({
        callerId: 'kpi-test', idempotencyKey: null, customerId: 'C0000001', contractId: null, templateKey,
        channelPolicy: ChannelPolicy.EXPLICIT, requestedChannels: null, data: {}, priority: Priority.NORMAL, scheduledAt: null,
        plans: chains.map((chain) => ({ chain, recipient: null })), escalation,
      });
      return deliveries.map((d) => d.id);
    };
    const step = async (offsetMs: number, deliveryId: string, status: DeliveryStatus): Promise<void> => {
      at(offsetMs);
      const { changed } = await repository.transition(deliveryId, status);
      if (!changed) throw new Error(`expected ${status} to change delivery ${deliveryId}`);
    };
    const fallBack = async (offsetMs: number, deliveryId: string): Promise<string> => {
      at(offsetMs);
      const next = await repository.addFallbackDelivery(deliveryId);
      if (!next) throw new Error(`expected a fallback after ${deliveryId}`);
      return next.id;
    };
    const engage = async (offsetMs: number, deliveryId: string, kind: EngagementKind, makesRead = true): Promise<void> => {
      at(offsetMs);
      const result = await engagement.record({ deliveryId, kind, detail: null, makesRead, stopsEscalation: true });
      if (result.outcome !== 'recorded' || !result.created) throw new Error(`expected ${kind} recorded on ${deliveryId}`);
    };

    // C1 welcome, EMAIL then LETTER: sent, opened after 60 s, clicked later; the letter was avoided. Created at `from`.
    const [d1] = await create(0, 'welcome', [EMAIL, LETTER]);
    await step(s(10), d1, SENT);
    await engage(s(70), d1, EngagementKind.OPENED);
    await engage(s(100), d1, EngagementKind.CLICKED);
    // C2 welcome, SMS then LETTER: the SMS failed, the letter went out (a fallback, no letter avoided).
    const [d2] = await create(s(1), 'welcome', [SMS, LETTER]);
    await step(s(5), d2, FAILED);
    const d3 = await fallBack(s(6), d2);
    await step(s(20), d3, SENT);
    // C3 invoice, EMAIL then SMS: the email bounced after it was sent; the SMS fallback was delivered and replied to
    // 120 s after it was sent, without becoming READ (read by its engagement).
    const [d4] = await create(s(2), 'invoice-available', [EMAIL, SMS]);
    await step(s(10), d4, SENT);
    await step(s(30), d4, BOUNCED);
    const d5 = await fallBack(s(31), d4);
    await step(s(40), d5, SENT);
    await step(s(50), d5, DELIVERED);
    await engage(s(160), d5, EngagementKind.REPLIED, false);
    // C4 invoice, EMAIL and LETTER side by side: the email opened after 300 s, the letter on its way (not avoided).
    const [d6, d7] = await create(s(3), 'invoice-available', [EMAIL], [LETTER]);
    await step(s(10), d6, SENT);
    await engage(s(310), d6, EngagementKind.OPENED);
    await step(s(11), d7, SENDING);
    // C5 payment reminder, SMS then LETTER: delivered, never read; the letter was avoided.
    const [d8] = await create(s(4), 'payment-reminder', [SMS, LETTER]);
    await step(s(10), d8, SENT);
    await step(s(15), d8, DELIVERED);
    // C6 payment reminder, EMAIL only: skipped.
    const [d9] = await create(s(5), 'payment-reminder', [EMAIL]);
    await step(s(6), d9, SKIPPED);
    // C7 contract renewal, EMAIL only: failed; nothing of this template reached anyone.
    const [d10] = await create(s(6), 'contract-renewal', [EMAIL]);
    await step(s(7), d10, FAILED);
    // Portal first, letter if unread after 60 s (C10–C12, payment reminder). C10: unread, escalated to a letter that was
    // then skipped: not a letter avoided, though no letter went out.
    const toLetter: Escalation = { unreadAfterSeconds: 60, then: [LETTER] };
    const [d13] = await createEscalating(s(7), 'payment-reminder', toLetter, [PORTAL]);
    await step(s(10), d13, SENT);
    at(s(100));
    const escalated = await repository.escalate(d13, { chain: [LETTER], recipient: null, why: null, readKinds: READ_SIGNALS });
    if (escalated.outcome !== 'escalated') throw new Error(`expected C10 to escalate, got ${escalated.outcome}`);
    await step(s(101), escalated.next.id, SKIPPED);
    // C11: downloaded 30 s after it was sent, before the deadline: the letter was avoided.
    const [d15] = await createEscalating(s(8), 'payment-reminder', toLetter, [PORTAL]);
    await step(s(10), d15, SENT);
    await engage(s(40), d15, EngagementKind.DOWNLOADED);
    // C12: sent, unread, its deadline still standing (no worker here): undecided, not (yet) a letter avoided.
    const [d16] = await createEscalating(s(9), 'payment-reminder', toLetter, [PORTAL]);
    await step(s(10), d16, SENT);
    // Outside [T, T + 1 h) but inside the 24 h of the gauges: C8 created at `to`, opened after 30 s; C9 1 ms before `from`, sent, unread.
    const [d11] = await create(HOUR, 'welcome', [EMAIL]);
    await step(HOUR + s(10), d11, SENT);
    await engage(HOUR + s(40), d11, EngagementKind.OPENED);
    const [d12] = await create(-1, 'welcome', [EMAIL]);
    await step(s(5), d12, SENT);

    const interaction = (offsetMs: number, channel: InteractionChannel, reason: string | null) =>
      interactions.record({
        callerId: 'kpi-test', externalId: null, customerId: 'C0000001', channel, direction: Direction.INBOUND, occurredAt: new Date(T + offsetMs),
        reason, summary: null, agentId: null, relatedCommunicationId: null, internal: false,
      });
    await interaction(0, InteractionChannel.PHONE, 'invoice question');
    await interaction(s(60), InteractionChannel.PHONE, 'invoice question');
    await interaction(s(120), InteractionChannel.PHONE, 'invoice question');
    await interaction(s(180), InteractionChannel.PHONE, 'complaint');
    await interaction(s(240), InteractionChannel.CHAT, 'address change');
    await interaction(s(300), InteractionChannel.CHAT, 'address change');
    await interaction(s(360), InteractionChannel.BRANCH, null);
    await interaction(HOUR, InteractionChannel.PHONE, 'invoice question');
    await interaction(-1, InteractionChannel.PHONE, 'invoice question');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gives the exact figures of a known set per channel, per template and overall, from inclusive, to exclusive', async () => {
    const { data, codes } = await ask(agent, T, T + HOUR);
    expect(codes).toEqual([]);
    expect(data.overall).toEqual({ ...none, deliveries: 14, reached: 8, read: 4, readRate: 0.5, timeToReadMedianSeconds: 90, timeToReadP90Seconds: 246, fallbacks: 2, escalated: 1, lettersAvoided: 3, replies: 1 });
    expect(data.channels).toEqual([
      { ...none, channel: 'EMAIL', deliveries: 5, reached: 2, read: 2, readRate: 1, timeToReadMedianSeconds: 180, timeToReadP90Seconds: 276, lettersAvoided: 1 },
      // C10's escalation letter (skipped) is not a fallback: the portal delivery before it was sent.
      { ...none, channel: 'LETTER', deliveries: 3, reached: 1, readRate: 0, fallbacks: 1 },
      { ...none, channel: 'PORTAL', deliveries: 3, reached: 3, read: 1, readRate: 1 / 3, timeToReadMedianSeconds: 30, timeToReadP90Seconds: 30, escalated: 1, lettersAvoided: 1 },
      { ...none, channel: 'SMS', deliveries: 3, reached: 2, read: 1, readRate: 0.5, timeToReadMedianSeconds: 120, timeToReadP90Seconds: 120, fallbacks: 1, lettersAvoided: 1, replies: 1 },
    ]);
    expect(data.byTemplate).toEqual([
      // Nothing reached anyone: a null read rate, not NaN or 0.
      { ...none, templateKey: 'contract-renewal', deliveries: 1 },
      { ...none, templateKey: 'invoice-available', deliveries: 4, reached: 2, read: 2, readRate: 1, timeToReadMedianSeconds: 210, timeToReadP90Seconds: 282, fallbacks: 1, replies: 1 },
      // C5 and C11 avoided the letter; C10 escalated to one, C12 may still.
      { ...none, templateKey: 'payment-reminder', deliveries: 6, reached: 4, read: 1, readRate: 0.25, timeToReadMedianSeconds: 30, timeToReadP90Seconds: 30, escalated: 1, lettersAvoided: 2 },
      { ...none, templateKey: 'welcome', deliveries: 3, reached: 2, read: 1, readRate: 0.5, timeToReadMedianSeconds: 60, timeToReadP90Seconds: 60, fallbacks: 1, lettersAvoided: 1 },
    ]);
    expect(data.timeToReadCapped).toBe(false);
    expect(data.interactions).toEqual({
      total: 7,
      byChannel: [{ channel: 'BRANCH', count: 1 }, { channel: 'CHAT', count: 2 }, { channel: 'PHONE', count: 4 }],
      byReason: [{ reason: 'invoice question', count: 3 }, { reason: 'address change', count: 2 }, { reason: 'complaint', count: 1 }, { reason: null, count: 1 }],
      otherReasons: 0,
    });
  });

  it('moves with the window edges: a communication created at `to` is out, one at `from` is in', async () => {
    // One millisecond later: C1 (at T) leaves, C8 (at T + 1 h) comes in.
    const { data } = await ask(service, T + 1, T + HOUR + 1);
    expect(data.overall).toMatchObject({ deliveries: 14, reached: 8, read: 4, escalated: 1, lettersAvoided: 2 });
    expect(data.byTemplate.find((t: { templateKey: string }) => t.templateKey === 'welcome')).toMatchObject({ deliveries: 3, read: 1, timeToReadMedianSeconds: 30, lettersAvoided: 0 });
    expect(data.interactions.byReason[0]).toEqual({ reason: 'invoice question', count: 3 });
    // Only C9, created 1 ms before T.
    const before = await ask(agent, T - 1, T);
    expect(before.data.overall).toMatchObject({ deliveries: 1, reached: 1, read: 0, readRate: 0, timeToReadMedianSeconds: null });
    expect(before.data.interactions).toEqual({ total: 1, byChannel: [{ channel: 'PHONE', count: 1 }], byReason: [{ reason: 'invoice question', count: 1 }], otherReasons: 0 });
    // An empty window: all zero, rates and percentiles null.
    const empty = await ask(agent, T - HOUR, T - 1);
    expect(empty.data.overall).toEqual(none);
    expect(empty.data.channels).toEqual([]);
    expect(empty.data.byTemplate).toEqual([]);
    expect(empty.data.interactions).toEqual({ total: 0, byChannel: [], byReason: [], otherReasons: 0 });
  });

  it('caps the read durations it fetches, keeping the newest communications\' and saying so', async () => {
    const rows = await h.gateway.store.communications.kpis(new Date(T), new Date(T + HOUR), { maxDurations: 2 });
    expect(rows.durationsCapped).toBe(true);
    // C11 (created T + 8 s, 30 s) and C4 (T + 3 s, 300 s); C3's 120 s and C1's 60 s are left out.
    expect(rows.durations).toEqual([{ channel: 'PORTAL', templateKey: 'payment-reminder', seconds: 30 }, { channel: 'EMAIL', templateKey: 'invoice-available', seconds: 300 }]);
    expect(kpiReport(rows)).toMatchObject({ timeToReadCapped: true, overall: { timeToReadMedianSeconds: 165, read: 4 } });
    const all = await h.gateway.store.communications.kpis(new Date(T), new Date(T + HOUR), { maxDurations: 4 });
    expect(all.durationsCapped).toBe(false);
    expect(all.durations.map((d) => d.seconds)).toEqual([30, 300, 120, 60]);
  });

  it('refuses portal principals with FORBIDDEN, as before', async () => {
    const { data, codes } = await ask(portal, T, T + HOUR);
    expect(codes).toEqual(['FORBIDDEN']);
    expect(data).toBeUndefined();
  });

  it('shows the same figures over the trailing 24 h on /metrics, labels bounded', async () => {
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const pair = (channel: string, template: string) => ({ channel, template });
    expect(valueOf(text, 'ccm_kpi_up')).toBe(1);
    expect(valueOf(text, 'ccm_kpi_window_seconds')).toBe(86_400);
    // EMAIL welcome: C1 (read after 60 s), C8 (after 30 s), C9 (unread).
    expect(valueOf(text, 'ccm_kpi_deliveries_total', pair('EMAIL', 'welcome'))).toBe(3);
    expect(valueOf(text, 'ccm_deliveries_reached_total', pair('EMAIL', 'welcome'))).toBe(3);
    expect(valueOf(text, 'ccm_deliveries_read_total', pair('EMAIL', 'welcome'))).toBe(2);
    expect(valueOf(text, 'ccm_delivery_read_rate', pair('EMAIL', 'welcome'))).toBeCloseTo(2 / 3, 10);
    expect(valueOf(text, 'ccm_time_to_read_seconds', { ...pair('EMAIL', 'welcome'), quantile: '0.5' })).toBe(45);
    expect(valueOf(text, 'ccm_time_to_read_seconds', { ...pair('EMAIL', 'welcome'), quantile: '0.9' })).toBe(57);
    expect(valueOf(text, 'ccm_fallbacks_total', pair('LETTER', 'welcome'))).toBe(1);
    expect(valueOf(text, 'ccm_delivery_read_rate', pair('LETTER', 'welcome'))).toBe(0);
    expect(valueOf(text, 'ccm_fallbacks_total', pair('SMS', 'invoice-available'))).toBe(1);
    expect(valueOf(text, 'ccm_replies_total', pair('SMS', 'invoice-available'))).toBe(1);
    expect(valueOf(text, 'ccm_time_to_read_seconds', { ...pair('SMS', 'invoice-available'), quantile: '0.9' })).toBe(120);
    // Nothing reached: no rate sample, no time to read.
    expect(valueOf(text, 'ccm_kpi_deliveries_total', pair('EMAIL', 'contract-renewal'))).toBe(1);
    expect(valueOf(text, 'ccm_delivery_read_rate', pair('EMAIL', 'contract-renewal'))).toBeUndefined();
    expect(series(text, 'ccm_time_to_read_seconds').filter((x) => x.labels.template === 'contract-renewal')).toEqual([]);
    expect(Object.fromEntries(series(text, 'ccm_letters_avoided_total').map((x) => [x.labels.template, x.value]))).toEqual({
      'contract-renewal': 0, 'invoice-available': 0, 'payment-reminder': 2, welcome: 1,
    });
    expect(valueOf(text, 'ccm_escalations_total', pair('PORTAL', 'payment-reminder'))).toBe(1);
    expect(valueOf(text, 'ccm_escalations_total', pair('EMAIL', 'welcome'))).toBe(0);
    expect(valueOf(text, 'ccm_fallbacks_total', pair('LETTER', 'payment-reminder'))).toBe(0);
    expect(Object.fromEntries(series(text, 'ccm_interactions_total').map((x) => [x.labels.channel, x.value]))).toEqual({ BRANCH: 1, CHAT: 2, PHONE: 6 });
    // KPI_TOP_REASONS=2: the two most frequent, the rest (a complaint, one without a reason) as "(other)".
    expect(Object.fromEntries(series(text, 'ccm_interaction_reasons_total').map((x) => [x.labels.reason, x.value]))).toEqual({
      'invoice question': 5, 'address change': 2, '(other)': 2,
    });
    expect(series(text, 'ccm_kpi_deliveries_total').reduce((sum, x) => sum + x.value, 0)).toBe(16);
  });
});
