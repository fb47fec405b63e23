import { startHarness, type Harness } from './support/gateway.harness';
import { signHs256 } from './support/tokens';

const SECRET = 'batches-test-secret-of-at-least-32-characters';
const KEYS = { agent: 'agent-key-of-the-batches-test', serviceA: 'service-a-key-of-the-batches-test', serviceB: 'service-b-key-of-the-batches-test' };
const SEND = 'mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { id createdAt } }';
const CANCEL = 'mutation($id: ID!) { cancelBatch(id: $id) { id status } }';
const LIST = `query($first: Int, $after: String, $status: BatchStatus) {
  batches(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id key status createdAt progress { total } } } } }`;

interface Listing {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string; key: string; status: string; createdAt: string; progress: { total: number | null } } }[];
}

describe('batches: the bulk runs for operators, newest first', () => {
  let h: Harness;
  const ids: Record<string, string[]> = { agent: [], serviceA: [], serviceB: [] };

  const as = (who: keyof typeof KEYS) => ({ 'x-api-key': KEYS[who] });
  const list = async (who: keyof typeof KEYS | Record<string, string>, variables: Record<string, unknown>) => {
    const { body } = await h.graphql<{ batches: Listing }>(LIST, variables, typeof who === 'string' ? as(who) : who);
    return body;
  };
  const send = async (who: keyof typeof KEYS, key: string): Promise<string> => {
    // Scheduled an hour ahead: the runs stay where they are while the listing is read.
    const input = { templateKey: 'welcome', target: { customerIds: ['C0000001', 'C0000002'] }, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], batchKey: key, scheduledAt: new Date(Date.now() + 3600_000).toISOString() };
    const { body } = await h.graphql<{ sendBulkCommunication: { id: string } }>(SEND, { input }, as(who));
    if (!body.data) throw new Error(`sendBulkCommunication: ${JSON.stringify(body.errors)}`);
    ids[who].push(body.data.sendBulkCommunication.id);
    // Distinct creation milliseconds are not needed (the id breaks ties) but make the expected order plain.
    await new Promise((r) => setTimeout(r, 5));
    return body.data.sendBulkCommunication.id;
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `agent:${KEYS.agent},service:${KEYS.serviceA},service:${KEYS.serviceB}` } });
    await send('serviceA', 'a-1');
    await send('serviceB', 'b-1');
    await send('serviceA', 'a-2');
    await send('agent', 'desk-1');
    await send('serviceA', 'a-3');
    const { body } = await h.graphql<{ cancelBatch: { status: string } }>(CANCEL, { id: ids.serviceA[1] }, as('serviceA'));
    expect(body.data?.cancelBatch.status).toBe('CANCELLED');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('an agent pages through every run, newest first, keyset cursors stable while runs are added', async () => {
    const all = [...ids.serviceA, ...ids.serviceB, ...ids.agent];
    const first = await list('agent', { first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data!.batches.totalCount).toBe(5);
    expect(first.data!.batches.edges.map((e) => e.node.key)).toEqual(['a-3', 'desk-1']);
    expect(first.data!.batches.pageInfo.hasNextPage).toBe(true);

    // A run created between two pages neither shifts nor repeats what follows.
    await send('agent', 'desk-2');
    const second = await list('agent', { first: 2, after: first.data!.batches.pageInfo.endCursor });
    expect(second.data!.batches.edges.map((e) => e.node.key)).toEqual(['a-2', 'b-1']);
    const third = await list('agent', { first: 2, after: second.data!.batches.edges[1].cursor });
    expect(third.data!.batches.edges.map((e) => e.node.key)).toEqual(['a-1']);
    expect(third.data!.batches.pageInfo).toEqual({ hasNextPage: false, endCursor: third.data!.batches.edges[0].cursor });
    const seen = [...first.data!.batches.edges, ...second.data!.batches.edges, ...third.data!.batches.edges].map((e) => e.node.id);
    expect(new Set(seen)).toEqual(new Set(all));

    const fresh = await list('agent', {});
    expect(fresh.data!.batches.edges[0].node.key).toBe('desk-2');
    expect(fresh.data!.batches.totalCount).toBe(6);
    const times = fresh.data!.batches.edges.map((e) => Date.parse(e.node.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(fresh.data!.batches.edges.every((e) => e.node.progress.total === 2)).toBe(true);
  });

  it('filters by status', async () => {
    const cancelled = await list('agent', { status: 'CANCELLED' });
    expect(cancelled.data!.batches.edges.map((e) => e.node.id)).toEqual([ids.serviceA[1]]);
    expect(cancelled.data!.batches.totalCount).toBe(1);
    const completed = await list('agent', { status: 'COMPLETED' });
    expect(completed.data!.batches).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    // The others are EXPANDING or RUNNING (expansion may finish between the two reads; read in that order, none is missed).
    const expanding = await list('agent', { status: 'EXPANDING', first: 100 });
    const running = await list('agent', { status: 'RUNNING', first: 100 });
    expect(expanding.data!.batches.edges.every((e) => e.node.status === 'EXPANDING')).toBe(true);
    expect(running.data!.batches.edges.every((e) => e.node.status === 'RUNNING')).toBe(true);
    const active = new Set([...expanding.data!.batches.edges, ...running.data!.batches.edges].map((e) => e.node.id));
    expect(active.has(ids.serviceA[1])).toBe(false);
    expect([...ids.serviceA, ...ids.serviceB, ...ids.agent].filter((id) => id !== ids.serviceA[1]).every((id) => active.has(id))).toBe(true);
  });

  it('a service account sees its own runs only, as batch(id) does', async () => {
    const a = await list('serviceA', { first: 10 });
    expect(a.data!.batches.edges.map((e) => e.node.key)).toEqual(['a-3', 'a-2', 'a-1']);
    expect(a.data!.batches.totalCount).toBe(3);
    const b = await list('serviceB', { first: 10 });
    expect(b.data!.batches.edges.map((e) => e.node.key)).toEqual(['b-1']);
    const { body } = await h.graphql<{ batch: unknown }>('query($id: ID!) { batch(id: $id) { id } }', { id: ids.serviceA[0] }, as('serviceB'));
    expect(body.data?.batch).toBeNull();
  });

  it('refuses portal users, bad cursors and page sizes with stable codes', async () => {
    const portal = await list({ authorization: `Bearer ${signHs256({ sub: 'portal-user-1', role: 'portal', customerId: 'C0000001' }, SECRET)}` }, {});
    expect(portal.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(portal.data?.batches ?? null).toBeNull();
    const anonymous = await list({}, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const variables of [{ after: 'not-a-cursor' }, { first: 101 }, { first: -1 }]) {
      const refused = await list('agent', variables);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const none = await list('agent', { first: 0 });
    expect(none.data!.batches).toMatchObject({ totalCount: 6, edges: [] });
  });
});
