import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '../src/config';
import { Channel } from '../src/domain';
import { checkEscalation } from '../src/services/request.checks';
import type { Client } from 'graphql-ws';
import { startHarness, type Harness } from './support/gateway.harness';
import { roundTrip, subscribe, wsClient } from './support/subscription.client';
import { createDatabase } from './support/postgres.cluster';
import { signHs256 } from './support/tokens';

const SECRET = 'escalation-test-secret-0123456789-abcdef';
type Headers = Record<string, string>;
interface GqlError { message: string; extensions?: Record<string, unknown> }
interface DeliveryView {
  id: string;
  channel: string;
  status: string;
  escalatesAt: string | null;
  escalatedAt: string | null;
  engagement: { kind: string }[];
  events: { status: string; detail: string | null }[];
}
interface CommunicationView { id: string; status: string; escalation: { unreadAfterSeconds: number; then: string[] } | null; deliveries: DeliveryView[]; documents: { id: string; downloadUrl: string }[] }

const jwt = (claims: Record<string, unknown>): Headers => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = jwt({ sub: 'agent-1', role: 'agent' });
const portal = (customerId: string): Headers => jwt({ sub: `portal-${customerId}`, role: 'portal', customerId });

const COMMUNICATION = `query($id: ID!) { communication(id: $id) { id status escalation { unreadAfterSeconds then }
  deliveries { id channel status escalatesAt escalatedAt engagement { kind } events { status detail } } documents { id downloadUrl } } }`;
const SEND = 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id escalation { unreadAfterSeconds then } } }';
const invoice = { invoiceNumber: 'INV-2026-000901', amountDue: { amount: '120.00', currency: 'EUR' }, dueDate: '2027-01-15' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Reachable { readonly id: string; readonly contractId: string; readonly email: boolean }

/** A gateway, its GraphQL as agent or portal, and the customers that reach both the portal and paper. */
class Scene {
  constructor(readonly h: Harness) {}

  async ask(query: string, variables: Record<string, unknown> = {}, headers: Headers = agent): Promise<{ data: Record<string, any> | null | undefined; errors: GqlError[] }> {
    const { body } = await this.h.graphql(query, variables, headers);
    return { data: body.data as Record<string, any> | null | undefined, errors: body.errors ?? [] };
  }

  async communication(id: string): Promise<CommunicationView> {
    const answer = await this.ask(COMMUNICATION, { id });
    if (!answer.data?.communication) throw new Error(`communication ${id}: ${JSON.stringify(answer.errors)}`);
    return answer.data.communication as CommunicationView;
  }

  async send(target: Reachable, channel: 'PORTAL' | 'EMAIL', escalation: unknown, key: string): Promise<string> {
    const answer = await this.ask(SEND, { input: { customerId: target.id, contractId: target.contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: [channel], data: invoice, escalation, idempotencyKey: key } });
    if (!answer.data?.sendCommunication) throw new Error(`sendCommunication: ${JSON.stringify(answer.errors)}`);
    return answer.data.sendCommunication.id as string;
  }

  /** Polls until `probe` holds for the communication; returns it. */
  async waitFor(id: string, what: string, probe: (c: CommunicationView) => boolean, timeoutMs = 15_000): Promise<CommunicationView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.communication(id);
      if (probe(found)) return found;
      if (Date.now() > deadline) throw new Error(`communication ${id}: expected ${what} within ${timeoutMs} ms, got ${JSON.stringify(found.deliveries)}`);
      await sleep(100);
    }
  }

  /** Customers with portal consent, a postal address (so a letter reaches them) and an active contract. */
  async reachable(count: number): Promise<Reachable[]> {
    const found: Reachable[] = [];
    for (let i = 1; i <= 120 && found.length < count; i += 1) {
      const id = `C${String(i).padStart(7, '0')}`;
      const { data } = await this.ask('query($id: ID!) { customer(id: $id) { id email postalAddress { city } preferences { consents paperless } contracts { id status } } }', { id });
      const c = data?.customer as { email: string | null; postalAddress: unknown; preferences: { consents: string[]; paperless: boolean }; contracts: { id: string; status: string }[] } | null;
      const contract = c?.contracts.find((k) => k.status === 'ACTIVE');
      if (!c || !contract || !c.postalAddress || c.preferences.paperless || !c.preferences.consents.includes('PORTAL')) continue;
      found.push({ id, contractId: contract.id, email: c.email !== null && c.preferences.consents.includes('EMAIL') });
    }
    if (found.length < count) throw new Error(`expected ${count} customers reachable on the portal and by letter, got ${found.length}`);
    return found;
  }

  /** Spool tickets of these deliveries (the letter channel writes one per delivery, once). */
  spooled(deliveryIds: readonly string[]): string[] {
    const dir = join(this.h.config.dataDir, 'print-spool');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => name.endsWith('.json') && deliveryIds.some((id) => name.startsWith(id)));
  }
}

