import type { Client } from 'graphql-ws';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { roundTrip, subscribe, wsClient } from './support/subscription.client';
import { signHs256 } from './support/tokens';

const SECRET = 'contact-history-secret-0123456789-abcdefgh';
const SERVICE_KEY = 'svc-contact-0f9e8d7c6b5a4f3e2d1c';
const A = 'C0000011';
const B = 'C0000012';

type Headers = Record<string, string>;
interface GqlError { message: string; extensions?: Record<string, unknown> }
interface Entry { __typename: 'Communication' | 'Interaction'; id: string; createdAt?: string; occurredAt?: string; internal?: boolean; summary?: string | null }

const jwt = (claims: Record<string, unknown>): Headers => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = jwt({ sub: 'agent-7', role: 'agent' });
const otherAgent = jwt({ sub: 'agent-8', role: 'agent' });
const portalA = jwt({ sub: 'portal-user-a', role: 'portal', customerId: A });
const service: Headers = { 'x-api-key': SERVICE_KEY };

const RECORD = `mutation($input: RecordInteractionInput!) { recordInteraction(input: $input) {
  id channel direction occurredAt reason summary agentId externalId internal customer { id } relatedCommunication { id } } }`;
const ENTRY = '__typename ... on Communication { id createdAt } ... on Interaction { id occurredAt internal summary }';
const HISTORY = `query($id: ID!, $first: Int, $after: String, $direction: Direction, $channels: [InteractionChannel!]) {
  customer(id: $id) { contactHistory(first: $first, after: $after, direction: $direction, channels: $channels) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${ENTRY} } } } } }`;
const at = (e: Entry): number => Date.parse((e.createdAt ?? e.occurredAt)!);
const kindRank = (e: Entry): number => (e.__typename === 'Communication' ? 0 : 1);

