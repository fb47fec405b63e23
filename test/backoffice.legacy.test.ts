import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLegacyBackoffice, type RunningLegacyBackoffice } from '../backoffice/legacy/legacy.server';
import { connectBackoffice, type ConnectedBackoffice } from '../src/connectors/backoffice.connect';
import { readBackofficeFile } from '../src/connectors/spec/spec.loader';
import { Channel, ContractStatus } from '../src/domain';
import { renderPdf } from '../src/render/pdf.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { context } from './render.fixtures';
import { CommunicationClient, pdfText } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';

const LEGACY_FILE = join(__dirname, '..', 'config', 'backoffice.legacy.yaml');

const VIEW = `query($id: ID!) { customer(id: $id) { id displayName email phone language segment attributes postalAddress { lines postalCode city country }
  preferences { preferredChannel consents }
  contracts { id number status startDate endDate monthlyAmount { amount currency } attributes product { id name price { amount currency } } } } }`;

describe('the legacy back office, connected by config/backoffice.legacy.yaml', () => {
  let legacy: RunningLegacyBackoffice;
  let h: Harness;
  beforeAll(async () => {
    const url = await createDatabase(process.env.TEST_POSTGRES_URL!, 'legacy_backoffice_test');
    legacy = await startLegacyBackoffice({ customers: 150, contracts: 400, products: 30, seed: 42, contractsDatabaseUrl: url });
    h = await startHarness({ role: 'all', customers: 20, contracts: 40, products: 10, env: { BACKOFFICE_CONFIG: LEGACY_FILE, CATALOG_CACHE_TTL_MS: '0', ...legacy.env } });
  });
  afterAll(async () => {
    await h?.close();
    await legacy?.close();
  });
  beforeEach(() => {
    legacy.control('crm', { down: false, latencyMs: 0 });
    legacy.control('catalog', { down: false, latencyMs: 0 });
    legacy.resetStats();
  });

  const holder = (): string => {
    const counts = new Map<string, number>();
    for (const p of legacy.data.policies) counts.set(p.party_no, (counts.get(p.party_no) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  };

  it('joins SOAP CRM, PostgreSQL policies and the offset catalog into one customer, one CRM call and one call per distinct product', async () => {
    const id = holder();
    const party = legacy.data.parties.find((p) => p.PartyNo === id)!;
    const wire = legacy.source.customers.find((c) => c.customerId === id)!;
    const policies = legacy.data.policies.filter((p) => p.party_no === id);
    const { body } = await h.graphql<{ customer: Record<string, any> }>(VIEW, { id });
    expect(body.errors).toBeUndefined();
    const customer = body.data!.customer;
    expect(customer).toMatchObject({
      id,
      email: wire.contact.email,
      language: wire.preferredLanguage,
      segment: wire.segment,
      attributes: { clientSince: party.ClientSince, yearsAsClient: 2026 - Number(party.ClientSince) },
    });
    expect(customer.preferences.consents).toEqual([Channel.EMAIL, Channel.SMS, Channel.PORTAL].filter((c) => wire.communication.consents[c.toLowerCase() as 'email']));
    expect(customer.preferences.preferredChannel).toBe(wire.communication.preferredChannel?.toUpperCase() ?? null);
    expect(customer.contracts).toHaveLength(policies.length);
    const byRef = new Map(policies.map((p) => [p.policy_ref, p]));
    for (const contract of customer.contracts) {
      const row = byRef.get(contract.id)!;
      expect(contract.monthlyAmount).toEqual({ amount: row.premium, currency: row.premium_ccy });
      expect(contract.startDate).toBe(`${row.valid_from}T00:00:00.000Z`);
      expect(contract.attributes).toEqual({ paymentMethod: row.payment_method });
      expect(contract.product.name).toBe(legacy.data.articles.find((a) => a.articleNo === row.article_no)!.title);
    }
    expect(customer.contracts.map((c: { startDate: string }) => c.startDate)).toEqual(customer.contracts.map((c: { startDate: string }) => c.startDate).sort().reverse());
    expect(legacy.stats('crm').byRoute).toEqual({ 'SOAP GetParties': 1 });
    const distinct = new Set(policies.map((p) => p.article_no)).size;
    expect(legacy.stats('catalog').byRoute['GET /api/articles/{articleNo}']).toBe(distinct);
  });

  it('pages a search through the SOAP CRM with gateway cursors, every customer once, in one call per page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i += 1) {
      type Page = { customers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; contracts: { product: { name: string } | null }[] } }[] } };
      const response: { body: { data?: Page | null; errors?: unknown } } = await h.graphql<Page>(
        'query($after: String) { customers(first: 37, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id contracts { product { name } } } } } }', { after });
      expect(response.body.errors).toBeUndefined();
      const page: Page['customers'] = response.body.data!.customers;
      expect(page.totalCount).toBe(150);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(legacy.data.parties.map((p) => p.PartyNo));
    expect(legacy.stats('crm').byRoute).toEqual({ 'SOAP FindParties': 5 });
    const claire = await h.graphql<{ customers: { edges: { node: { id: string } }[] } }>('{ customers(first: 5, search: "claire.martin@") { edges { node { id } } } }');
    expect(claire.body.data!.customers.edges.map((e) => e.node.id)).toEqual(['C0000001']);
    const foreign = await h.graphql('query($a: String) { customers(first: 5, search: "martin", after: $a) { totalCount } }', { a: after });
    expect(foreign.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('goes from a contract to its product, lists the catalog by offset, and takes one OAuth2 token for all of it', async () => {
    const row = legacy.data.policies[5];
    const { body } = await h.graphql<{ contract: { number: string; status: string; product: { id: string; name: string } }; products: { totalCount: number; edges: { node: { id: string } }[] } }>(
      `query($id: ID!) { contract(id: $id) { number status product { id name } } products(first: 7) { totalCount edges { node { id } } } }`, { id: row.policy_ref });
    expect(body.errors).toBeUndefined();
    expect(body.data!.contract).toMatchObject({ number: row.policy_no, status: { ACT: 'ACTIVE', SUS: 'SUSPENDED', END: 'TERMINATED', NEW: 'PENDING' }[row.state], product: { id: row.article_no } });
    expect(body.data!.products.totalCount).toBe(30);
    expect(body.data!.products.edges.map((e) => e.node.id)).toEqual(legacy.data.articles.slice(0, 7).map((a) => a.articleNo));
    // The token was fetched by an earlier test and is still good: no token call at all here.
    expect(legacy.stats('catalog').byRoute['POST /oauth/token']).toBeUndefined();
  });

  it('renews a revoked OAuth2 token on 401 and repeats the call once', async () => {
    legacy.revokeCatalogTokens();
    const { body } = await h.graphql<{ product: { name: string } }>('{ product(id: "P0001") { name } }');
    expect(body.data!.product.name).toBe(legacy.data.articles[0].title);
    expect(legacy.stats('catalog').byRoute).toEqual({ 'GET /api/articles/{articleNo}': 2, 'POST /oauth/token': 1 });
  });

  it('reports a down SOAP CRM as BACKOFFICE_UNAVAILABLE naming crm, within the timeout, leaving the catalog answering', async () => {
    legacy.control('crm', { down: true });
    const started = Date.now();
    const { body } = await h.graphql<{ products: { edges: unknown[] } }>('{ products(first: 3) { edges { node { id } } } customer(id: "C0000001") { id } }');
    expect(Date.now() - started).toBeLessThan(h.config.connectors.timeoutMs + 1500);
    expect(body.data!.products.edges).toHaveLength(3);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BACKOFFICE_UNAVAILABLE', system: 'crm' });
    expect(body.errors?.[0].message).not.toMatch(/fault injection|down/);
  });

  it('sends a letter whose data is bound late by the worker from the SOAP CRM, the policy register and the OAuth2 catalog', async () => {
    const party = legacy.data.parties.find((p) => p.Addr && p.Forename && legacy.data.policies.some((r) => r.party_no === p.PartyNo && r.state === 'ACT'))!;
    const policy = legacy.data.policies.find((r) => r.party_no === party.PartyNo && r.state === 'ACT')!;
    const api = new CommunicationClient(h);
    const sent = await api.sendOk({
      customerId: party.PartyNo, templateKey: 'invoice-available', contractId: policy.policy_ref, channelPolicy: 'EXPLICIT', channels: ['LETTER'],
      data: { invoiceNumber: 'INV-LEGACY-0001', amountDue: { amount: '84.20', currency: 'EUR' }, dueDate: '2026-08-15' },
    });
    const done = await api.settled(sent.id);
    expect(done.status).toBe('DELIVERED');
    const response = await fetch(done.documents[0].downloadUrl);
    const text = pdfText(Buffer.from(await response.arrayBuffer())).replace(/\s+/g, ' ');
    // Name and address from the SOAP CRM, the policy number from PostgreSQL, the product from the catalog: none of it was in the request.
    expect(text).toContain(`${party.Forename} ${party.Surname}`);
    expect(text).toContain(party.Addr!.City);
    expect(text).toContain(policy.policy_no);
    expect(text).toContain(legacy.data.articles.find((a) => a.articleNo === policy.article_no)!.title);
    expect(text).toContain('INV-LEGACY-0001');
    // The worker asked the CRM itself, in one call.
    expect(legacy.stats('crm').byRoute['SOAP GetParties']).toBeGreaterThanOrEqual(1);
  });

  describe('a letter with a mapped attribute', () => {
    let backoffice: ConnectedBackoffice;
    let dir: string;
    beforeAll(async () => {
      const file = readBackofficeFile(LEGACY_FILE, legacy.env);
      if (!file.ok) throw new Error(file.problems.join('\n'));
      backoffice = await connectBackoffice(file.file, { timeoutMs: 3_000, retries: 1, cacheTtlMs: 0 });
      dir = mkdtempSync(join(tmpdir(), 'legacy-letter-'));
    });
    afterAll(async () => {
      await backoffice?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('renders customer.attributes.clientSince from the SOAP CRM into the PDF', async () => {
      const [customer] = await backoffice.crm.getCustomers(['C0000001']);
      const [contract] = (await backoffice.contracts.getContractsByCustomer(['C0000001']))[0];
      const [product] = await backoffice.catalog.getProducts([contract.productId]);
      expect(customer?.attributes?.clientSince).toEqual(expect.stringMatching(/^\d{4}$/));
      expect(contract.status).toEqual(expect.any(String));
      expect(Object.values(ContractStatus)).toContain(contract.status);
      const welcome = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'welcome.json'), 'utf8'));
      const blocks = welcome.languages.fr.blocks;
      blocks.splice(1, 0, { kind: 'paragraph', text: 'Client depuis {{customer.attributes.clientSince}}, mode de paiement {{contract.attributes.paymentMethod}}.' });
      writeFileSync(join(dir, 'welcome.json'), JSON.stringify(welcome));
      const model = TemplateCatalog.load(dir).compose('welcome', context({ customer: customer!, contract, product }));
      const { pdf } = await renderPdf(model);
      const path = join(dir, 'letter.pdf');
      writeFileSync(path, pdf);
      const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(text).toContain(`Client depuis ${customer!.attributes!.clientSince}, mode de paiement ${contract.attributes!.paymentMethod}.`);
      expect(text).toContain('Claire Martin');
    });
  });
});