const notes = (d: DeliveryView): string[] => d.events.map((e) => `${e.status} ${e.detail ?? ''}`);

describe.each(['sqlite', 'postgres'] as const)('escalation, digital first and paper if unread, on %s', (kind) => {
  let s: Scene;
  let ws: Client;
  let targets: Reachable[];
  /** Others, with a consented email address. */
  let mailTargets: Reachable[];

  beforeAll(async () => {
    const databaseUrl = kind === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `escalation_${process.pid}`) : undefined;
    // A sweep every 300 ms: the pass for overdue deadlines is part of what is tested.
    const h = await startHarness({ databaseUrl, customers: 120, env: { AUTH_JWT_SECRET: SECRET }, gateway: { workers: { sweepIntervalMs: 300, sweepGraceMs: 1_000 } } });
    s = new Scene(h);
    ws = wsClient(h.url, { authorization: agent.authorization });
    const all = await s.reachable(12);
    targets = all.slice(0, 5);
    mailTargets = all.slice(5).filter((t) => t.email);
    expect(mailTargets.length).toBeGreaterThanOrEqual(2);
  });
  afterAll(async () => {
    await ws?.dispose();
    await s?.h.close();
  });

  it('an unread portal document goes out as a letter once the window has passed, once, with the reason on both timelines', async () => {
    // Subscribed before the send (the communication id is not known yet): every change of this customer.
    const live = subscribe<{ id: string; channel: string; escalatesAt: string | null; escalatedAt: string | null }>(ws,
      'subscription($customerId: ID) { deliveryStatusChanged(customerId: $customerId) { id channel escalatesAt escalatedAt } }', { customerId: targets[0].id }, 'deliveryStatusChanged');
    await roundTrip(ws);
    const id = await s.send(targets[0], 'PORTAL', { unreadAfterSeconds: 2, then: ['LETTER'] }, `${kind}-unread`);
    const delivered = await s.waitFor(id, 'the portal delivery DELIVERED with a deadline', (c) => c.deliveries[0].status === 'DELIVERED');
    expect(delivered.escalation).toEqual({ unreadAfterSeconds: 2, then: ['LETTER'] });
    const [portalDelivery] = delivered.deliveries;
    expect(portalDelivery.escalatesAt).not.toBeNull();
    expect(notes(portalDelivery).some((n) => /^DELIVERED escalates to LETTER if unread by \S+ \(2 s\)$/.test(n))).toBe(true);

    const escalated = await s.waitFor(id, 'a letter spooled', (c) => c.deliveries.length === 2 && c.deliveries[1].status === 'DELIVERED', 20_000);
    const [from, letter] = escalated.deliveries;
    expect(letter.channel).toBe('LETTER');
    expect(from).toMatchObject({ status: 'DELIVERED', escalatesAt: null });
    expect(from.escalatedAt).not.toBeNull();
    // The deadline held: not before the window.
    expect(Date.parse(from.escalatedAt!)).toBeGreaterThanOrEqual(Date.parse(portalDelivery.escalatesAt!));
    expect(notes(from)).toContain('DELIVERED unread after 2 s → LETTER');
    expect(notes(letter)[0]).toBe('PENDING escalation: PORTAL unread after 2 s → LETTER');
    expect(escalated.status).toBe('DELIVERED');
    // Live: the deadline, then the unread delivery escalated and the letter on its way.
    await live.until((changes) => changes.some((c) => c.id === from.id && c.escalatesAt !== null));
    await live.until((changes) => changes.some((c) => c.id === from.id && c.escalatedAt !== null) && changes.some((c) => c.id === letter.id));
    live.dispose();

    // Sweeps and late jobs change nothing: one letter.
    await sleep(2_500);
    const later = await s.communication(id);
    expect(later.deliveries.map((d) => d.channel)).toEqual(['PORTAL', 'LETTER']);
    expect(s.spooled([letter.id])).toEqual([`${letter.id}.json`]);
  }, 40_000);

  it('a deadline beyond the hour gets no delayed job (the sweeper hands it over when due); a near one does', async () => {
    const far = await s.send(targets[1], 'PORTAL', { unreadAfterSeconds: 7 * 86_400, then: ['LETTER'] }, `${kind}-far`);
    const near = await s.send(targets[1], 'PORTAL', { unreadAfterSeconds: 600, then: ['LETTER'] }, `${kind}-near`);
    const [a, b] = await Promise.all([far, near].map((id) => s.waitFor(id, 'a deadline', (c) => c.deliveries[0].escalatesAt !== null)));
    const redis = new IORedis(process.env.TEST_REDIS_URL!);
    try {
      const jobKey = (d: DeliveryView): string => `${s.h.config.queuePrefix}:escalate:${d.id}.e${Date.parse(d.escalatesAt!)}`;
      expect(await redis.exists(jobKey(a.deliveries[0]), jobKey(b.deliveries[0]))).toBe(1);
      expect(await redis.exists(jobKey(b.deliveries[0]))).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('reading the document before the deadline cancels the escalation: no letter', async () => {
    const target = targets[1];
    const id = await s.send(target, 'PORTAL', { unreadAfterSeconds: 3, then: ['LETTER'] }, `${kind}-read`);
    const delivered = await s.waitFor(id, 'DELIVERED', (c) => c.deliveries[0].status === 'DELIVERED');
    expect(delivered.deliveries[0].escalatesAt).not.toBeNull();
    const read = await s.ask('mutation($id: ID!) { markDocumentRead(id: $id) { id } }', { id: delivered.documents[0].id }, portal(target.id));
    expect(read.errors).toEqual([]);
    const after = await s.waitFor(id, 'READ', (c) => c.deliveries[0].status === 'READ');
    expect(after.deliveries[0]).toMatchObject({ escalatesAt: null, escalatedAt: null });
    expect(notes(after.deliveries[0])).toContain('READ read before the escalation deadline: no escalation');

    await sleep(4_500);
    const later = await s.communication(id);
    expect(later.deliveries.map((d) => d.channel)).toEqual(['PORTAL']);
    expect(later.deliveries[0].escalatedAt).toBeNull();
  }, 30_000);

  it('an email open alone does not stop it (clients fetch pixels by themselves); a click does', async () => {
    const [opened, clicked] = mailTargets;
    const trackedOf = async (deliveryId: string): Promise<{ pixel: string; link: string }> => {
      const mail = await s.h.smtp.waitFor((m) => m.mailFrom.includes(deliveryId), 10_000);
      const raw = mail.raw.toString('utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const pixel = /(http:\/\/[^"\s]+\/t\/o\/[A-Za-z0-9_.-]+)/.exec(raw)?.[1];
      const link = /(http:\/\/[^"\s]+\/t\/c\/[A-Za-z0-9_.-]+)/.exec(raw)?.[1];
      if (!pixel || !link) throw new Error('expected a pixel and a tracked link in the email');
      return { pixel, link };
    };

    const openedId = await s.send(opened, 'EMAIL', { unreadAfterSeconds: 3, then: ['LETTER'] }, `${kind}-opened`);
    const clickedId = await s.send(clicked, 'EMAIL', { unreadAfterSeconds: 3, then: ['LETTER'] }, `${kind}-clicked`);
    const [a, b] = await Promise.all([openedId, clickedId].map((id) => s.waitFor(id, 'SENT', (c) => c.deliveries[0].status === 'SENT')));
    expect((await fetch((await trackedOf(a.deliveries[0].id)).pixel)).status).toBe(200);
    expect((await fetch((await trackedOf(b.deliveries[0].id)).link, { redirect: 'manual' })).status).toBe(302);

    const escalated = await s.waitFor(openedId, 'a letter after the open', (c) => c.deliveries.length === 2, 20_000);
    expect(escalated.deliveries[0].engagement.map((e) => e.kind)).toEqual(['OPENED']);
    expect(escalated.deliveries[1].channel).toBe('LETTER');
    await sleep(1_500);
    const notEscalated = await s.communication(clickedId);
    expect(notEscalated.deliveries.map((d) => d.channel)).toEqual(['EMAIL']);
    expect(notes(notEscalated.deliveries[0])).toContain('READ clicked before the escalation deadline: no escalation');
  }, 40_000);

  it('a paperless customer gets no letter: the deadline passes with the reason on the timeline', async () => {
    const target = targets[3];
    const update = await s.ask('mutation($id: ID!) { updatePreferences(customerId: $id, input: { paperless: true }) { id } }', { id: target.id }, portal(target.id));
    expect(update.errors).toEqual([]);
    const id = await s.send(target, 'PORTAL', { unreadAfterSeconds: 1, then: ['LETTER'] }, `${kind}-paperless`);
    const passed = await s.waitFor(id, 'the deadline cleared', (c) => c.deliveries[0].status === 'DELIVERED' && c.deliveries[0].escalatesAt === null && notes(c.deliveries[0]).some((n) => n.includes('no escalation')), 20_000);
    expect(passed.deliveries.map((d) => d.channel)).toEqual(['PORTAL']);
    expect(notes(passed.deliveries[0])).toContain('DELIVERED unread after 1 s; no escalation: LETTER is not used: the customer is paperless');
  }, 30_000);

  it('refuses an escalation that cannot work, writing nothing', async () => {
    const target = targets[4];
    const count = async (): Promise<number> => {
      const history = await s.ask('query($id: ID!) { customer(id: $id) { communications(first: 100) { edges { node { id } } } } }', { id: target.id });
      return (history.data?.customer.communications.edges as unknown[]).length;
    };
    const before = await count();
    const cases: [unknown, RegExp][] = [
      [{ unreadAfterSeconds: 0, then: ['LETTER'] }, /^escalation\.unreadAfterSeconds: expected 1 to 7776000 seconds, got 0$/],
      [{ unreadAfterSeconds: 91 * 86_400, then: ['LETTER'] }, /expected 1 to 7776000 seconds/],
      [{ unreadAfterSeconds: 60, then: [] }, /^escalation\.then: expected at least one channel, got none$/],
      [{ unreadAfterSeconds: 60, then: ['LETTER', 'LETTER'] }, /each channel once/],
      [{ unreadAfterSeconds: 60, then: ['PORTAL'] }, /every planned delivery already goes by PORTAL; there is nothing to escalate from/],
    ];
    for (const [escalation, message] of cases) {
      const answer = await s.ask(SEND, { input: { customerId: target.id, contractId: target.contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['PORTAL'], data: invoice, escalation, idempotencyKey: `${kind}-bad-${JSON.stringify(escalation)}` } });
      expect(answer.data?.sendCommunication ?? null).toBeNull();
      expect(answer.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'escalation' } });
      expect(answer.errors[0].message).toMatch(message);
    }
    // welcome has no SMS.
    const welcome = await s.ask(SEND, { input: { customerId: target.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['PORTAL'], escalation: { unreadAfterSeconds: 60, then: ['SMS', 'LETTER'] } } });
    expect(welcome.errors[0]?.message).toBe('escalation.then: template welcome has no SMS (it has EMAIL, LETTER, PORTAL)');
    expect(await count()).toBe(before);
  });
});

describe('a template\'s default escalation', () => {
  let s: Scene;
  beforeAll(async () => {
    s = new Scene(await startHarness({ customers: 120, env: { AUTH_JWT_SECRET: SECRET } }));
  });
  afterAll(async () => {
    await s?.h.close();
  });

  it('is what a send without one gets, in bulk too; escalation: null turns it off', async () => {
    const definition = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'invoice-available.json'), 'utf8'));
    const published = await s.ask('mutation($d: JSON!) { publishTemplate(definition: $d) { version } }', { d: { ...definition, escalation: { unreadAfterSeconds: 1_209_600, then: ['LETTER'] } } }, jwt({ sub: 'admin-1', role: 'admin' }));
    expect(published.errors).toEqual([]);
    const [target] = await s.reachable(1);
    const input = { customerId: target.id, contractId: target.contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['PORTAL'], data: invoice };
    const withDefault = await s.ask(SEND, { input: { ...input, idempotencyKey: 'default' } });
    expect(withDefault.data?.sendCommunication.escalation).toEqual({ unreadAfterSeconds: 1_209_600, then: ['LETTER'] });
    const off = await s.ask(SEND, { input: { ...input, idempotencyKey: 'off', escalation: null } });
    expect(off.errors).toEqual([]);
    expect(off.data?.sendCommunication.escalation).toBeNull();
    const own = await s.ask(SEND, { input: { ...input, idempotencyKey: 'own', escalation: { unreadAfterSeconds: 3600, then: ['LETTER'] } } });
    expect(own.data?.sendCommunication.escalation).toEqual({ unreadAfterSeconds: 3600, then: ['LETTER'] });

    const bulk = await s.ask('mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { id } }', {
      input: { templateKey: 'invoice-available', target: { customerIds: [target.id] }, channelPolicy: 'EXPLICIT', channels: ['PORTAL'], data: invoice, batchKey: 'escalation-default' },
    }, jwt({ sub: 'service-1', role: 'service' }));
    expect(bulk.errors).toEqual([]);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const listed = await s.ask('query($id: ID!) { customer(id: $id) { communications(first: 10) { edges { node { id escalation { unreadAfterSeconds } } } } } }', { id: target.id });
      const nodes = listed.data?.customer.communications.edges.map((e: { node: unknown }) => e.node) as { id: string; escalation: { unreadAfterSeconds: number } | null }[];
      if (nodes.length === 4) {
        expect(nodes.filter((n) => n.escalation?.unreadAfterSeconds === 1_209_600)).toHaveLength(2);
        break;
      }
      if (Date.now() > deadline) throw new Error(`expected the bulk run's communication, got ${JSON.stringify(nodes)}`);
      await sleep(200);
    }
  }, 30_000);
});

