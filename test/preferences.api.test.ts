import type { CrmCustomer } from '../backoffice/wire.types';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { signHs256 } from './support/tokens';

const SECRET = 'preferences-test-secret-0123456789abcdef';
const SERVICE_KEY = 'svc-preferences-key-0123456789';
const bearer = (claims: Record<string, unknown>): Record<string, string> => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = bearer({ sub: 'agent-7', role: 'agent' });
const portalOf = (customerId: string): Record<string, string> => bearer({ sub: `portal-${customerId}`, role: 'portal', customerId });

const PREFS = 'preferences { preferredChannel consents paperless language timeZone quietHours { start end } tracking updatedAt source }';
const UPDATE = `mutation($customerId: ID!, $input: PreferencesInput!, $reason: String) {
  updatePreferences(customerId: $customerId, input: $input, reason: $reason) { id language ${PREFS} } }`;
const HISTORY = `query($id: ID!, $first: Int, $after: String) { customer(id: $id) { id ${PREFS}
  preferenceHistory(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { at source actor field from to reason } } } } }`;

interface Prefs {
  preferredChannel: string | null;
  consents: string[];
  paperless: boolean;
  language: string | null;
  timeZone: string;
  quietHours: { start: string; end: string } | null;
  tracking: boolean;
  updatedAt: string | null;
  source: string;
}
interface Change { at: string; source: string; actor: string; field: string; from: string | null; to: string | null; reason: string | null }
interface HistoryAnswer { customer: { id: string; preferences: Prefs; preferenceHistory: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Change }[] } } }

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`expected the condition within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(['sqlite', 'postgres'] as const)('preference centre on %s', (database) => {
  let h: Harness;
  const crmRecord = async (id: string): Promise<CrmCustomer> => (await (await fetch(`${h.backoffice.crmUrl}/customers/${id}`)).json()) as CrmCustomer;
  /** Customers with a postal address, an email and a mobile number, consenting to email and SMS, in France. */
  let candidates: CrmCustomer[];
  let contractOf: (customerId: string) => string;
  const pick = (accept: (c: CrmCustomer) => boolean = () => true): CrmCustomer => {
    const index = candidates.findIndex(accept);
    if (index < 0) throw new Error('expected enough seeded customers with email, SMS and address');
    return candidates.splice(index, 1)[0];
  };
  const history = async (id: string, headers = agent) => h.graphql<HistoryAnswer>(HISTORY, { id, first: 20 }, headers);

  beforeAll(async () => {
    const databaseUrl = database === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `preferences_api_${process.pid}`) : undefined;
    h = await startHarness({ databaseUrl, env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `service:${SERVICE_KEY}`, RATE_LIMIT_PER_MINUTE: '0' } });
    const withContract = new Map(h.backoffice.data.contracts.map((row) => [row.CUST_REF, row.CNTR_ID]));
    contractOf = (id) => withContract.get(id)!;
    candidates = h.backoffice.data.customers.filter(
      (c) => c.address?.countryCode === 'FR' && c.contact.email && c.contact.mobile && c.communication.consents.email && c.communication.consents.sms && withContract.has(c.customerId) && c.customerId !== 'C0000001',
    );
  }, 60_000);
  afterAll(() => h?.close());

  it('shows the CRM values by default, the zone derived from the country', async () => {
    const customer = pick();
    const { body } = await history(customer.customerId);
    expect(body.errors).toBeUndefined();
    expect(body.data!.customer.preferences).toMatchObject({ paperless: false, language: null, timeZone: 'Europe/Paris', quietHours: null, tracking: true, updatedAt: null, source: 'CRM' });
    expect(body.data!.customer.preferences.consents).toEqual(expect.arrayContaining(['EMAIL', 'SMS']));
    expect(body.data!.customer.preferenceHistory).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('lets a portal user go paperless on their own customer', async () => {
    const customer = pick((c) => c.communication.preferredChannel !== 'portal');
    const id = customer.customerId;
    const { body } = await h.graphql<{ updatePreferences: { preferences: Prefs } }>(UPDATE, { customerId: id, input: { paperless: true, preferredChannel: 'PORTAL' } }, portalOf(id));
    expect(body.errors).toBeUndefined();
    expect(body.data!.updatePreferences.preferences).toMatchObject({ paperless: true, preferredChannel: 'PORTAL', source: 'PORTAL' });
    const seen = await history(id);
    expect(seen.body.data!.customer.preferences).toMatchObject({ paperless: true, source: 'PORTAL' });
    const lines = seen.body.data!.customer.preferenceHistory.edges.map((e) => e.node);
    expect(lines.map((l) => [l.field, l.from, l.to, l.source, l.actor])).toEqual(expect.arrayContaining([
      ['paperless', 'false', 'true', 'PORTAL', `portal-${id}`],
      ['preferredChannel', customer.communication.preferredChannel?.toUpperCase() ?? null, 'PORTAL', 'PORTAL', `portal-${id}`],
    ]));
  });

  it('lets the portal user and an agent turn tracking off and on, each change in the history, and the same value again adds nothing', async () => {
    const customer = pick();
    const id = customer.customerId;
    const off = await h.graphql<{ updatePreferences: { preferences: Prefs } }>(UPDATE, { customerId: id, input: { tracking: false } }, portalOf(id));
    expect(off.body.errors).toBeUndefined();
    expect(off.body.data!.updatePreferences.preferences).toMatchObject({ tracking: false, source: 'PORTAL' });
    expect((await h.graphql(UPDATE, { customerId: id, input: { tracking: false } }, agent)).body.errors).toBeUndefined();
    const on = await h.graphql<{ updatePreferences: { preferences: Prefs } }>(UPDATE, { customerId: id, input: { tracking: true }, reason: 'asked on the phone' }, agent);
    expect(on.body.data!.updatePreferences.preferences).toMatchObject({ tracking: true, source: 'AGENT' });
    const { body } = await history(id);
    expect(body.data!.customer.preferences.tracking).toBe(true);
    expect(body.data!.customer.preferenceHistory.edges.map((e) => [e.node.field, e.node.from, e.node.to, e.node.source, e.node.actor, e.node.reason])).toEqual([
      ['tracking', 'false', 'true', 'AGENT', 'agent-7', 'asked on the phone'],
      ['tracking', 'true', 'false', 'PORTAL', `portal-${id}`, null],
    ]);
    // The gateway's own setting: the CRM's record gains nothing.
    expect(JSON.stringify(await crmRecord(id))).not.toMatch(/tracking/i);
  });

  it('records an agent\'s consent change with actor, source, from, to and reason, newest first and paged', async () => {
    const customer = pick((c) => c.communication.preferredChannel === 'sms');
    const id = customer.customerId;
    const first = await h.graphql(UPDATE, { customerId: id, input: { consents: ['EMAIL'] }, reason: 'customer asked on the phone' }, agent);
    expect(first.body.errors).toBeUndefined();
    const second = await h.graphql(UPDATE, { customerId: id, input: { quietHours: { start: '21:30', end: '07:00' }, timeZone: 'Europe/Berlin' } }, agent);
    expect(second.body.errors).toBeUndefined();
    // The same values again change nothing and add no history.
    const again = await h.graphql(UPDATE, { customerId: id, input: { consents: ['EMAIL'] } }, agent);
    expect(again.body.errors).toBeUndefined();

    const { body } = await history(id);
    const { preferences, preferenceHistory } = body.data!.customer;
    expect(preferences).toMatchObject({ consents: ['EMAIL'], quietHours: { start: '21:30', end: '07:00' }, timeZone: 'Europe/Berlin', source: 'AGENT' });
    expect(preferenceHistory.totalCount).toBe(3);
    expect(preferenceHistory.edges.map((e) => e.node.field)).toEqual(['quietHours', 'timeZone', 'consents']);
    const consent = preferenceHistory.edges[2].node;
    const before = ['EMAIL', 'SMS', ...(customer.communication.consents.portal ? ['PORTAL'] : [])].join(',');
    expect(consent).toMatchObject({ source: 'AGENT', actor: 'agent-7', field: 'consents', from: before, to: 'EMAIL', reason: 'customer asked on the phone' });
    expect(preferenceHistory.edges[0].node).toMatchObject({ from: null, to: '21:30-07:00', reason: null });
    const page = await h.graphql<HistoryAnswer>(HISTORY, { id, first: 1, after: preferenceHistory.edges[0] && (await h.graphql<HistoryAnswer>(HISTORY, { id, first: 1 }, agent)).body.data!.customer.preferenceHistory.pageInfo.endCursor }, agent);
    expect(page.body.data!.customer.preferenceHistory.edges.map((e) => e.node.field)).toEqual(['timeZone']);

    // A withdrawn consent holds at planning time: EXPLICIT [SMS] is refused with the reason, PREFERRED (SMS) takes the next channel.
    const send = (policy: string, channels: string[]) => h.graphql<{ sendCommunication: { deliveries: { channel: string }[] } }>(
      `mutation($c: ID!, $k: ID!, $p: ChannelPolicy!, $ch: [Channel!]) { sendCommunication(input: { customerId: $c, contractId: $k, templateKey: "invoice-available", channelPolicy: $p, channels: $ch,
        data: { invoiceNumber: "INV-P-1", amountDue: { amount: "10.00", currency: "EUR" }, dueDate: "2027-01-15" } }) { id deliveries { channel } } }`,
      { c: id, k: contractOf(id), p: policy, ch: channels }, agent);
    const refused = await send('EXPLICIT', ['SMS']);
    expect(refused.body.errors?.[0]).toMatchObject({ message: expect.stringContaining("SMS needs the customer's consent to SMS"), extensions: { code: 'BAD_USER_INPUT' } });
    const preferred = await send('PREFERRED', ['SMS', 'EMAIL']);
    expect(preferred.body.errors).toBeUndefined();
    expect(preferred.body.data!.sendCommunication.deliveries.map((d) => d.channel)).toEqual(['EMAIL']);
  });

  it('refuses bad input with BAD_USER_INPUT and a portal user changing someone else with NOT_FOUND, writing nothing', async () => {
    const customer = pick();
    const other = pick();
    const id = customer.customerId;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ timeZone: 'Mars/Olympus_Mons' }, /^timeZone: expected an IANA time zone/],
      [{ quietHours: { start: '25:00', end: '08:00' } }, /^quietHours: start: expected a local time HH:MM/],
      [{ quietHours: { start: '9:00', end: '08:00' } }, /^quietHours: start/],
      [{ quietHours: { start: '08:00', end: '08:00' } }, /^quietHours: expected start and end to differ/],
      [{ language: 'tlh' }, /^language: expected one of de, en, fr/],
      [{ consents: ['EMAIL', 'LETTER'] }, /^consents: LETTER needs no consent/],
      [{ paperless: null }, /^paperless: expected true or false/],
      [{ tracking: null }, /^tracking: expected true or false/],
    ];
    for (const [input, message] of cases) {
      const { body } = await h.graphql(UPDATE, { customerId: id, input: { paperless: true, ...input } }, agent);
      expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } });
    }
    const unknownChannel = await h.graphql(UPDATE, { customerId: id, input: { consents: ['PIGEON'] } }, agent);
    expect(unknownChannel.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const foreign = await h.graphql(UPDATE, { customerId: other.customerId, input: { paperless: true } }, portalOf(id));
    expect(foreign.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const unknown = await h.graphql(UPDATE, { customerId: 'C9999999', input: { paperless: true } }, agent);
    expect(unknown.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    for (const target of [id, other.customerId]) {
      const { body } = await history(target);
      expect(body.data!.customer.preferenceHistory.totalCount).toBe(0);
      expect(body.data!.customer.preferences).toMatchObject({ paperless: false, source: 'CRM' });
    }
  });

  it('lets a service change preferences as API and writes every change through to the CRM', async () => {
    const customer = pick();
    const id = customer.customerId;
    const { body } = await h.graphql(UPDATE, { customerId: id, input: { language: 'de', consents: ['SMS'], quietHours: { start: '22:00', end: '07:30' } } }, { 'x-api-key': SERVICE_KEY });
    expect(body.errors).toBeUndefined();
    const written = await until(async () => {
      const record = await crmRecord(id);
      return record.preferredLanguage === 'de' ? record : undefined;
    }, 10_000);
    expect(written.communication).toMatchObject({ consents: { email: false, sms: true, portal: false }, quietHours: { start: '22:00', end: '07:30' } });
    expect((await history(id)).body.data!.customer.preferences).toMatchObject({ language: 'de', source: 'API' });
  });

  it('keeps a change while the CRM takes no writes and writes it through once it does', async () => {
    const customer = pick();
    const id = customer.customerId;
    h.backoffice.control('crm', { writesDown: true });
    try {
      const { body } = await h.graphql<{ updatePreferences: { preferences: Prefs } }>(UPDATE, { customerId: id, input: { paperless: true, consents: ['EMAIL'] }, reason: 'letter returned' }, agent);
      expect(body.errors).toBeUndefined();
      expect(body.data!.updatePreferences.preferences).toMatchObject({ paperless: true, consents: ['EMAIL'] });
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await crmRecord(id)).communication.consents.sms).toBe(true);
      // The overlay wins meanwhile: the gateway already plans on the new consents.
      expect((await history(id)).body.data!.customer.preferences).toMatchObject({ paperless: true, consents: ['EMAIL'] });
    } finally {
      h.backoffice.control('crm', { writesDown: false });
    }
    const written = await until(async () => {
      const record = await crmRecord(id);
      return record.communication.paperless === true ? record : undefined;
    }, 20_000);
    expect(written.communication.consents).toMatchObject({ email: true, sms: false });
  }, 30_000);
});
