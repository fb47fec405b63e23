import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Channel, ChannelPolicy, CommunicationStatus as C, DeliveryStatus as D, Priority } from '../src/domain';
import { ErrorCode } from '../src/errors';
import { CommunicationRepository, type CreateCommunicationInput } from '../src/store/communication.repository';
import { openStore, type Store } from '../src/store/data-source';
import { createDatabase } from './support/postgres.cluster';

const { EMAIL, SMS, LETTER, PORTAL } = Channel;
type Kind = 'sqlite' | 'postgres';

/** A fresh database per file: a temp SQLite file, or a database in the harness's PostgreSQL cluster. */
async function freshDatabase(kind: Kind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-store-'));
    return { url: `sqlite:${join(dir, 'gateway.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const cluster = process.env.TEST_POSTGRES_URL;
  if (!cluster) throw new Error('TEST_POSTGRES_URL: expected the URL of the test PostgreSQL cluster (set by the jest global setup), got nothing');
  const name = `store_lifecycle_${process.pid}`;
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

describe.each<Kind>(['sqlite', 'postgres'])('delivery lifecycle on %s', (kind) => {
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let repo: CommunicationRepository;
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const clock = (): Date => new Date((now += 1));

  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.url);
    repo = new CommunicationRepository(store.dataSource, { clock });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  function send(plans: CreateCommunicationInput['plans']) {
    return repo.create({
      callerId: 'worker-test',
      idempotencyKey: null,
      customerId: 'C0000001',
      contractId: null,
      templateKey: 'payment-reminder',
      channelPolicy: ChannelPolicy.PREFERRED,
      requestedChannels: null,
      data: {},
      priority: Priority.HIGH,
      scheduledAt: null,
      plans,
    });
  }
  const one = (...chain: Channel[]) => send([{ chain, recipient: 'recipient' }]);
  async function timeline(deliveryId: string) {
    const [events] = await repo.eventsOf([deliveryId]);
    return events.map((e) => [e.seq, e.status, e.detail]);
  }

  it('walks a delivery forward, records each step and derives the communication status', async () => {
    const { communication, deliveries } = await one(EMAIL);
    const id = deliveries[0].id;
    await expect(repo.markRendering(communication.id)).resolves.toMatchObject({ changed: true, communication: { status: C.RENDERING } });
    await expect(repo.markRendering(communication.id)).resolves.toMatchObject({ changed: false });

    const steps: [D, C][] = [
      [D.RENDERED, C.RENDERING],
      [D.SENDING, C.DELIVERING],
      [D.SENT, C.DELIVERED],
      [D.DELIVERED, C.DELIVERED],
    ];
    for (const [to, expected] of steps) {
      const result = await repo.transition(id, to, to === D.SENT ? { providerMessageId: `<${id}@mail>`, attemptsIncrement: 1 } : {});
      expect(result).toMatchObject({ changed: true, delivery: { status: to }, communication: { status: expected } });
      expect(await repo.getDelivery(id)).toEqual(result.delivery);
      expect(await repo.get(communication.id)).toEqual(result.communication);
    }
    const delivered = (await repo.getDelivery(id))!;
    expect(delivered).toMatchObject({ attempts: 1, providerMessageId: `<${id}@mail>`, version: 5 });
    expect(delivered.updatedAt.getTime()).toBeGreaterThan(delivered.createdAt.getTime());
    expect(await repo.findByProviderMessageId(`<${id}@mail>`)).toEqual(delivered);
    expect(await timeline(id)).toEqual([
      [1, D.PENDING, 'chain EMAIL'],
      [2, D.RENDERED, null],
      [3, D.SENDING, null],
      [4, D.SENT, null],
      [5, D.DELIVERED, null],
    ]);
    const [events] = await repo.eventsOf([id]);
    expect(events.map((e) => e.at.getTime())).toEqual([...events.map((e) => e.at.getTime())].sort());
  });

  it('refuses regressions and replays without writing anything', async () => {
    const { deliveries } = await one(SMS);
    const id = deliveries[0].id;
    await repo.transition(id, D.SENT, { providerMessageId: 'SM1' });
    const before = await repo.getDelivery(id);
    for (const to of [D.SENDING, D.PENDING, D.SENT, D.CANCELLED]) {
      const result = await repo.transition(id, to, { detail: 'late', attemptsIncrement: 1 });
      expect(result).toMatchObject({ changed: false, delivery: { status: D.SENT } });
    }
    expect(await repo.getDelivery(id)).toEqual(before);
    expect(await timeline(id)).toHaveLength(2);
    await expect(repo.transition(randomUUID(), D.SENT)).rejects.toMatchObject({ extensions: { code: ErrorCode.NOT_FOUND } });
  });

  it('records every attempt of a send, also when they arrive at once', async () => {
    const { deliveries } = await one(SMS);
    const id = deliveries[0].id;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => repo.transition(id, D.SENDING, { attemptsIncrement: 1, detail: `attempt ${i}` })));
    expect(results.every((r) => r.changed)).toBe(true);
    expect((await repo.getDelivery(id))?.attempts).toBe(5);
    expect((await timeline(id)).map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('derives PARTIALLY_DELIVERED and FAILED from the ends of the chains, with errors kept', async () => {
    const partly = await send([
      { chain: [EMAIL], recipient: 'a@example.org' },
      { chain: [PORTAL], recipient: null },
    ]);
    await repo.transition(partly.deliveries[1].id, D.DELIVERED);
    const failed = await repo.transition(partly.deliveries[0].id, D.FAILED, { error: '550 mailbox unavailable' });
    expect(failed.communication.status).toBe(C.PARTIALLY_DELIVERED);
    expect(failed.delivery.error).toBe('550 mailbox unavailable');
    expect((await timeline(partly.deliveries[0].id)).at(-1)).toEqual([2, D.FAILED, '550 mailbox unavailable']);

    const none = await one(LETTER);
    await expect(repo.transition(none.deliveries[0].id, D.FAILED, { error: 'no address' })).resolves.toMatchObject({ communication: { status: C.FAILED } });
  });

  it('falls back along the chain, once, with an event on both deliveries', async () => {
    const { communication, deliveries } = await one(SMS, EMAIL, LETTER);
    const sms = deliveries[0];
    await repo.transition(sms.id, D.SENDING);
    const failed = await repo.transition(sms.id, D.FAILED, { error: '21211 invalid number' });
    // Channels are left in the chain: the communication waits for the fallback instead of failing.
    expect(failed.communication.status).toBe(C.DELIVERING);

    // Three racing callers (e.g. a worker and the sweeper): whichever wins the lock creates it, the others get it.
    const recipient = { recipient: 'claire.martin@example.fr' };
    const [email, again, third] = await Promise.all([
      repo.addFallbackDelivery(sms.id, recipient),
      repo.addFallbackDelivery(sms.id, recipient),
      repo.addFallbackDelivery(sms.id, recipient),
    ]);
    expect(email).toMatchObject({ channel: EMAIL, fallbackChannels: [LETTER], status: D.PENDING, previousDeliveryId: sms.id, ordinal: 1 });
    expect(email!.recipient).toBe('claire.martin@example.fr');
    expect(again?.id).toBe(email!.id);
    expect(third?.id).toBe(email!.id);
    expect((await repo.deliveriesOf([communication.id]))[0].map((d) => d.channel)).toEqual([SMS, EMAIL]);
    expect((await timeline(sms.id)).at(-1)).toEqual([4, D.FAILED, 'fallback SMS→EMAIL']);
    expect(await timeline(email!.id)).toEqual([[1, D.PENDING, 'fallback SMS→EMAIL']]);

    const delivered = await repo.transition(email!.id, D.SENT);
    expect(delivered.communication.status).toBe(C.DELIVERED);
    // Not failed: nothing to fall back from.
    await expect(repo.addFallbackDelivery(email!.id)).resolves.toBeNull();
    // A late bounce puts the communication back in motion until the letter is created and sent.
    await expect(repo.transition(email!.id, D.BOUNCED)).resolves.toMatchObject({ communication: { status: C.DELIVERING } });
    const letter = (await repo.addFallbackDelivery(email!.id))!;
    expect(letter).toMatchObject({ channel: LETTER, fallbackChannels: [], recipient: null });
    await expect(repo.transition(letter.id, D.FAILED)).resolves.toMatchObject({ communication: { status: C.FAILED } });
    await expect(repo.addFallbackDelivery(letter.id)).resolves.toBeNull();
    await expect(repo.addFallbackDelivery(randomUUID())).rejects.toMatchObject({ extensions: { code: ErrorCode.NOT_FOUND } });
  });

  it('keeps the communication status right when its deliveries change at the same time', async () => {
    // A second data source stands for another process (on PostgreSQL: other connections).
    const other = await openStore(database.url);
    try {
      const otherRepo = new CommunicationRepository(other.dataSource, { clock });
      const sent = await Promise.all(Array.from({ length: 4 }, () => send([EMAIL, SMS, PORTAL].map((c) => ({ chain: [c], recipient: null })))));
      await Promise.all(
        sent.flatMap(({ deliveries }) =>
          deliveries.map((d, i) => (kind === 'postgres' && i % 2 ? otherRepo : repo).transition(d.id, i === 2 ? D.FAILED : D.DELIVERED)),
        ),
      );
      const communications = await repo.getMany(sent.map((s) => s.communication.id));
      expect(communications.map((c) => c?.status)).toEqual(sent.map(() => C.PARTIALLY_DELIVERED));
    } finally {
      await other.close();
    }
  });

  it('cancels only what has not started', async () => {
    const queued = await send([{ chain: [EMAIL], recipient: null }, { chain: [SMS, LETTER], recipient: null }]);
    const cancelled = await repo.cancel(queued.communication.id);
    expect(cancelled).toMatchObject({ outcome: 'cancelled', changed: true, communication: { status: C.CANCELLED } });
    const [deliveries] = await repo.deliveriesOf([queued.communication.id]);
    expect(deliveries.map((d) => d.status)).toEqual([D.CANCELLED, D.CANCELLED]);
    expect((await timeline(deliveries[1].id)).at(-1)).toEqual([2, D.CANCELLED, 'cancelled on request']);
    await expect(repo.cancel(queued.communication.id)).resolves.toMatchObject({ outcome: 'cancelled', changed: false });
    await expect(repo.transition(deliveries[0].id, D.SENDING)).resolves.toMatchObject({ changed: false });
    await expect(repo.resetForRetry(deliveries[0].id)).resolves.toMatchObject({ outcome: 'conflict' });

    const started = await one(SMS);
    await repo.transition(started.deliveries[0].id, D.SENDING);
    await expect(repo.cancel(started.communication.id)).resolves.toEqual({
      outcome: 'conflict',
      reason: 'expected a SCHEDULED or QUEUED communication, got DELIVERING',
      communication: expect.objectContaining({ status: C.DELIVERING }),
    });
    const rendering = await one(SMS);
    await repo.markRendering(rendering.communication.id);
    await expect(repo.cancel(rendering.communication.id)).resolves.toMatchObject({ outcome: 'conflict' });
    await expect(repo.cancel(randomUUID())).resolves.toEqual({ outcome: 'not-found' });
  });

  it('resets only failed or bounced deliveries for a retry', async () => {
    const { communication, deliveries } = await one(SMS);
    const id = deliveries[0].id;
    await repo.transition(id, D.SENT, { providerMessageId: 'SM-old' });
    await expect(repo.resetForRetry(id)).resolves.toMatchObject({ outcome: 'conflict', reason: 'expected a FAILED or BOUNCED delivery, got SENT' });
    await repo.transition(id, D.FAILED, { error: '30003 unreachable' });
    expect((await repo.get(communication.id))?.status).toBe(C.FAILED);

    const reset = await repo.resetForRetry(id);
    expect(reset).toMatchObject({
      outcome: 'reset',
      delivery: { status: D.PENDING, error: null, providerMessageId: null, queuedAt: null },
      communication: { status: C.QUEUED },
    });
    expect(await repo.findByProviderMessageId('SM-old')).toBeNull();
    expect((await timeline(id)).at(-1)).toEqual([4, D.PENDING, 'retry requested']);
    await expect(repo.transition(id, D.SENDING)).resolves.toMatchObject({ changed: true, communication: { status: C.DELIVERING } });
    await expect(repo.resetForRetry(randomUUID())).resolves.toEqual({ outcome: 'not-found' });
  });

  it('links a delivery to its rendered document', async () => {
    const { communication, deliveries } = await one(LETTER);
    const document = await repo.addDocument({
      communicationId: communication.id,
      customerId: communication.customerId,
      kind: communication.templateKey,
      mimeType: 'application/pdf',
      pages: 1,
      sizeBytes: 10,
      sha256: 'b'.repeat(64),
      storageKey: 'bb/' + 'b'.repeat(64),
    });
    const result = await repo.transition(deliveries[0].id, D.RENDERED, { documentId: document.id, detail: '1 page' });
    expect(result.delivery.documentId).toBe(document.id);
    expect((await timeline(deliveries[0].id)).at(-1)).toEqual([2, D.RENDERED, '1 page']);
  });

  it('adds timeline notes without changing the status, once per delivery and text, after the last entry', async () => {
    const first = await send([{ chain: [LETTER], recipient: null }]);
    const second = await send([{ chain: [LETTER], recipient: null }]);
    const [a] = first.deliveries;
    const [b] = second.deliveries;
    await repo.transition(a.id, D.DELIVERED, { detail: 'spooled' });
    const notes = [
      { deliveryId: a.id, detail: 'printed in batch P1, sequence 1 of 2' },
      { deliveryId: b.id, detail: 'printed in batch P1, sequence 2 of 2' },
      { deliveryId: randomUUID(), detail: 'unknown delivery: skipped' },
    ];
    await expect(repo.noteDeliveries(notes)).resolves.toBe(2);
    await expect(repo.noteDeliveries(notes)).resolves.toBe(0);
    const [eventsA, eventsB] = await repo.eventsOf([a.id, b.id]);
    expect(eventsA.map((e) => [e.seq, e.status, e.detail])).toEqual([
      [1, D.PENDING, expect.any(String)],
      [2, D.DELIVERED, 'spooled'],
      [3, D.DELIVERED, 'printed in batch P1, sequence 1 of 2'],
    ]);
    expect(eventsB.map((e) => [e.seq, e.status, e.detail])).toEqual([
      [1, D.PENDING, expect.any(String)],
      [2, D.PENDING, 'printed in batch P1, sequence 2 of 2'],
    ]);
    await expect(repo.getDelivery(a.id)).resolves.toMatchObject({ status: D.DELIVERED });
    // A status change after a note continues the numbering.
    await repo.transition(a.id, D.BOUNCED, { detail: 'returned mail' });
    const [after] = await repo.eventsOf([a.id]);
    expect(after.at(-1)).toMatchObject({ seq: 4, status: D.BOUNCED });
  });
});
