import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Channel, ChannelPolicy, CommunicationStatus, DeliveryStatus, Priority } from '../src/domain';
import { ErrorCode } from '../src/errors';
import { CommunicationRepository, type CreateCommunicationInput } from '../src/store/communication.repository';
import { createDataSource, openStore, type Store } from '../src/store/data-source';
import { createDatabase } from './support/postgres.cluster';

const { EMAIL, SMS, LETTER, PORTAL } = Channel;
type Kind = 'sqlite' | 'postgres';

/** A fresh database per file: a temp SQLite file, or a database in the harness's PostgreSQL cluster. */
async function freshDatabase(kind: Kind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-store-'));
    return { url: `sqlite:${join(dir, 'nested', 'gateway.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const cluster = process.env.TEST_POSTGRES_URL;
  if (!cluster) throw new Error('TEST_POSTGRES_URL: expected the URL of the test PostgreSQL cluster (set by the jest global setup), got nothing');
  const name = `store_repository_${process.pid}`;
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

/**
 * Another process on the same SQLite file: it takes the write lock, inserts a
 * communication with the given idempotency key, holds the lock for `holdMs`,
 * then commits. Resolves once the lock is held.
 */
async function holdWriteLock(file: string, idempotencyKey: string, holdMs: number) {
  const communicationId = randomUUID();
  const script = `
    const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare(\`INSERT INTO communication (id, callerId, idempotencyKey, customerId, templateKey, channelPolicy, data,
      priority, status, createdAt, updatedAt, version) VALUES (?, 'agent-1', ?, 'C0000001', 'from-other-process',
      'PREFERRED', '{}', 'NORMAL', 'QUEUED', ?, ?, 1)\`).run(${JSON.stringify(communicationId)}, ${JSON.stringify(idempotencyKey)}, Date.now(), Date.now());
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${holdMs});
    db.exec('COMMIT');
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    exited.catch(reject);
  });
  return { communicationId, exited };
}

describe('createDataSource', () => {
  it('refuses an unknown database URL without echoing it', () => {
    expect(() => createDataSource('mysql://root:secret@db/gateway')).toThrow(/^DATABASE_URL: expected sqlite:<path> or postgres:\/\/…, got a URL starting with "mysql:"$/);
  });
});

describe.each<Kind>(['sqlite', 'postgres'])('CommunicationRepository on %s', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let repo: CommunicationRepository;
  let now = Date.parse('2026-03-02T09:00:00.000Z');
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

  function input(overrides: Partial<CreateCommunicationInput> = {}): CreateCommunicationInput {
    return {
      callerId: 'agent-1',
      idempotencyKey: null,
      customerId: 'C0000001',
      contractId: 'K0000001',
      templateKey: 'invoice',
      channelPolicy: ChannelPolicy.PREFERRED,
      requestedChannels: null,
      data: { invoiceNumber: 'F-2026-001', amount: '42.00' },
      priority: Priority.NORMAL,
      scheduledAt: null,
      plans: [{ chain: [SMS, EMAIL, LETTER], recipient: '+33612345678' }],
      ...overrides,
    };
  }
  /** Each communication one millisecond after the previous one. */
  async function send(overrides: Partial<CreateCommunicationInput> = {}) {
    now += 1;
    return repo.create(input(overrides));
  }

  describe('schema', () => {
    it('is created by the migration, matches the entities, and migrating again is a no-op', async () => {
      const pending = await store.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      const again = await openStore(database.url);
      try {
        await expect(again.dataSource.showMigrations()).resolves.toBe(false);
        const rows = await again.dataSource.query('SELECT name FROM migrations');
        expect(rows).toEqual([{ name: 'InitialSchema1767225600000' }, { name: 'BulkAndPrint1767312000000' }, { name: 'ContactMemory1767398400000' }, { name: 'Preferences1767484800000' }, { name: 'Composition1767571200000' }, { name: 'Approval1767657600000' }, { name: 'TemplateVersions1767744000000' }, { name: 'DocumentSnapshot1767830400000' }, { name: 'Engagement1767916800000' }, { name: 'Escalation1768003200000' }, { name: 'TrackingPreference1768089600000' }, { name: 'AttachmentProtection1768176000000' }, { name: 'InteractionTime1768262400000' }]);
      } finally {
        await again.close();
      }
      await expect(store.check()).resolves.toBeUndefined();
    });

    if (kind === 'sqlite') {
      it('runs SQLite with WAL, a busy timeout and foreign keys, in a folder it creates', async () => {
        expect(existsSync(database.url.slice('sqlite:'.length))).toBe(true);
        const pragma = async (name: string) => Object.values((await store.dataSource.query(`PRAGMA ${name}`))[0])[0];
        expect(await pragma('journal_mode')).toBe('wal');
        expect(await pragma('foreign_keys')).toBe(1);
        expect(await pragma('busy_timeout')).toBe(5000);
      });
    }
  });

  describe('create', () => {
    it('writes the communication, one PENDING delivery per plan and a first event each', async () => {
      const { communication, deliveries, created } = await send({
        channelPolicy: ChannelPolicy.ALL_CONSENTED,
        plans: [
          { chain: [EMAIL], recipient: 'claire.martin@example.fr' },
          { chain: [SMS, LETTER], recipient: '+33612345678' },
        ],
      });
      expect(created).toBe(true);
      expect(communication).toMatchObject({ status: CommunicationStatus.QUEUED, queuedAt: null, version: 1, data: { amount: '42.00' } });
      expect(communication.createdAt.getTime()).toBe(now);
      const stored = await repo.get(communication.id);
      expect(stored).toEqual(communication);
      const [fromDb] = await repo.deliveriesOf([communication.id]);
      expect(fromDb).toEqual(deliveries);
      expect(fromDb.map((d) => [d.channel, d.fallbackChannels, d.status, d.recipient, d.ordinal])).toEqual([
        [EMAIL, [], DeliveryStatus.PENDING, 'claire.martin@example.fr', 0],
        [SMS, [LETTER], DeliveryStatus.PENDING, '+33612345678', 1],
      ]);
      const events = await repo.eventsOf(deliveries.map((d) => d.id));
      expect(events.map((list) => list.map((e) => [e.seq, e.status, e.detail]))).toEqual([
        [[1, DeliveryStatus.PENDING, 'chain EMAIL']],
        [[1, DeliveryStatus.PENDING, 'chain SMS→LETTER']],
      ]);
    });

    it('is SCHEDULED when scheduledAt is in the future, QUEUED when it has passed', async () => {
      const at = new Date(now + 60_000);
      const later = await send({ scheduledAt: at });
      expect(later.communication.status).toBe(CommunicationStatus.SCHEDULED);
      expect((await repo.get(later.communication.id))?.scheduledAt).toEqual(at);
      const past = await send({ scheduledAt: new Date(now - 1) });
      expect(past.communication.status).toBe(CommunicationStatus.QUEUED);
    });

    it('refuses a request without any delivery plan', async () => {
      await expect(send({ plans: [] })).rejects.toThrow(/plans: expected at least one plan/);
      await expect(send({ plans: [{ chain: [], recipient: null }] })).rejects.toThrow(/non-empty chain/);
    });

    it('returns the existing communication for a repeated idempotency key, per caller', async () => {
      const key = randomUUID();
      const first = await send({ idempotencyKey: key });
      const second = await send({ idempotencyKey: key, templateKey: 'other' });
      expect(second.created).toBe(false);
      expect(second.communication.id).toBe(first.communication.id);
      expect(second.communication.templateKey).toBe('invoice');
      expect(second.deliveries.map((d) => d.id)).toEqual(first.deliveries.map((d) => d.id));
      const otherCaller = await send({ idempotencyKey: key, callerId: 'agent-2' });
      expect(otherCaller.created).toBe(true);
      const withoutKey = [await send(), await send()];
      expect(withoutKey[0].communication.id).not.toBe(withoutKey[1].communication.id);
    });

    it('creates one communication when calls with the same key race', async () => {
      const key = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => repo.create(input({ idempotencyKey: key, customerId: `C-race-${key}` }))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.communication.id)).size).toBe(1);
      expect(results.every((r) => r.deliveries.length === 1)).toBe(true);
      expect((await repo.list({ customerId: `C-race-${key}`, first: 10 })).totalCount).toBe(1);
    });

    it('createMany writes what create writes, in input order, and finds the keys already used', async () => {
      const tag = randomUUID();
      now += 1;
      const earlier = await repo.create(input({ idempotencyKey: `${tag}:b`, customerId: `C-many-${tag}` }));
      now += 1;
      const inputs = [
        input({ idempotencyKey: `${tag}:a`, customerId: `C-many-${tag}`, plans: [{ chain: [EMAIL], recipient: 'claire.martin@example.fr' }, { chain: [SMS, LETTER], recipient: '+33612345678' }] }),
        input({ idempotencyKey: `${tag}:b`, customerId: `C-many-${tag}`, templateKey: 'other' }),
        input({ idempotencyKey: `${tag}:c`, customerId: `C-many-${tag}`, scheduledAt: new Date(now + 60_000) }),
        input({ idempotencyKey: `${tag}:a`, customerId: `C-many-${tag}` }),
        ...Array.from({ length: 150 }, (_, i) => input({ idempotencyKey: `${tag}:n${i}`, customerId: `C-many-${tag}` })),
      ];
      const results = await repo.createMany(inputs);
      expect(results.map((r) => r.created).slice(0, 5)).toEqual([true, false, true, false, true]);
      expect(results[1].communication.id).toBe(earlier.communication.id);
      expect(results[1].communication.templateKey).toBe('invoice');
      expect(results[3].communication.id).toBe(results[0].communication.id);
      expect(results[2].communication.status).toBe(CommunicationStatus.SCHEDULED);
      // As `create` would have written them: the rows read back equal what was returned, each delivery with its first event.
      for (const result of [results[0], results[2], results[153]]) {
        expect(await repo.get(result.communication.id)).toEqual(result.communication);
        const [fromDb] = await repo.deliveriesOf([result.communication.id]);
        expect(fromDb).toEqual(result.deliveries);
      }
      const events = await repo.eventsOf(results[0].deliveries.map((d) => d.id));
      expect(events.map((list) => list.map((e) => [e.seq, e.status, e.detail]))).toEqual([
        [[1, DeliveryStatus.PENDING, 'chain EMAIL']],
        [[1, DeliveryStatus.PENDING, 'chain SMS→LETTER']],
      ]);
      expect((await repo.eventsOf([results[2].deliveries[0].id]))[0].map((e) => e.detail)).toEqual([`chain SMS→EMAIL→LETTER, scheduled for ${new Date(now + 60_000).toISOString()}`]);
      expect((await repo.list({ customerId: `C-many-${tag}`, first: 1 })).totalCount).toBe(153);
      const again = await repo.createMany(inputs);
      expect(again.every((r) => !r.created)).toBe(true);
      expect(again.map((r) => r.communication.id)).toEqual(results.map((r) => r.communication.id));
      await expect(repo.createMany([input({ plans: [] })])).rejects.toThrow(/plans: expected at least one plan/);
    });

    it('createMany records one communication per key when another writer takes some of them meanwhile', async () => {
      const tag = randomUUID();
      const inputs = Array.from({ length: 40 }, (_, i) => input({ idempotencyKey: `${tag}:${i}`, customerId: `C-many-race-${tag}` }));
      const [many, ...singles] = await Promise.all([repo.createMany(inputs), ...inputs.filter((_, i) => i % 3 === 0).map((one) => repo.create(one))]);
      const ids = new Map(many.map((r) => [r.communication.idempotencyKey, r.communication.id]));
      for (const single of singles) expect(single.communication.id).toBe(ids.get(single.communication.idempotencyKey));
      expect((await repo.list({ customerId: `C-many-race-${tag}`, first: 1 })).totalCount).toBe(40);
    });

    if (kind === 'postgres') {
      it('creates one communication when two processes race with the same key', async () => {
        // A second data source (its own pool) stands for another gateway process.
        const other = await openStore(database.url);
        try {
          const otherRepo = new CommunicationRepository(other.dataSource, { clock });
          const key = randomUUID();
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) => (i % 2 ? otherRepo : repo).create(input({ idempotencyKey: key, customerId: `C-race-${key}` }))),
          );
          expect(results.filter((r) => r.created)).toHaveLength(1);
          expect(new Set(results.map((r) => r.communication.id)).size).toBe(1);
        } finally {
          await other.close();
        }
      });
    }

    if (kind === 'sqlite') {
      it('waits for another process holding the write lock, then returns the communication it committed', async () => {
        const key = randomUUID();
        const child = await holdWriteLock(database.url.slice('sqlite:'.length), key, 300);
        const started = Date.now();
        const result = await repo.create(input({ idempotencyKey: key }));
        expect(Date.now() - started).toBeGreaterThanOrEqual(150);
        expect(result).toMatchObject({ created: false, communication: { id: child.communicationId, templateKey: 'from-other-process' } });
        await child.exited;
      });
    }
  });

  describe('reads', () => {
    it('answers batches in key order, with null or an empty list for unknown keys', async () => {
      const a = await send();
      const b = await send();
      const missing = randomUUID();
      const many = await repo.getMany([b.communication.id, missing, a.communication.id]);
      expect(many.map((c) => c?.id ?? null)).toEqual([b.communication.id, null, a.communication.id]);
      const deliveries = await repo.deliveriesOf([missing, a.communication.id]);
      expect(deliveries.map((list) => list.map((d) => d.id))).toEqual([[], [a.deliveries[0].id]]);
      expect((await repo.eventsOf([missing]))[0]).toEqual([]);
      expect(await repo.getDelivery(a.deliveries[0].id)).toEqual(a.deliveries[0]);
      expect(await repo.getDelivery(missing)).toBeNull();
      expect(await repo.get(missing)).toBeNull();
      // What a deliver job starts with, in one read.
      expect(await repo.getDeliveryAndCommunication(a.deliveries[0].id)).toEqual({ delivery: a.deliveries[0], communication: a.communication });
      expect(await repo.getDeliveryAndCommunication(missing)).toBeNull();
    });

    it('lists newest first with opaque cursors, stable when rows share a millisecond', async () => {
      const customerId = `C-list-${kind}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await send({ customerId })).communication.id);
      // Three more in the same millisecond: the id breaks the tie.
      now += 1;
      for (let i = 0; i < 3; i++) ids.push((await repo.create(input({ customerId }))).communication.id);
      await send({ customerId: 'C-someone-else' });

      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await repo.list({ customerId, first: 2, after });
        expect(page.totalCount).toBe(6);
        seen.push(...page.items.map((c) => c.id));
        after = page.nextCursor;
        pages += 1;
      } while (after);
      expect(pages).toBe(3);
      const tied = ids.slice(3).sort().reverse();
      expect(seen).toEqual([...tied, ids[2], ids[1], ids[0]]);
      expect(after).toBeNull();
    });

    it('filters by status and refuses a cursor it did not issue', async () => {
      const customerId = `C-status-${kind}`;
      const scheduled = await send({ customerId, scheduledAt: new Date(now + 3_600_000) });
      await send({ customerId });
      const page = await repo.list({ customerId, status: CommunicationStatus.SCHEDULED, first: 10 });
      expect(page.items.map((c) => c.id)).toEqual([scheduled.communication.id]);
      await expect(repo.list({ first: 10, after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      });
      await expect(repo.list({ first: -1 })).rejects.toThrow(/first: expected an integer from 0 to 1000, got -1/);
    });

    it('counts deliveries per channel and status for a period', async () => {
      now = Date.parse('2026-04-01T00:00:00.000Z');
      const from = new Date(now);
      const a = await send({ plans: [{ chain: [EMAIL], recipient: 'a@example.org' }, { chain: [SMS], recipient: '+33600000001' }] });
      await send({ plans: [{ chain: [EMAIL], recipient: 'b@example.org' }] });
      await repo.transition(a.deliveries[0].id, DeliveryStatus.SENT);
      const to = new Date(now + 1);
      now += 10;
      await send({ plans: [{ chain: [PORTAL], recipient: null }] });

      const stats = await repo.stats(from, to);
      expect(stats).toEqual({
        total: 3,
        byChannel: [
          { channel: EMAIL, status: DeliveryStatus.PENDING, count: 1 },
          { channel: EMAIL, status: DeliveryStatus.SENT, count: 1 },
          { channel: SMS, status: DeliveryStatus.PENDING, count: 1 },
        ],
      });
      expect(await repo.stats(new Date(0), from)).toMatchObject({ total: expect.any(Number) });
      expect((await repo.stats(to, new Date(now))).byChannel).toEqual([]);
    });
  });

  describe('outbox', () => {
    it('finds communications never handed to the queue until they are marked', async () => {
      now = Date.parse('2026-05-01T00:00:00.000Z');
      const old = await send();
      const cancelled = await send();
      await repo.cancel(cancelled.communication.id);
      now += 5_000;
      const fresh = await send();
      const found = (await repo.findUnqueued(1_000, 1_000)).map((c) => c.id);
      expect(found).toContain(old.communication.id);
      expect(found).not.toContain(fresh.communication.id);
      expect(found).not.toContain(cancelled.communication.id);

      await expect(repo.markQueued(old.communication.id)).resolves.toBe(true);
      await expect(repo.markQueued(old.communication.id)).resolves.toBe(false);
      expect((await repo.findUnqueued(1_000, 1_000)).map((c) => c.id)).not.toContain(old.communication.id);
      const [delivery] = (await repo.deliveriesOf([old.communication.id]))[0];
      expect(delivery.queuedAt?.getTime()).toBe(now);
      // The mark is bookkeeping, not a step: the version a job was handed over at stays the delivery's.
      expect(delivery.version).toBe(old.deliveries[0].version);
    });

    it('finds fallback and retried deliveries never handed to the queue', async () => {
      const { communication, deliveries } = await send();
      await repo.markQueued(communication.id);
      await repo.transition(deliveries[0].id, DeliveryStatus.FAILED, { error: 'invalid number' });
      now += 10_000;
      expect((await repo.findStalledFallbacks(1_000, 100)).map((d) => d.id)).toContain(deliveries[0].id);
      const fallback = (await repo.addFallbackDelivery(deliveries[0].id, { recipient: 'claire.martin@example.fr' }))!;
      expect((await repo.findStalledFallbacks(0, 100)).map((d) => d.id)).not.toContain(deliveries[0].id);
      expect((await repo.findUnqueuedDeliveries(1_000, 100)).map((d) => d.id)).not.toContain(fallback.id);
      now += 5_000;
      expect((await repo.findUnqueuedDeliveries(1_000, 100)).map((d) => d.id)).toContain(fallback.id);
      await expect(repo.markDeliveryQueued(fallback.id)).resolves.toBe(true);
      expect((await repo.findUnqueuedDeliveries(1_000, 100)).map((d) => d.id)).not.toContain(fallback.id);
    });
  });

  describe('documents', () => {
    it('indexes documents per communication and pages them per customer', async () => {
      const customerId = `C-docs-${kind}`;
      const a = await send({ customerId });
      const b = await send({ customerId });
      const meta = { customerId, kind: 'invoice', mimeType: 'application/pdf', pages: 2, sizeBytes: 1234, storageKey: 'ab/abc' };
      now += 1;
      const first = await repo.addDocument({ ...meta, communicationId: a.communication.id, sha256: 'a'.repeat(64) });
      now += 1;
      const again = await repo.addDocument({ ...meta, communicationId: a.communication.id, sha256: 'a'.repeat(64) });
      expect(again).toEqual(first);
      const second = await repo.addDocument({ ...meta, communicationId: b.communication.id, sha256: 'a'.repeat(64) });
      expect(second.id).not.toBe(first.id);

      expect(await repo.getDocument(first.id)).toEqual(first);
      const byCommunication = await repo.documentsOf([b.communication.id, a.communication.id]);
      expect(byCommunication.map((list) => list.map((d) => d.id))).toEqual([[second.id], [first.id]]);
      const page1 = await repo.documentsOfCustomer({ customerId, first: 1 });
      expect(page1).toMatchObject({ totalCount: 2, items: [{ id: second.id }] });
      const page2 = await repo.documentsOfCustomer({ customerId, first: 1, after: page1.nextCursor });
      expect(page2).toMatchObject({ items: [{ id: first.id }], nextCursor: null });
    });
  });
});
