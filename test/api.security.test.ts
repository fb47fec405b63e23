import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../src/config';
import { startHarness, type Harness } from './support/gateway.harness';
import { subscribe } from './support/subscription.client';
import { signHs256, unsignedToken } from './support/tokens';

const SECRET = 'security-test-secret-0123456789-abcdefghij';
const SERVICE_KEY = 'svc-key-0f9e8d7c6b5a4f3e2d1c';
const A = 'C0000001';
const B = 'C0000002';
const KNOWN_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'BACKOFFICE_UNAVAILABLE', 'RATE_LIMITED', 'QUERY_TOO_COMPLEX', 'CONFLICT', 'SERVICE_UNAVAILABLE', 'GRAPHQL_VALIDATION_FAILED']);
const invoice = { invoiceNumber: 'INV-SEC-0001', amountDue: { amount: '12.00', currency: 'EUR' }, dueDate: '2026-09-01' };

type Headers = Record<string, string>;
interface GqlError { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }
interface Answer { status: number; data: Record<string, any> | null | undefined; errors: GqlError[] }

const jwt = (claims: Record<string, unknown>): Headers => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const portalA = jwt({ sub: 'portal-user-a', role: 'portal', customerId: A });
const agent = jwt({ sub: 'agent-1', role: 'agent' });
const admin = jwt({ sub: 'admin-1', role: 'admin' });
const service: Headers = { 'x-api-key': SERVICE_KEY };
const codes = (a: Answer): unknown[] => a.errors.map((e) => e.extensions?.code);
/** A deliveryStats window around this run. */
const lastDay = (): { from: string; to: string } => ({ from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const COMMUNICATION = 'id customerId status deliveries { id status } documents { id downloadUrl }';
const SEND = `mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { ${COMMUNICATION} } }`;
const CHANGES = 'subscription($customerId: ID, $communicationId: ID) { deliveryStatusChanged(customerId: $customerId, communicationId: $communicationId) { id status communication { id customerId } } }';

describe('authentication and authorization over HTTP and WebSocket', () => {
  let h: Harness;
  const seen: GqlError[] = [];
  /** Every answer goes through here, so the last test can check that no error anywhere leaked internals. */
  const ask = async (headers: Headers, query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
    const { status, body } = await h.graphql(query, variables, headers);
    seen.push(...(body.errors ?? []));
    return { status, data: body.data as Answer['data'], errors: body.errors ?? [] };
  };
  const fixture = { contractA: '', contractB: '', commA: '', commB: '', docA: '', docB: '', deliveryB: '' };

  const send = async (headers: Headers, customerId: string, contractId: string): Promise<Record<string, any>> => {
    const answer = await ask(headers, SEND, { input: { customerId, contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice } });
    if (!answer.data?.sendCommunication) throw new Error(`sendCommunication: ${JSON.stringify(answer.errors)}`);
    return answer.data.sendCommunication;
  };
  const withDocuments = async (id: string): Promise<Record<string, any>> => {
    for (let i = 0; i < 60; i += 1) {
      const { data } = await ask(admin, `query($id: ID!) { communication(id: $id) { ${COMMUNICATION} } }`, { id });
      if (data?.communication?.documents.length) return data.communication;
      await sleep(250);
    }
    throw new Error(`communication ${id}: no document archived in time`);
  };
  const activeContract = async (customerId: string): Promise<string> => {
    const { data } = await ask(agent, 'query($id: ID!) { customer(id: $id) { contracts { id status } } }', { id: customerId });
    return data?.customer.contracts.find((c: { status: string }) => c.status === 'ACTIVE').id;
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `service:${SERVICE_KEY}`, RATE_LIMIT_PER_MINUTE: '200' } });
    fixture.contractA = await activeContract(A);
    fixture.contractB = await activeContract(B);
    const [a, b] = await Promise.all([send(agent, A, fixture.contractA), send(agent, B, fixture.contractB)]);
    const [doneA, doneB] = await Promise.all([withDocuments(a.id), withDocuments(b.id)]);
    Object.assign(fixture, { commA: a.id, commB: b.id, docA: doneA.documents[0].id, docB: doneB.documents[0].id, deliveryB: doneB.deliveries[0].id });
  }, 60_000);
  afterAll(() => h?.close());

  describe('without valid credentials', () => {
    it.each([
      ['no credentials', {}],
      ['a garbage token', { authorization: 'Bearer not.a.jwt' }],
      ['a token signed with another secret', { authorization: `Bearer ${signHs256({ sub: 'x', role: 'admin' }, `${SECRET}-forged`)}` }],
      ['an expired token', jwt({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) - 3600 })],
      ['alg none', { authorization: `Bearer ${unsignedToken({ sub: 'x', role: 'admin' })}` }],
      ['a portal token without customerId', jwt({ sub: 'x', role: 'portal' })],
      ['an unknown API key', { 'x-api-key': 'svc-key-guess' }],
    ])('answers %s with HTTP 401 and UNAUTHENTICATED, running nothing', async (_name, headers) => {
      const answer = await ask(headers as Headers, '{ customers(first: 1) { totalCount } }');
      expect(answer.status).toBe(401);
      expect(answer.data).toBeUndefined();
      expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('a portal principal sees only its own customer', () => {
    it('reads its customer, with contracts, history and documents', async () => {
      const answer = await ask(portalA, `query($id: ID!) { customer(id: $id) { id contracts { id customer { id } }
        communications { totalCount edges { node { id customerId } } } documents { totalCount edges { node { id } } } } }`, { id: A });
      expect(answer.errors).toEqual([]);
      const customer = answer.data?.customer;
      expect(customer.id).toBe(A);
      expect(customer.contracts.map((c: any) => c.customer.id)).toContain(A);
      expect(customer.communications.edges.map((e: any) => e.node.id)).toContain(fixture.commA);
      expect(customer.communications.edges.every((e: any) => e.node.customerId === A)).toBe(true);
      expect(customer.documents.edges.map((e: any) => e.node.id)).toContain(fixture.docA);
    });

    it.each([
      ['customer(B)', 'query($id: ID!) { customer(id: $id) { id email } }', () => ({ id: B }), 'customer'],
      ['contract of B', 'query($id: ID!) { contract(id: $id) { id customer { id communications { totalCount } } } }', () => ({ id: fixture.contractB }), 'contract'],
      ['communication of B', 'query($id: ID!) { communication(id: $id) { id deliveries { recipient events { status } } } }', () => ({ id: fixture.commB }), 'communication'],
      ['document of B', 'query($id: ID!) { document(id: $id) { id downloadUrl } }', () => ({ id: fixture.docB }), 'document'],
    ])('gets null for %s, exactly as for an id that does not exist', async (_name, query, variables, field) => {
      const other = await ask(portalA, query, variables());
      const missing = await ask(portalA, query, { id: 'does-not-exist-0000' });
      expect(other.errors).toEqual([]);
      expect(other.data).toEqual({ [field]: null });
      expect(other).toEqual(missing);
    });

    it('finds only itself in customers, whatever the search', async () => {
      for (const search of [null, B, 'a']) {
        const answer = await ask(portalA, 'query($s: String) { customers(search: $s) { totalCount edges { node { id } } } }', { s: search });
        expect(answer.data?.customers).toEqual({ totalCount: 1, edges: [{ node: { id: A } }] });
      }
    });

    it('lists only its own communications, and none of another customer', async () => {
      const own = await ask(portalA, '{ communications(first: 50) { totalCount edges { node { id customerId } } } }');
      expect(own.data?.communications.edges.map((e: any) => e.node.customerId)).toEqual(expect.arrayContaining([A]));
      expect(own.data?.communications.edges.every((e: any) => e.node.customerId === A)).toBe(true);
      const other = await ask(portalA, 'query($c: ID) { communications(customerId: $c) { totalCount edges { node { id } } } }', { c: B });
      expect(other.data?.communications).toEqual({ totalCount: 0, edges: [] });
    });

    it('reaches nothing of another customer through nested fields', async () => {
      const answer = await ask(portalA, `query($k: ID!) { contract(id: $k) { customer { id communications(first: 50) { edges { node { customerId deliveries { events { status } } } } } } } }`, { k: fixture.contractA });
      expect(answer.errors).toEqual([]);
      const nodes = answer.data?.contract.customer.communications.edges.map((e: any) => e.node);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.every((n: any) => n.customerId === A)).toBe(true);
    });

    it('may not send, cancel, retry, or read figures and templates: FORBIDDEN, nothing written', async () => {
      const before = await ask(admin, '{ communications(first: 1) { totalCount } }');
      for (const customerId of [A, B]) {
        const answer = await ask(portalA, SEND, { input: { customerId, contractId: fixture.contractA, templateKey: 'invoice-available', channels: ['EMAIL'], channelPolicy: 'EXPLICIT', data: invoice } });
        expect(codes(answer)).toEqual(['FORBIDDEN']);
        expect(answer.data).toBeNull();
      }
      expect(codes(await ask(portalA, 'mutation($id: ID!) { cancelCommunication(id: $id) { id } }', { id: fixture.commA }))).toEqual(['FORBIDDEN']);
      expect(codes(await ask(portalA, 'mutation($id: ID!) { retryDelivery(id: $id) { id } }', { id: fixture.deliveryB }))).toEqual(['FORBIDDEN']);
      expect(codes(await ask(portalA, '{ deliveryStats(from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z") { total } }'))).toEqual(['FORBIDDEN']);
      expect(codes(await ask(portalA, '{ templates { key } }'))).toEqual(['FORBIDDEN']);
      const after = await ask(admin, '{ communications(first: 1) { totalCount } }');
      expect(after.data?.communications.totalCount).toBe(before.data?.communications.totalCount);
    });
  });

  describe('agents, services and admins', () => {
    it('an agent reads any customer, their history and the figures, and sends', async () => {
      const answer = await ask(agent, `query($id: ID!, $from: DateTime!, $to: DateTime!) { customer(id: $id) { id email communications { edges { node { id } } } }
        deliveryStats(from: $from, to: $to) { total } }`, { id: B, ...lastDay() });
      expect(answer.errors).toEqual([]);
      expect(answer.data?.customer.communications.edges.map((e: any) => e.node.id)).toContain(fixture.commB);
      expect(answer.data?.deliveryStats.total).toBeGreaterThan(0);
      expect((await send(agent, B, fixture.contractB)).customerId).toBe(B);
    });

    it('a service sends and reads the status of what it sent, but no customer data', async () => {
      const sent = await send(service, A, fixture.contractA);
      const status = await ask(service, 'query($id: ID!) { communication(id: $id) { id status deliveries { status } } }', { id: sent.id });
      expect(status.errors).toEqual([]);
      expect(status.data?.communication.id).toBe(sent.id);
      expect(codes(await ask(service, 'query($id: ID!) { customer(id: $id) { id email } }', { id: A }))).toEqual(['FORBIDDEN']);
      expect(codes(await ask(service, '{ customers { totalCount } }'))).toEqual(['FORBIDDEN']);
      // The nested customer is refused; the rest of the answer stands.
      const nested = await ask(service, 'query($id: ID!) { communication(id: $id) { id customer { email } } }', { id: sent.id });
      expect(nested.data?.communication).toEqual({ id: sent.id, customer: null });
      expect(nested.errors.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['communication', 'customer']]]);
    });

    it('an admin reaches everything', async () => {
      const answer = await ask(admin, `query($a: ID!, $k: ID!, $from: DateTime!, $to: DateTime!) { customer(id: $a) { id } contract(id: $k) { id }
        templates { key } deliveryStats(from: $from, to: $to) { total } }`, { a: A, k: fixture.contractB, ...lastDay() });
      expect(answer.errors).toEqual([]);
      expect(answer.data?.contract.id).toBe(fixture.contractB);
    });
  });

  describe('subscriptions', () => {
    const clients: Client[] = [];
    const open = (params: Record<string, unknown>): { client: Client; closes: number[] } => {
      const closes: number[] = [];
      // As support/subscription.client's wsClient, but a refused connection is expected here, not logged.
      const client = createClient({
        url: `${h.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: params,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        on: { closed: (event) => closes.push((event as { code: number }).code) },
      });
      clients.push(client);
      return { client, closes };
    };
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
    });

    it.each([
      ['no credentials', {}],
      ['a forged token', { authorization: `Bearer ${unsignedToken({ sub: 'x', role: 'admin' })}` }],
    ])('refuses a connection with %s', async (_name, params) => {
      const { client, closes } = open(params);
      const watch = subscribe(client, CHANGES, { customerId: A }, 'deliveryStatusChanged');
      await watch.ended;
      expect(watch.received).toEqual([]);
      expect(closes).toEqual([4403]);
    });

    it('refuses a portal subscription to another customer with NOT_FOUND, and delivers its own customer\'s changes', async () => {
      const { client } = open({ authorization: portalA.authorization });
      const other = subscribe(client, CHANGES, { customerId: B }, 'deliveryStatusChanged');
      await other.ended;
      expect(other.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);

      const own = subscribe<{ communication: { id: string; customerId: string } }>(client, CHANGES, { customerId: A }, 'deliveryStatusChanged');
      await sleep(300);
      const [toA] = await Promise.all([send(agent, A, fixture.contractA), send(agent, B, fixture.contractB)]);
      await own.until((all) => all.some((c) => c.communication.id === toA.id), 15_000);
      expect(own.received.every((c) => c.communication.customerId === A)).toBe(true);
      own.dispose();
    });

    it('filters another customer\'s changes out of a portal subscription by communication id', async () => {
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = await ask(agent, SEND, { input: { customerId: B, contractId: fixture.contractB, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice, scheduledAt: later } });
      const id = scheduled.data?.sendCommunication.id as string;
      const sneaky = subscribe<unknown>(open({ authorization: portalA.authorization }).client, CHANGES, { communicationId: id }, 'deliveryStatusChanged');
      const control = subscribe<{ status: string }>(open({ authorization: agent.authorization }).client, CHANGES, { communicationId: id }, 'deliveryStatusChanged');
      await sleep(300);
      expect(codes(await ask(agent, 'mutation($id: ID!) { cancelCommunication(id: $id) { status } }', { id }))).toEqual([]);
      await control.until((all) => all.some((c) => c.status === 'CANCELLED'), 10_000);
      await sleep(200);
      expect(sneaky.received).toEqual([]);
      expect(sneaky.errors).toEqual([]);
      sneaky.dispose();
      control.dispose();
    });

    it('ends the connection when the token expires', async () => {
      const { client, closes } = open(jwt({ sub: 'short-lived', role: 'agent', exp: Math.floor(Date.now() / 1000) + 2 }));
      const watch = subscribe(client, CHANGES, { customerId: A }, 'deliveryStatusChanged');
      await Promise.race([watch.ended, sleep(8_000)]);
      expect(closes).toEqual([4401]);
    });
  });

  it('limits each principal\'s request rate with RATE_LIMITED, HTTP 429 and Retry-After', async () => {
    const flood = jwt({ sub: 'flood', role: 'agent' });
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let round = 0; round < 12 && !limited; round += 1) {
      const responses = await Promise.all(Array.from({ length: 25 }, () => fetch(`${h.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...flood }, body: '{"query":"{ __typename }"}' })));
      statuses.push(...responses.map((r) => r.status));
      limited = responses.find((r) => r.status === 429) ?? null;
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await limited!.json()) as { errors: GqlError[] };
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(200);
    // Another principal is not held back by the flood.
    expect((await ask(agent, '{ __typename }')).status).toBe(200);
  });

  it('never leaks stacks, internal messages or unknown codes in any error above', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const error of seen) {
      expect(KNOWN_CODES).toContain(error.extensions?.code);
      expect(error.extensions).not.toHaveProperty('stacktrace');
      expect(error.extensions).not.toHaveProperty('exception');
      expect(error.message).not.toMatch(/\n|\bat .+\(|node_modules|\.[jt]s:\d+|Unexpected error|SELECT|ECONN|Access denied/);
    }
  });
});

describe('loadConfig in production', () => {
  it('refuses to start without auth, with one line naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DOCUMENT_SIGNING_SECRET: 'x'.repeat(40) })).toThrow(/^AUTH_JWT_SECRET: expected [^\n]*AUTH_JWKS_URL[^\n]*AUTH_API_KEYS[^\n]*$/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'too-short' })).toThrow(/^AUTH_JWT_SECRET: expected at least 32 characters/);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_API_KEYS: `service:${SERVICE_KEY}`, DOCUMENT_SIGNING_SECRET: 'x'.repeat(40) }).auth.apiKeys).toEqual([`service:${SERVICE_KEY}`]);
  });
});
