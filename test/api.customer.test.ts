import { startHarness, type Harness } from './support/gateway.harness';

const VIEW = `query($id: ID!) { customer(id: $id) { id displayName email phone language postalAddress { city country }
  preferences { preferredChannel consents }
  contracts { id number status monthlyAmount { amount currency } product { id name price { amount currency } } } } }`;

const LIST = `query($search: String, $first: Int, $after: String) { customers(search: $search, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id displayName contracts { id product { id name } } } } } }`;

describe('customer view over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ role: 'api', env: { CATALOG_CACHE_TTL_MS: '0' } });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.backoffice.control('crm', { latencyMs: 0, failureRate: 0, down: false });
    h.backoffice.control('catalog', { latencyMs: 0, failureRate: 0, down: false });
    h.backoffice.resetStats();
  });

  const customerWithContracts = (): { id: string; contracts: number } => {
    const counts = new Map<string, number>();
    for (const c of h.backoffice.data.contracts) counts.set(c.CUST_REF, (counts.get(c.CUST_REF) ?? 0) + 1);
    const [id, contracts] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    return { id, contracts };
  };

  it('joins CRM, contract system and catalog into one customer', async () => {
    const { id, contracts } = customerWithContracts();
    const crm = h.backoffice.data.customers.find((c) => c.customerId === id);
    const { status, body } = await h.graphql(VIEW, { id });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const customer = (body.data as { customer: Record<string, any> }).customer;
    expect(customer.id).toBe(id);
    expect(customer.email).toBe(crm?.contact.email ?? null);
    expect(customer.contracts).toHaveLength(contracts);
    for (const contract of customer.contracts) {
      expect(contract.monthlyAmount.amount).toMatch(/^\d+\.\d{2}$/);
      expect(contract.product.name).toEqual(expect.any(String));
    }
  });

  it('answers a list of customers with contracts and products in one call per system', async () => {
    const { status, body } = await h.graphql(LIST, { first: 20 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const list = (body.data as { customers: { totalCount: number; edges: { node: { contracts: unknown[] } }[] } }).customers;
    expect(list.edges).toHaveLength(20);
    expect(list.totalCount).toBe(h.backoffice.data.customers.length);
    expect(list.edges.some((e) => e.node.contracts.length > 1)).toBe(true);
    expect(h.backoffice.stats('crm').requests).toBe(1);
    expect(h.backoffice.stats('catalog').requests).toBe(1);
  });

  it('pages with cursors through every customer exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i += 1) {
      type Page = { customers: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] } };
      const response: { body: { data?: Page | null } } = await h.graphql<Page>(
        'query($first: Int, $after: String) { customers(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }',
        { first: 37, after },
      );
      const page: Page['customers'] = response.body.data!.customers;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(h.backoffice.data.customers.length);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('resumes after any edge cursor, not only the last', async () => {
    const { body } = await h.graphql<{ customers: { edges: { cursor: string; node: { id: string } }[] } }>('{ customers(first: 10) { edges { cursor node { id } } } }');
    const edges = body.data!.customers.edges;
    const next = await h.graphql<{ customers: { edges: { node: { id: string } }[] } }>('query($a: String) { customers(first: 3, after: $a) { edges { node { id } } } }', { a: edges[4].cursor });
    expect(next.body.data!.customers.edges.map((e) => e.node.id)).toEqual(edges.slice(5, 8).map((e) => e.node.id));
  });

  it('returns partial data and BACKOFFICE_UNAVAILABLE naming the catalog when it is down, within the timeout', async () => {
    h.backoffice.control('catalog', { down: true });
    const { id } = customerWithContracts();
    const started = Date.now();
    const { status, body } = await h.graphql(VIEW, { id });
    expect(Date.now() - started).toBeLessThan(h.config.connectors.timeoutMs + 1000);
    expect(status).toBe(200);
    const customer = (body.data as { customer: { email: string | null; contracts: { number: string; product: unknown }[] } }).customer;
    expect(customer.contracts.length).toBeGreaterThan(0);
    expect(customer.contracts[0].number).toEqual(expect.any(String));
    expect(customer.contracts[0].product).toBeNull();
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? []) {
      expect(error.extensions).toMatchObject({ code: 'BACKOFFICE_UNAVAILABLE', system: 'catalog' });
    }
  });

  it('keeps the rest of the response when the CRM is slow beyond the timeout', async () => {
    h.backoffice.control('crm', { latencyMs: 4000 });
    const started = Date.now();
    const { body } = await h.graphql('{ products(first: 5) { totalCount edges { node { id } } } customers(first: 2) { totalCount } }');
    expect(Date.now() - started).toBeLessThan(h.config.connectors.timeoutMs + 1500);
    expect((body.data as { products: { edges: unknown[] } }).products.edges).toHaveLength(5);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BACKOFFICE_UNAVAILABLE', system: 'crm' });
  });

  it('answers null for an unknown customer, and BAD_USER_INPUT for bad paging', async () => {
    const missing = await h.graphql(VIEW, { id: 'C-DOES-NOT-EXIST' });
    expect(missing.body.errors).toBeUndefined();
    expect((missing.body.data as { customer: unknown }).customer).toBeNull();
    for (const [first, after] of [[-1, null], [1000, null], [5, 'not-a-cursor']] as const) {
      const { body } = await h.graphql(LIST, { first, after });
      expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const product = await h.graphql('{ product(id: "P-NOPE") { id } contract(id: "K-NOPE") { id } }');
    expect(product.body.data).toEqual({ product: null, contract: null });
  });

  it('rejects a too deep or too costly query with QUERY_TOO_COMPLEX before touching a system', async () => {
    const deep = `{ customers(first: 5) { edges { node { contracts { customer { contracts { customer { contracts { customer { contracts { customer { id } } } } } } } } } } } }`;
    const { body } = await h.graphql(deep);
    expect(body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(body.errors?.[0].message).toMatch(/depth/);
    const costly = `{ customers(first: 100) { edges { node { communications(first: 100) { edges { node { deliveries { events { at } } } } } } } } }`;
    const second = await h.graphql(costly);
    expect(second.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(second.body.errors?.[0].message).toMatch(/cost/);
    expect(h.backoffice.stats('crm').requests).toBe(0);
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('serves the queue dashboard with every queue of the pipeline', async () => {
    const page = await fetch(`${h.url}/admin/queues`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${h.url}/admin/queues/api/queues`);
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['bulk', 'deliver-email', 'deliver-letter', 'deliver-portal', 'deliver-sms', 'deliver-webhook', 'deliver-whatsapp', 'escalate', 'print', 'render', 'sync-preferences']);
  });
});