describe.each(['sqlite', 'postgres'] as const)('contact memory on %s', (kind) => {
  let h: Harness;
  const ask = async (headers: Headers, query: string, variables: Record<string, unknown> = {}): Promise<{ data: Record<string, any> | null | undefined; errors: GqlError[] }> => {
    const { body } = await h.graphql(query, variables, headers);
    return { data: body.data as Record<string, any> | null | undefined, errors: body.errors ?? [] };
  };
  const record = async (headers: Headers, input: Record<string, unknown>): Promise<Record<string, any>> => {
    const answer = await ask(headers, RECORD, { input });
    if (!answer.data?.recordInteraction) throw new Error(`recordInteraction: ${JSON.stringify(answer.errors)}`);
    return answer.data.recordInteraction;
  };
  const history = async (headers: Headers, id: string, variables: Record<string, unknown> = {}): Promise<any> => {
    const answer = await ask(headers, HISTORY, { id, ...variables });
    if (answer.errors.length) throw new Error(`contactHistory: ${JSON.stringify(answer.errors)}`);
    return answer.data?.customer?.contactHistory ?? null;
  };
  const send = async (customerId: string): Promise<string> => {
    const answer = await ask(agent, 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }', {
      input: { customerId, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'] },
    });
    if (!answer.data?.sendCommunication) throw new Error(`sendCommunication: ${JSON.stringify(answer.errors)}`);
    return answer.data.sendCommunication.id;
  };

  beforeAll(async () => {
    const databaseUrl = kind === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `contact_history_${process.pid}`) : undefined;
    h = await startHarness({ databaseUrl, env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `service:${SERVICE_KEY}` } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records an interaction once per (caller, externalId): a repeat answers the first, another caller gets its own', async () => {
    const input = { customerId: A, channel: 'PHONE', reason: 'invoice question', summary: 'Asked why the amount changed', agentId: 'agent-7', externalId: 'call-0001' };
    const first = await record(agent, input);
    const again = await record(agent, { ...input, summary: 'a replay with another text' });
    expect(again.id).toBe(first.id);
    expect(again.summary).toBe('Asked why the amount changed');
    expect(first).toMatchObject({ channel: 'PHONE', direction: 'INBOUND', externalId: 'call-0001', internal: false, customer: { id: A }, relatedCommunication: null });
    const other = await record(otherAgent, input);
    expect(other.id).not.toBe(first.id);
    const calls = (await history(agent, A, { channels: ['PHONE'], first: 50 })).edges.filter((e: { node: Entry }) => e.node.id === first.id || e.node.id === other.id);
    expect(calls).toHaveLength(2);
    // A service principal records too (idempotent per its own identity).
    const bySystem = await record(service, { ...input, externalId: 'ivr-77', channel: 'IVR' });
    expect(bySystem.channel).toBe('IVR');
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    const before = (await history(agent, A, { first: 0 })).totalCount;
    const codes = async (input: Record<string, unknown>, headers: Headers = agent): Promise<unknown[]> => (await ask(headers, RECORD, { input })).errors.map((e) => e.extensions?.code);
    expect(await codes({ customerId: 'C9999999', channel: 'PHONE', externalId: 'x-1' })).toEqual(['NOT_FOUND']);
    expect(await codes({ customerId: A, channel: 'PHONE', occurredAt: new Date(Date.now() + 3_600_000).toISOString(), externalId: 'x-2' })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ customerId: A, channel: 'PHONE', summary: 'x'.repeat(4_001), externalId: 'x-3' })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ customerId: A, channel: 'PHONE', externalId: '' })).toEqual(['BAD_USER_INPUT']);
    const foreign = await send(B);
    expect(await codes({ customerId: A, channel: 'PHONE', relatedCommunicationId: foreign, externalId: 'x-4' })).toEqual(['NOT_FOUND']);
    expect(await codes({ customerId: A, channel: 'PHONE', externalId: 'x-5' }, portalA)).toEqual(['FORBIDDEN']);
    expect((await history(agent, A, { first: 0 })).totalCount).toBe(before);
    // The same externalId is free afterwards: the refused requests kept nothing.
    expect((await record(agent, { customerId: A, channel: 'PHONE', externalId: 'x-2' })).externalId).toBe('x-2');
  });

  it('pages through communications and interactions newest first without gaps or repeats while entries arrive', async () => {
    const customer = 'C0000013';
    const base = Date.now() - 60_000;
    const sent: string[] = [];
    for (let i = 0; i < 4; i += 1) sent.push(await send(customer));
    const related = await record(agent, { customerId: customer, channel: 'EMAIL', summary: 'replied to the invoice', relatedCommunicationId: sent[0], externalId: 'mail-1' });
    expect(related.relatedCommunication).toEqual({ id: sent[0] });
    // Backdated entries interleave with the communications; three share one millisecond.
    for (let i = 0; i < 6; i += 1) await record(agent, { customerId: customer, channel: i % 2 ? 'BRANCH' : 'CHAT', occurredAt: new Date(base + (i < 3 ? 0 : i * 1000)).toISOString(), externalId: `past-${i}` });
    const snapshot = (await history(agent, customer, { first: 100 })).edges.map((e: { node: Entry }) => e.node) as Entry[];
    expect(snapshot).toHaveLength(11);
    expect(new Set(snapshot.map((e) => e.__typename))).toEqual(new Set(['Communication', 'Interaction']));

    const seen: Entry[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = await history(agent, customer, { first: 3, after });
      seen.push(...page.edges.map((e: { node: Entry }) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
      // New entries arrive between pages: newer than anything already read, they never shift the rest.
      await record(agent, { customerId: customer, channel: 'PHONE', externalId: `live-${pages}` });
      if (pages === 2) await send(customer);
    } while (after && pages < 20);
    expect(seen.map((e) => e.id)).toEqual(snapshot.map((e) => e.id));
    for (let i = 1; i < seen.length; i += 1) {
      const [p, c] = [seen[i - 1], seen[i]];
      expect(at(p) > at(c) || (at(p) === at(c) && kindRank(p) >= kindRank(c))).toBe(true);
    }
    const now = await history(agent, customer, { first: 100 });
    expect(now.totalCount).toBe(11 + pages + 1);

    const inbound = await history(agent, customer, { first: 100, direction: 'INBOUND' });
    expect(inbound.edges.every((e: { node: Entry }) => e.node.__typename === 'Interaction')).toBe(true);
    const web = await history(agent, customer, { first: 100, channels: ['LETTER'] });
    expect(web.edges.map((e: { node: Entry }) => e.node.__typename)).toEqual(Array(5).fill('Communication'));
    const bad = await ask(agent, HISTORY, { id: customer, after: 'bm90LWEtY3Vyc29y' });
    expect(bad.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('shows a portal user its own history without internal notes, and nothing of another customer', async () => {
    const note = await record(agent, { customerId: A, channel: 'PHONE', summary: 'customer sounded upset, offer a goodwill credit', internal: true, externalId: 'note-1' });
    const visible = await record(agent, { customerId: A, channel: 'BRANCH', summary: 'visited the branch', externalId: 'visit-1' });
    await send(A);
    const own = await history(portalA, A, { first: 100 });
    const ids = own.edges.map((e: { node: Entry }) => e.node.id);
    expect(ids).toContain(visible.id);
    expect(ids).not.toContain(note.id);
    expect(own.edges.some((e: { node: Entry }) => e.node.internal)).toBe(false);
    expect(own.edges.some((e: { node: Entry }) => e.node.__typename === 'Communication')).toBe(true);
    const agentView = await history(agent, A, { first: 100 });
    expect(agentView.totalCount).toBe(own.totalCount + 1);
    expect(agentView.edges.map((e: { node: Entry }) => e.node.id)).toContain(note.id);
    // Another customer: as if it did not exist.
    expect((await ask(portalA, HISTORY, { id: B })).data?.customer).toBeNull();
  });

  it('pushes contactHistoryChanged from the store to subscribers, internal notes to staff only', async () => {
    const clients: Client[] = [wsClient(h.url, agent), wsClient(h.url, portalA)];
    try {
      const SUB = `subscription($id: ID!) { contactHistoryChanged(customerId: $id) { ${ENTRY} } }`;
      const staff = subscribe<Entry>(clients[0], SUB, { id: A }, 'contactHistoryChanged');
      const customerView = subscribe<Entry>(clients[1], SUB, { id: A }, 'contactHistoryChanged');
      const sneaky = subscribe<Entry>(clients[1], SUB, { id: B }, 'contactHistoryChanged');
      await Promise.all(clients.map((c) => roundTrip(c)));
      await sneaky.ended;
      expect(sneaky.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
      const note = await record(agent, { customerId: A, channel: 'CHAT', internal: true, summary: 'internal', externalId: 'live-note' });
      const chat = await record(agent, { customerId: A, channel: 'CHAT', summary: 'asked for a copy', externalId: 'live-chat' });
      const communication = await send(A);
      await staff.until((all) => all.some((e) => e.id === chat.id) && all.some((e) => e.id === communication), 15_000);
      await customerView.until((all) => all.some((e) => e.id === chat.id) && all.some((e) => e.id === communication), 15_000);
      expect(staff.received.some((e) => e.id === note.id)).toBe(true);
      expect(customerView.received.some((e) => e.id === note.id)).toBe(false);
      expect(staff.received.find((e) => e.id === chat.id)).toMatchObject({ __typename: 'Interaction', summary: 'asked for a copy' });
      expect(staff.received.find((e) => e.id === communication)?.__typename).toBe('Communication');
      staff.dispose();
      customerView.dispose();
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});
