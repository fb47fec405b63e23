import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import type { Harness } from '../support/gateway.harness';
import { createDatabase } from '../support/postgres.cluster';
import { environmentOf, startWorkerProcess, type WorkerProcess } from '../support/worker.process';
import { startFaultGateway, type FaultGateway } from './fault.gateway';

/** Communications of the run: "portal first, letter if unread", every other one read before its deadline. */
const COUNT = 20;
const WINDOW_S = 4;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface View { id: string; deliveries: { id: string; channel: string; status: string; escalatesAt: string | null; escalatedAt: string | null }[]; documents: { id: string }[] }
const COMMUNICATION = 'query($id: ID!) { communication(id: $id) { id deliveries { id channel status escalatesAt escalatedAt } documents { id } } }';

describe('(f) escalation deadlines while the worker is SIGKILLed and Redis loses every job', () => {
  let h: Harness;
  let gateway: FaultGateway | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `faults_escalation_${process.pid}`);
    // The API here; the jobs, the escalations and the sweeper run in the worker process.
    ({ h } = gateway = await startFaultGateway({ role: 'api', databaseUrl }));
    workers.push(await startWorkerProcess(environmentOf(h.config), h.config.dataDir));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await gateway?.close();
  });

  const view = async (id: string): Promise<View> => {
    const { body } = await h.graphql<{ communication: View }>(COMMUNICATION, { id });
    if (!body.data?.communication) throw new Error(`communication ${id}: ${JSON.stringify(body.errors)}`);
    return body.data.communication;
  };
  const waitAll = async (ids: readonly string[], what: string, probe: (v: View) => boolean, timeoutMs: number): Promise<View[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(ids.map(view));
      if (views.every(probe)) return views;
      if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms; not yet: ${JSON.stringify(views.filter((v) => !probe(v)).slice(0, 3))}\n${workers.map((w) => w.output()).join('\n').slice(-3000)}`);
      await sleep(250);
    }
  };

  it('escalates each unread communication exactly once and none that was read', async () => {
    const { body } = await h.graphql<{ customers: { edges: { node: { id: string; postalAddress: unknown; preferences: { consents: string[]; paperless: boolean }; contracts: { id: string; status: string }[] | null } }[] } }>(
      '{ customers(first: 100) { edges { node { id postalAddress { city } preferences { consents paperless } contracts(status: ACTIVE) { id status } } } } }',
    );
    const targets = (body.data?.customers.edges ?? []).map((e) => e.node).filter((c) => c.postalAddress && !c.preferences.paperless && c.preferences.consents.includes('PORTAL') && c.contracts?.length);
    expect(targets.length).toBeGreaterThanOrEqual(10);

    const ids: string[] = [];
    for (let i = 0; i < COUNT; i += 1) {
      const target = targets[i % targets.length];
      const { body: sent } = await h.graphql<{ sendCommunication: { id: string } }>('mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }', {
        input: {
          customerId: target.id, contractId: target.contracts![0].id, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['PORTAL'],
          data: { invoiceNumber: `ESC-${i}`, amountDue: { amount: '10.00', currency: 'EUR' }, dueDate: '2027-02-01' },
          escalation: { unreadAfterSeconds: WINDOW_S, then: ['LETTER'] }, idempotencyKey: `escalation-fault-${i}`,
        },
      });
      if (!sent.data?.sendCommunication) throw new Error(`sendCommunication: ${JSON.stringify(sent.errors)}`);
      ids.push(sent.data.sendCommunication.id);
    }
    const delivered = await waitAll(ids, 'every portal delivery DELIVERED with its deadline', (v) => v.deliveries[0].escalatesAt !== null, 30_000);
    // Half read before the deadline.
    const read = delivered.filter((_, i) => i % 2 === 0);
    for (const v of read) {
      const { body: marked } = await h.graphql('mutation($id: ID!) { markDocumentRead(id: $id) { id } }', { id: v.documents[0].id });
      expect(marked.errors ?? []).toEqual([]);
    }

    // The worker dies with every delayed escalation job in Redis, and Redis then loses them all.
    process.kill(workers.pop()!.pid, 'SIGKILL');
    const redis = new IORedis(h.config.redisUrl!);
    try {
      const keys = await redis.keys(`${h.config.queuePrefix}:escalate:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await sleep(WINDOW_S * 1000);
    workers.push(await startWorkerProcess(environmentOf(h.config), h.config.dataDir));

    const unreadIds = delivered.filter((_, i) => i % 2 === 1).map((v) => v.id);
    // The new worker's sweeper (every 5 s, 10 s grace) finds the overdue deadlines in the store.
    const escalated = await waitAll(unreadIds, 'a letter for every unread one', (v) => v.deliveries.length === 2 && v.deliveries[1].status === 'DELIVERED', 90_000);
    await sleep(6_000); // another sweep: nothing more may happen
    const finals = await Promise.all(ids.map(view));
    const letters = finals.flatMap((v) => v.deliveries.filter((d) => d.channel === 'LETTER'));
    const spoolDir = join(h.config.dataDir, 'print-spool');
    const tickets = existsSync(spoolDir) ? readdirSync(spoolDir).filter((f) => f.endsWith('.json')) : [];
    console.log(`[faults] (f) escalation: communications=${COUNT} read=${read.length} unread=${unreadIds.length} letters=${letters.length} spoolTickets=${tickets.length}`);
    expect(escalated.every((v) => v.deliveries[0].escalatedAt !== null)).toBe(true);
    expect(letters).toHaveLength(unreadIds.length);
    expect(new Set(letters.map((d) => d.id)).size).toBe(unreadIds.length);
    expect(finals.filter((v) => read.some((r) => r.id === v.id)).every((v) => v.deliveries.length === 1 && v.deliveries[0].escalatesAt === null)).toBe(true);
    expect(tickets.sort()).toEqual(letters.map((d) => `${d.id}.json`).sort());
  }, 180_000);
});
