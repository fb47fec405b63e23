// The console is a plain GraphQL client of the gateway: the same /graphql, the same credentials.
const KEY = 'ccm-console-credentials';

export class GraphqlError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
    this.codes = errors.map((e) => (e.extensions && e.extensions.code) || 'UNKNOWN');
  }
}

export const credentials = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { return null; }
  },
  set(value) { sessionStorage.setItem(KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(KEY); },
};

function headersOf(creds) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (creds && creds.kind === 'token') headers.authorization = `Bearer ${creds.value}`;
  if (creds && creds.kind === 'apiKey') headers['x-api-key'] = creds.value;
  return headers;
}

/** Who these credentials are, checked by the gateway; rejects with the gateway's message. */
export async function session(creds = credentials.get()) {
  const res = await fetch('/console/session', { headers: headersOf(creds) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

export async function queues() {
  const res = await fetch('/console/queues', { headers: headersOf(credentials.get()) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body.queues;
}

/** Data, or a GraphqlError carrying every error's code; `partial: true` returns data along with errors. */
export async function gql(query, variables = {}, { partial = false } = {}) {
  const res = await fetch('/graphql', { method: 'POST', headers: headersOf(credentials.get()), body: JSON.stringify({ query, variables }) });
  const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
  if (body.errors && body.errors.length && !(partial && body.data)) throw new GraphqlError(body.errors);
  return partial ? { data: body.data, errors: body.errors || [] } : body.data;
}

/** Whether the schema has a field (feature detection without introspection, which production turns off). */
export async function supports(query) {
  try {
    await gql(query);
    return true;
  } catch (error) {
    return !(error instanceof GraphqlError && error.codes.includes('GRAPHQL_VALIDATION_FAILED'));
  }
}

let client = null;
function wsClient() {
  if (client) return client;
  const creds = credentials.get();
  const connectionParams = {};
  if (creds && creds.kind === 'token') connectionParams.authorization = `Bearer ${creds.value}`;
  if (creds && creds.kind === 'apiKey') connectionParams['x-api-key'] = creds.value;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = window.graphqlWs.createClient({ url, connectionParams, lazy: true, retryAttempts: 5 });
  return client;
}

/** Subscribes; returns the function that ends it. */
export function subscribe(query, variables, { next, error }) {
  return wsClient().subscribe({ query, variables }, {
    next: (result) => (result.errors ? error && error(new GraphqlError(result.errors)) : next(result.data)),
    error: (e) => error && error(e instanceof Error ? e : new Error('subscription closed')),
    complete: () => undefined,
  });
}

export function resetConnections() {
  if (client) client.dispose();
  client = null;
}
