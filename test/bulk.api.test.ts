import type { ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import type { CustomerRecord, ContractRecord } from '../src/domain';
import { backofficeOf, batchOf, BATCH_FIELDS, everyone, sendBulk, smsReachable, waitForBatch, type BatchView } from './bulk.support';
import { startHarness, type Harness } from './support/gateway.harness';
import { subscribe, wsClient } from './support/subscription.client';

const renewal = { renewalDate: '2027-01-01' };
const codeOf = (errors: { extensions?: Record<string, unknown> }[] | undefined): unknown => errors?.[0]?.extensions?.code;

describe('bulk sends over HTTP', () => {
  let h: Harness;
  let backoffice: ConnectedBackoffice;
  let people: { customer: CustomerRecord; contracts: readonly ContractRecord[] }[];

  beforeAll(async () => {
    h = await startHarness({ customers: 300, contracts: 700, twilio: { callbacks: false } });
    backoffice = await backofficeOf(h);
    people = await everyone(backoffice);
  });
  afterAll(async () => {
    await backoffice?.close();
    await h?.close();
  });

  it('sends one SMS per listed customer that can get one, rejects the others with a reason, and a re-run sends nothing twice', async () => {
    const ids = [...people.slice(0, 120).map((p) => p.customer.id), 'C9999999', people[0].customer.id];
    const reachable = people.slice(0, 120).filter((p) => smsReachable(p.customer) && p.contracts.length > 0);
    const invalid = reachable.filter((p) => p.customer.phone?.endsWith('0000')).length;
    const before = h.sms.messages.length;

    const started = await sendBulk(h, { templateKey: 'contract-renewal', target: { customerIds: ids }, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: renewal, batchKey: 'renewals-2027' });
    expect(started).toMatchObject({ key: 'renewals-2027', run: 1 });
    expect(started.progress.total).toBe(121);
    const done = await waitForBatch(h, started.id, (b) => b.status === 'COMPLETED');
    expect(done.progress).toMatchObject({ total: 121, targeted: 121, queued: reachable.length, duplicates: 0, rejected: 121 - reachable.length, waiting: 0, failed: invalid, settled: reachable.length, cancelled: 0, done: true });
    expect(done.progress.sent).toBe(reachable.length - invalid);
    expect(h.sms.messages.length - before).toBe(reachable.length - invalid);
    const reached = new Set(h.sms.messages.slice(before).map((m) => m.to));
    for (const p of reachable) if (!p.customer.phone?.endsWith('0000')) expect(reached.has(p.customer.phone as string)).toBe(true);

    const { body } = await h.graphql<{ batch: { rejections: { customerId: string; reason: string }[] } }>('query($id: ID!) { batch(id: $id) { rejections(first: 100, after: "C9999998") { customerId reason } } }', { id: started.id });
    const rejections = body.data?.batch.rejections ?? [];
    expect(rejections.find((r) => r.customerId === 'C9999999')?.reason).toBe('no such customer in the CRM');
    const { body: page } = await h.graphql<{ batch: { rejections: { customerId: string; reason: string }[] } }>('query($id: ID!) { batch(id: $id) { rejections(first: 100) { customerId reason } } }', { id: started.id });
    const firstPage = page.data?.batch.rejections ?? [];
    expect(firstPage).toHaveLength(Math.min(100, 121 - reachable.length));
    expect(firstPage.every((r) => /no contract|Cannot deliver|no such customer/.test(r.reason))).toBe(true);

    const again = await sendBulk(h, { templateKey: 'contract-renewal', target: { customerIds: ids }, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: renewal, batchKey: 'renewals-2027' });
    expect(again).toMatchObject({ key: 'renewals-2027', run: 2 });
    expect(again.id).not.toBe(started.id);
    const rerun = await waitForBatch(h, again.id, (b) => b.status === 'COMPLETED');
    expect(rerun.progress).toMatchObject({ targeted: 121, queued: 0, duplicates: reachable.length, rejected: 121 - reachable.length });
    expect(h.sms.messages.length - before).toBe(reachable.length - invalid);
  });

  it('selects the holders of a product through the connectors and writes about their contract', async () => {
    const { items } = await backoffice.catalog.listProducts({ first: 200 });
    const holders = (code: string) => people.filter((p) => p.contracts.some((c) => c.status === 'ACTIVE' && items.find((i) => i.id === c.productId)?.code === code));
    const product = items.map((i) => i.code).sort((a, b) => holders(b).length - holders(a).length)[0];
    const expected = holders(product).filter((p) => p.customer.email && p.customer.consents.includes('EMAIL' as never));
    const before = h.smtp.messages.length;

    const started = await sendBulk(h, { templateKey: 'contract-renewal', target: { productCode: product, contractStatus: 'ACTIVE' }, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: renewal });
    expect(started.progress.total).toBeNull();
    const done = await waitForBatch(h, started.id, (b) => b.status === 'COMPLETED', 60_000);
    expect(done.progress).toMatchObject({ total: holders(product).length, targeted: holders(product).length, queued: expected.length, rejected: holders(product).length - expected.length, settled: expected.length });
    await waitFor(() => h.smtp.messages.length - before === expected.length);
  });

  it('refuses a request it cannot carry out before recording anything', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ templateKey: 'welcome', target: {} }, 'target'],
      [{ templateKey: 'welcome', target: { allCustomers: true }, channelPolicy: 'EXPLICIT', channels: ['SMS'] }, 'channels'],
      [{ templateKey: 'contract-renewal', target: { productCode: 'NO-SUCH-PRODUCT' }, data: renewal }, 'target.productCode'],
      [{ templateKey: 'contract-renewal', target: { allCustomers: true } }, 'data'],
      [{ templateKey: 'nope', target: { allCustomers: true } }, 'templateKey'],
      [{ templateKey: 'welcome', target: { customerIds: [] } }, 'target.customerIds'],
    ];
    for (const [input, field] of cases) {
      const { body } = await h.graphql(`mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { id } }`, { input });
      expect({ field, code: codeOf(body.errors), errorField: body.errors?.[0]?.extensions?.field }).toEqual({ field, code: 'BAD_USER_INPUT', errorField: field });
    }
  });

  it('cancels a scheduled run: nothing is sent, and the progress subscription ends with the cancellation', async () => {
    const ids = people.slice(150, 200).map((p) => p.customer.id);
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const started = await sendBulk(h, { templateKey: 'welcome', target: { customerIds: ids }, channelPolicy: 'EXPLICIT', channels: ['PORTAL'], scheduledAt });
    const client = wsClient(h.url);
    try {
      const progress = subscribe<BatchView['progress'] & { status: string }>(client, 'subscription($id: ID!) { batchProgress(id: $id) { status queued targeted cancelled done } }', { id: started.id }, 'batchProgress');
      const expanded = await waitForBatch(h, started.id, (b) => b.status === 'RUNNING');
      expect(expanded.progress.waiting).toBe(expanded.progress.queued);
      const { body } = await h.graphql<{ cancelBatch: BatchView }>(`mutation($id: ID!) { cancelBatch(id: $id) { ${BATCH_FIELDS} } }`, { id: started.id });
      expect(body.data?.cancelBatch.status).toBe('CANCELLED');
      const seen = await progress.until((r) => r.some((s) => s.done));
      expect(seen[seen.length - 1]).toMatchObject({ status: 'CANCELLED', done: true });
      await progress.ended;
      const cancelled = await waitForBatch(h, started.id, (b) => b.progress.cancelled === b.progress.queued);
      expect(cancelled.progress).toMatchObject({ waiting: 0, sent: 0, settled: expanded.progress.queued });
      const { body: twice } = await h.graphql(`mutation($id: ID!) { cancelBatch(id: $id) { status } }`, { id: started.id });
      expect(twice.data).toEqual({ cancelBatch: { status: 'CANCELLED' } });
    } finally {
      await client.dispose();
    }
  });

  it('answers null for an unknown batch and NOT_FOUND when cancelling it', async () => {
    expect((await h.graphql(`query { batch(id: "nope") { id } }`)).body.data).toEqual({ batch: null });
    const { body } = await h.graphql(`mutation { cancelBatch(id: "nope") { id } }`);
    expect(codeOf(body.errors)).toBe('NOT_FOUND');
    await expect(batchOf(h, 'nope')).rejects.toThrow('batch nope');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
