import { signHs256, unsignedToken } from './support/tokens';
import { startHarness, type Harness } from './support/gateway.harness';

const SECRET = 'hostile-corpus-secret-0123456789-abcdefgh';
const now = (): number => Math.floor(Date.now() / 1000);
const AGENT = signHs256({ sub: 'agent-1', role: 'agent', exp: now() + 3600 }, SECRET);

/** Codes a hostile request may get; anything else (or a 5xx) is a failure of the gateway. */
const CLEAR_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'QUERY_TOO_COMPLEX', 'RATE_LIMITED', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'CONFLICT']);

interface Attack {
  readonly name: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly method?: 'GET' | 'POST';
  readonly query?: string;
  /** Answered without an error but must reveal nothing: every field null or an empty list. */
  readonly harmless?: boolean;
}

const INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE communication; --', '<script>alert(1)</script>', '{{constructor.constructor("return process")()}}', '${process.env}', '../../../../etc/passwd', '\u0000\u0001\u0002', 'a'.repeat(5000), '%00%0d%0a', '__proto__'];

function corpus(): Attack[] {
  const attacks: Attack[] = [];
  const gql = (name: string, query: string, variables?: unknown, headers?: Record<string, string>, harmless = false): Attack => ({ name, body: JSON.stringify({ query, variables }), headers, harmless });
  // Deep and wide queries.
  for (let depth = 9; depth <= 30; depth += 3) {
    let inner = 'id';
    for (let i = 0; i < depth; i += 1) inner = i % 2 ? `contracts { ${inner} }` : `customer { ${inner} }`;
    attacks.push(gql(`depth ${depth}`, `{ contract(id: "K00000001") { ${inner} } }`));
  }
  for (const n of [16, 50, 200, 1000]) attacks.push(gql(`alias bomb ${n}`, `{ ${Array.from({ length: n }, (_, i) => `a${i}: templates { key }`).join(' ')} }`));
  for (const n of [31, 100]) attacks.push(gql(`root fields ${n}`, `{ ${Array.from({ length: n }, () => '__typename').join(' ')} templates { key } ${Array.from({ length: n }, (_, i) => `t${i}: customer(id: "C${i}") { id }`).slice(0, 10).join(' ')} }`));
  attacks.push(gql('cost bomb', '{ customers(first: 100) { edges { node { communications(first: 100) { edges { node { deliveries { events { at } } } } } } } } }'));
  attacks.push(gql('token flood', `{ templates { ${'key '.repeat(3000)} } }`));
  attacks.push(gql('directive flood', `{ templates { key ${'@include(if: true) '.repeat(50)} } }`));
  attacks.push(gql('fragment cycle', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'));
  // Malformed documents and bodies.
  for (const query of ['{', '}', '{ customer(id: ) }', 'query query query', 'subscription { deliveryStatusChanged { id } }', 'mutation { }', '{ customer(id: 1, id: 2) { id } }', '{ nope }', '{ customer { id } }', '{ templates { key nope } }']) attacks.push(gql(`malformed ${query}`, query));
  for (const body of ['', 'null', '[]', '"string"', '{"query": 42}', '{"query": null}', '{"query": "{ templates { key } }", "variables": "x"}', '{"query": "{ templates { key } }", "operationName": 5}', 'not json at all', '{"query": "{ templates { key } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}']) {
    attacks.push({ name: `body ${body.slice(0, 30)}`, body });
  }
  // Wrong types and bad arguments.
  const send = 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }';
  const base = { customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'] };
  const badInputs: unknown[] = [
    null, 'string', 42, [], { ...base, customerId: 42 }, { ...base, channels: [['EMAIL']] }, { ...base, channels: ['FAX'] }, { ...base, channelPolicy: 'ALWAYS' },
    { ...base, priority: 'NOW' }, { ...base, scheduledAt: 'tomorrow' }, { ...base, scheduledAt: '1999-01-01T00:00:00Z' }, { ...base, scheduledAt: '2999-01-01T00:00:00Z' },
    { ...base, data: 'x' }, { ...base, data: [1, 2] }, { ...base, data: { blob: 'x'.repeat(20_000) } }, { ...base, idempotencyKey: 'k'.repeat(500) },
    { ...base, templateKey: '../../etc/passwd' }, { ...base, contractId: 'K-NOT-THERE' }, { ...base, channelPolicy: 'EXPLICIT', channels: [] }, { ...base, channels: ['SMS', 'SMS'] },
  ];
  badInputs.forEach((input, i) => attacks.push(gql(`bad input ${i}`, send, { input }, { authorization: `Bearer ${AGENT}` })));
  for (const first of [-1, 101, 2 ** 31, 1.5, 'ten']) attacks.push(gql(`first ${first}`, 'query($f: Int) { customers(first: $f) { totalCount } }', { f: first }, { authorization: `Bearer ${AGENT}` }));
  for (const after of ['x', 'eyJhIjoxfQ', 'W251bGwsIDk5OTk5XQ']) attacks.push(gql(`after ${after}`, 'query($a: String) { customers(first: 5, after: $a) { totalCount } }', { a: after }, { authorization: `Bearer ${AGENT}` }));
  for (const value of INJECTIONS) {
    attacks.push(gql(`injection id ${value.slice(0, 20)}`, 'query($id: ID!) { customer(id: $id) { id } communication(id: $id) { id } document(id: $id) { id } }', { id: value }, { authorization: `Bearer ${AGENT}` }, true));
    attacks.push(gql(`injection search ${value.slice(0, 20)}`, 'query($s: String) { customers(search: $s, first: 5) { edges { node { id } } } }', { s: value }, { authorization: `Bearer ${AGENT}` }, true));
  }
  attacks.push(gql('huge variables', '{ templates { key } }', { junk: 'x'.repeat(3 * 1024 * 1024) }));
  attacks.push(gql('bad dates', '{ deliveryStats(from: "yesterday", to: "now") { total } }', undefined, { authorization: `Bearer ${AGENT}` }));
  // Credentials.
  const templates = '{ templates { key } }';
  const tokens: [string, string][] = [
    ['alg none', unsignedToken({ sub: 'x', role: 'admin', exp: now() + 60 })],
    ['alg none upper', unsignedToken({ sub: 'x', role: 'admin', exp: now() + 60 }, 'NONE')],
    ['expired', signHs256({ sub: 'x', role: 'agent', exp: now() - 60 }, SECRET)],
    ['not yet valid', signHs256({ sub: 'x', role: 'agent', exp: now() + 600, nbf: now() + 300 }, SECRET)],
    ['wrong secret', signHs256({ sub: 'x', role: 'agent', exp: now() + 60 }, 'another-secret-0123456789-0123456789-xx')],
    ['no exp', signHs256({ sub: 'x', role: 'agent', exp: undefined }, SECRET)],
    ['unknown role', signHs256({ sub: 'x', role: 'root', exp: now() + 60 }, SECRET)],
    ['portal without customer', signHs256({ sub: 'x', role: 'portal', exp: now() + 60 }, SECRET)],
    ['no sub', signHs256({ role: 'agent', exp: now() + 60 }, SECRET)],
    ['garbage', 'a.b.c'],
    ['two parts', 'abc.def'],
    ['huge', 'x'.repeat(20_000)],
  ];
  for (const [name, token] of tokens) attacks.push(gql(`jwt ${name}`, templates, undefined, { authorization: `Bearer ${token}` }));
  for (const key of ['', 'nope', 'x'.repeat(10_000), "' OR 1=1"]) attacks.push(gql(`api key ${key.slice(0, 10)}`, templates, undefined, { 'x-api-key': key }));
  attacks.push(gql('no credentials', templates));
  attacks.push(gql('basic auth', templates, undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' }));
  // GET tricks: mutations over GET, CSRF-style simple requests.
  attacks.push({ name: 'mutation over GET', method: 'GET', query: `?query=${encodeURIComponent('mutation { cancelCommunication(id: "x") { id } }')}`, headers: { authorization: `Bearer ${AGENT}`, accept: 'application/json' } });
  attacks.push({ name: 'simple-request GET without preflight header', method: 'GET', query: `?query=${encodeURIComponent('{ templates { key } }')}`, headers: { accept: 'application/json' } });
  attacks.push({ name: 'form post', body: 'query=%7B%20templates%20%7B%20key%20%7D%20%7D', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${AGENT}` } });
  attacks.push({ name: 'text/plain post', body: '{"query":"{ templates { key } }"}', headers: { 'content-type': 'text/plain', authorization: `Bearer ${AGENT}` } });
  return attacks;
}

/** Only nulls and empty lists: an answer that tells the caller nothing. */
function revealsNothing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).every(revealsNothing);
  return false;
}

describe('a corpus of hostile requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ role: 'api', env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: 'service:svc-hostile-key-0123456789', RATE_LIMIT_PER_MINUTE: '100000' } });
  });
  afterAll(() => h.close());

  it('answers each with a clear error, no 5xx, nothing written, and stays healthy', async () => {
    const attacks = corpus();
    expect(attacks.length).toBeGreaterThanOrEqual(100);
    const before = await h.graphql<{ communications: { totalCount: number } }>('{ communications(first: 1) { totalCount } }', undefined, { authorization: `Bearer ${AGENT}` });
    const unclear: string[] = [];
    for (const attack of attacks) {
      const response = await fetch(`${h.url}/graphql${attack.query ?? ''}`, {
        method: attack.method ?? 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...attack.headers },
        body: attack.method === 'GET' ? undefined : attack.body,
      });
      const text = await response.text();
      if (response.status >= 500) {
        unclear.push(`${attack.name}: HTTP ${response.status}`);
        continue;
      }
      let body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; stacktrace?: unknown } }[] } | null = null;
      try {
        body = JSON.parse(text);
      } catch {
        if (response.status >= 400) continue; // a plain 4xx from the HTTP layer (e.g. unsupported media type)
        unclear.push(`${attack.name}: unparseable ${response.status}`);
        continue;
      }
      const errors = body?.errors ?? [];
      if (errors.length === 0) {
        // Refused by the HTTP layer (bad JSON, oversized header or body, unsupported media type).
        if (response.status >= 400) continue;
        if (!attack.harmless || !revealsNothing(body?.data)) unclear.push(`${attack.name}: accepted (${response.status}) ${text.slice(0, 120)}`);
        continue;
      }
      for (const error of errors) {
        if (!CLEAR_CODES.has(error.extensions?.code ?? '')) unclear.push(`${attack.name}: code ${error.extensions?.code} (${error.message.slice(0, 80)})`);
        if (error.extensions?.stacktrace || /at \w+ \(|node_modules|\/src\//.test(error.message)) unclear.push(`${attack.name}: internals in "${error.message.slice(0, 80)}"`);
      }
    }
    expect(unclear).toEqual([]);
    const after = await h.graphql<{ communications: { totalCount: number } }>('{ communications(first: 1) { totalCount } }', undefined, { authorization: `Bearer ${AGENT}` });
    expect(after.body.data!.communications.totalCount).toBe(before.body.data!.communications.totalCount);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
