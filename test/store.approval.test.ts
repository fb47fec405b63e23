import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Channel, ChannelPolicy, CommunicationStatus, DeliveryStatus, Priority } from '../src/domain';
import { CommunicationRepository, type CreateCommunicationInput } from '../src/store/communication.repository';
import { openStore, type Store } from '../src/store/data-source';
import { createDatabase } from './support/postgres.cluster';

type Kind = 'sqlite' | 'postgres';

async function freshDatabase(kind: Kind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-approval-'));
    return { url: `sqlite:${join(dir, 'gateway.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const cluster = process.env.TEST_POSTGRES_URL;
  if (!cluster) throw new Error('TEST_POSTGRES_URL: expected the URL of the test PostgreSQL cluster (set by the jest global setup), got nothing');
  const name = `store_approval_${process.pid}`;
  return {
    url: await createDatabase(cluster, name),
    drop: async () => {
      const client = new Client({ connectionString: cluster });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

describe.each<Kind>(['sqlite', 'postgres'])('approval in the store on %s', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let repo: CommunicationRepository;
  let now = Date.parse('2026-05-04T09:00:00.000Z');
  const clock = (): Date => new Date(now);

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.url);
    repo = new CommunicationRepository(store.dataSource, { clock });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const input = (overrides: Partial<CreateCommunicationInput> = {}): CreateCommunicationInput => ({
    callerId: 'api-key:1',
    idempotencyKey: null,
    customerId: 'C0000001',
    contractId: 'K00000001',
    templateKey: 'payment-reminder',
    channelPolicy: ChannelPolicy.EXPLICIT,
    requestedChannels: [Channel.EMAIL, Channel.SMS],
    data: { invoiceNumber: 'INV-1' },
    blocks: { note: 'As agreed on the phone.' },
    awaitingApproval: true,
    priority: Priority.NORMAL,
    scheduledAt: null,
    plans: [{ chain: [Channel.EMAIL], recipient: 'a@example.com' }, { chain: [Channel.SMS], recipient: '+33600000000' }],
    ...overrides,
  });
  const create = async (overrides: Partial<CreateCommunicationInput> = {}) => {
    now += 1;
    return repo.create(input(overrides));
  };
  const unqueuedIds = async (): Promise<string[]> => (await repo.findUnqueued(0, 1000)).map((c) => c.id);

  it('records AWAITING_APPROVAL, which the outbox sweeper leaves alone, until approved', async () => {
    const { communication, deliveries } = await create();
    expect(communication.status).toBe(CommunicationStatus.AWAITING_APPROVAL);
    expect((await repo.get(communication.id))!).toMatchObject({ status: CommunicationStatus.AWAITING_APPROVAL, approvedBy: null, approvedAt: null });
    expect(deliveries.map((d) => d.status)).toEqual([DeliveryStatus.PENDING, DeliveryStatus.PENDING]);
    expect(await unqueuedIds()).not.toContain(communication.id);
    const [timeline] = await repo.eventsOf([deliveries[0].id]);
    expect(timeline.map((e) => e.detail)).toEqual(['chain EMAIL, awaiting approval']);

    now += 1000;
    const approved = await repo.approve(communication.id, { by: 'api-key:3', note: 'checked' });
    expect(approved.outcome).toBe('reviewed');
    const stored = (await repo.get(communication.id))!;
    expect(stored).toMatchObject({ status: CommunicationStatus.QUEUED, approvedBy: 'api-key:3' });
    expect(stored.approvedAt!.getTime()).toBe(now);
    expect(await unqueuedIds()).toContain(communication.id);
    const [after] = await repo.eventsOf([deliveries[0].id]);
    expect(after.map((e) => [e.status, e.detail])).toEqual([[DeliveryStatus.PENDING, 'chain EMAIL, awaiting approval'], [DeliveryStatus.PENDING, 'approved by api-key:3: checked']]);

    const twice = await repo.approve(communication.id, { by: 'api-key:4', note: null });
    expect(twice).toMatchObject({ outcome: 'conflict', reason: 'expected a communication AWAITING_APPROVAL, got QUEUED (approved by api-key:3)' });
    expect((await repo.get(communication.id))!.approvedBy).toBe('api-key:3');
  });

  it('approves into SCHEDULED while the requested time is ahead', async () => {
    const { communication } = await create({ scheduledAt: new Date(now + 3_600_000) });
    expect(communication.status).toBe(CommunicationStatus.AWAITING_APPROVAL);
    await repo.approve(communication.id, { by: 'api-key:3', note: null });
    expect((await repo.get(communication.id))!.status).toBe(CommunicationStatus.SCHEDULED);
  });

  it('rejects: REJECTED, every delivery CANCELLED with the reason, final for later steps', async () => {
    const { communication, deliveries } = await create();
    const rejected = await repo.reject(communication.id, { by: 'api-key:3', note: 'wrong amount' });
    expect(rejected.outcome).toBe('reviewed');
    expect((await repo.get(communication.id))!.status).toBe(CommunicationStatus.REJECTED);
    const all = await repo.deliveriesOf([communication.id]);
    expect(all[0].map((d) => d.status)).toEqual([DeliveryStatus.CANCELLED, DeliveryStatus.CANCELLED]);
    const [timeline] = await repo.eventsOf([deliveries[1].id]);
    expect(timeline.at(-1)).toMatchObject({ status: DeliveryStatus.CANCELLED, detail: 'rejected by api-key:3: wrong amount' });
    expect(await unqueuedIds()).not.toContain(communication.id);
    expect(await repo.approve(communication.id, { by: 'api-key:4', note: null })).toMatchObject({ outcome: 'conflict' });
    expect(await repo.resetForRetry(deliveries[0].id)).toMatchObject({ outcome: 'conflict' });
  });

  it('lets exactly one of two simultaneous decisions through', async () => {
    const { communication } = await create();
    const results = await Promise.all([
      repo.approve(communication.id, { by: 'api-key:3', note: null }),
      repo.reject(communication.id, { by: 'api-key:4', note: 'no' }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['conflict', 'reviewed']);
    const stored = (await repo.get(communication.id))!;
    expect([CommunicationStatus.QUEUED, CommunicationStatus.REJECTED]).toContain(stored.status);
  });

  it('can be withdrawn (cancelled) while it waits', async () => {
    const { communication } = await create();
    expect(await repo.cancel(communication.id)).toMatchObject({ outcome: 'cancelled', changed: true });
    expect(await repo.approve(communication.id, { by: 'api-key:3', note: null })).toMatchObject({ outcome: 'conflict' });
  });

  it('unknown id: not-found', async () => {
    expect(await repo.approve('00000000-0000-4000-8000-000000000000', { by: 'api-key:3', note: null })).toEqual({ outcome: 'not-found' });
  });
});