describe('escalation survives losing its delayed job (Redis emptied, workers gone)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-escalation-'));
  const prefix = `{esc${process.pid}x${Math.random().toString(36).slice(2, 6)}}`;
  const env = { AUTH_JWT_SECRET: SECRET, QUEUE_PREFIX: prefix };
  const databaseUrl = `sqlite:${join(dir, 'gateway.sqlite')}`;
  let second: Harness | undefined;
  afterAll(async () => {
    await second?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the sweeper finds the due deadline in the store and escalates once', async () => {
    // The first gateway sends and stops before the deadline, its sweeper off so it cannot be the one that escalates.
    const first = await startHarness({ databaseUrl, customers: 120, env, gateway: { workers: { sweepIntervalMs: 0 } } });
    const a = new Scene(first);
    const [target] = await a.reachable(1);
    const id = await a.send(target, 'PORTAL', { unreadAfterSeconds: 2, then: ['LETTER'] }, 'lost-job');
    const delivered = await a.waitFor(id, 'DELIVERED with a deadline', (c) => c.deliveries[0].escalatesAt !== null);
    await first.close();

    // Every key of this gateway's queues: the delayed escalation job is gone.
    const redis = new IORedis(process.env.TEST_REDIS_URL!);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.some((k) => k.includes(':escalate:'))).toBe(true);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }

    second = await startHarness({ databaseUrl, customers: 120, env, gateway: { workers: { sweepIntervalMs: 300, sweepGraceMs: 500 } } });
    const b = new Scene(second);
    const escalated = await b.waitFor(id, 'a letter', (c) => c.deliveries.length === 2 && c.deliveries[1].status === 'DELIVERED', 20_000);
    expect(Date.parse(escalated.deliveries[0].escalatedAt!)).toBeGreaterThanOrEqual(Date.parse(delivered.deliveries[0].escalatesAt!));
    await sleep(1_500);
    const later = await b.communication(id);
    expect(later.deliveries.map((d) => d.channel)).toEqual(['PORTAL', 'LETTER']);
    expect(b.spooled([later.deliveries[1].id])).toHaveLength(1);
  }, 60_000);
});

describe('escalation window floor', () => {
  it('is a minute in production and a second otherwise', () => {
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, DOCUMENT_SIGNING_SECRET: SECRET };
    expect(loadConfig(production).escalation).toEqual({ stopOnOpen: false, minUnreadSeconds: 60 });
    expect(loadConfig({ NODE_ENV: 'test', ESCALATION_STOP_ON_OPEN: 'true' }).escalation).toEqual({ stopOnOpen: true, minUnreadSeconds: 1 });
    const template = { key: 'invoice-available', channels: [Channel.EMAIL, Channel.PORTAL, Channel.LETTER] };
    const plans = [{ chain: [Channel.PORTAL] }];
    expect(() => checkEscalation({ unreadAfterSeconds: 59, then: [Channel.LETTER] }, template, plans, 60)).toThrow('escalation.unreadAfterSeconds: expected 60 to 7776000 seconds, got 59');
    expect(checkEscalation({ unreadAfterSeconds: 60, then: [Channel.LETTER] }, template, plans, 60)).toEqual({ unreadAfterSeconds: 60, then: [Channel.LETTER] });
    expect(checkEscalation(null, template, plans, 60)).toBeNull();
  });
});
