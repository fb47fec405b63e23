import Fastify, { type FastifyInstance } from 'fastify';
import { buildSchema, parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import vm from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { WebSocket, WebSocketServer } from 'ws';
import { registerIde } from '../src/http/ide.page';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

type Fetcher = (params: object, options?: object) => Promise<unknown> | AsyncIterable<unknown>;

/** The gateway's network edge in miniature: Apollo's GET/POST routes as stubs, a real graphql-ws server. */
async function startGateway(): Promise<{ app: FastifyInstance; base: string; posts: Array<{ headers: Record<string, unknown>; body: unknown }>; connections: unknown[] }> {
  const app = Fastify();
  const posts: Array<{ headers: Record<string, unknown>; body: unknown }> = [];
  const connections: unknown[] = [];
  // Registered (and loaded) before the IDE, as the Apollo integration's plugin would be.
  await app.register(async (apollo) => {
    apollo.get('/graphql', async () => ({ data: { __typename: 'Query' }, from: 'graphql-get' }));
    apollo.post('/graphql', async (request) => {
      posts.push({ headers: request.headers, body: request.body });
      return { data: { echo: 'posted' } };
    });
  });
  registerIde(app, { title: 'Test <IDE>' });
  const schema = buildSchema('type Query { ok: Boolean } type Subscription { ticks(to: Int!): Int! }');
  const wss = new WebSocketServer({ server: app.server, path: '/graphql' });
  useServer(
    {
      schema,
      roots: {
        subscription: {
          ticks: async function* ({ to }: { to: number }) {
            for (let i = 1; i <= to; i++) yield { ticks: i };
          },
        },
      },
      onConnect: (ctx) => {
        connections.push(ctx.connectionParams);
      },
    },
    wss,
  );
  app.addHook('onClose', async () => new Promise<void>((resolve) => wss.close(() => resolve())));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, posts, connections };
}

/** Runs the served browser scripts (graphql-ws UMD + bootstrap) with Node's fetch and ws standing in for the browser's. */
function bootBrowserSide(graphqlWsSource: string, bootstrap: string, pageUrl: string) {
  const rendered: Array<{ type: unknown; props: Record<string, unknown> }> = [];
  const clients: Array<{ url: string; connectionParams: unknown }> = [];
  const root = { dataset: { endpoint: '/graphql', styleNonce: 'n0nce' } as Record<string, string> };
  const GraphiQL = function GraphiQL() {};
  const context: Record<string, unknown> = vm.createContext({
    URL,
    fetch,
    WebSocket,
    setTimeout,
    clearTimeout,
    console,
    location: new URL(pageUrl),
    document: { getElementById: (id: string) => (id === 'graphiql' ? root : null) },
    React: { createElement: (type: unknown, props: Record<string, unknown>) => ({ type, props }) },
    ReactDOM: { createRoot: (el: unknown) => ({ render: (node: { type: unknown; props: Record<string, unknown> }) => (el === root ? rendered.push(node) : undefined) }) },
    GraphiQL,
  });
  context['window'] = context;
  vm.runInContext(graphqlWsSource, context);
  const ws = (context as unknown as { graphqlWs: { createClient: (o: { url: string; connectionParams: unknown }) => unknown } }).graphqlWs;
  const createClient = ws.createClient;
  ws.createClient = (options) => {
    clients.push({ url: options.url, connectionParams: options.connectionParams });
    return createClient(options);
  };
  vm.runInContext(bootstrap, context);
  // GraphiQL's injected <style> reads its CSP nonce from this global; the attribute is removed.
  expect(context['__webpack_nonce__']).toBe('n0nce');
  expect(root.dataset['styleNonce']).toBeUndefined();
  expect(rendered).toHaveLength(1);
  expect(rendered[0]!.type).toBe(GraphiQL);
  return { fetcher: rendered[0]!.props['fetcher'] as Fetcher, props: rendered[0]!.props, clients };
}

async function collect(results: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of results) out.push(JSON.parse(JSON.stringify(r)));
  return out;
}

describe('registerIde', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.app.close();
  });

  it('serves GraphiQL to a browser navigation with a strict CSP and only same-origin assets', async () => {
    const res = await fetch(`${gw.base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    expect(html).toContain('<title>Test &#60;IDE&#62;</title>');
    expect(html).toContain('data-endpoint="/graphql"');
    const nonce = /data-style-nonce="([A-Za-z0-9+/=]{20,})"/.exec(html)![1]!;
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}';`);
    const next = await fetch(`${gw.base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(next.headers.get('content-security-policy')).not.toContain(nonce);
    expect(html).toContain('<link rel="icon" href="data:,">'); // no /favicon.ico request

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[2])).toEqual(scripts.map(() => '')); // no inline code
    const srcs = scripts.map((m) => /\bsrc="([^"]+)"/.exec(m[1]!)![1]!);
    const hrefs = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    expect(html.match(/<link\b/g)).toHaveLength(hrefs.length + 1);
    expect(srcs.map((s) => s.split('?')[0])).toEqual([
      '/ide/react.production.min.js',
      '/ide/react-dom.production.min.js',
      '/ide/graphql-ws.min.js',
      '/ide/graphiql.min.js',
      '/ide/ide.js',
    ]);
    expect(hrefs.map((s) => s.split('?')[0])).toEqual(['/ide/graphiql.min.css', '/ide/ide.css']);
    for (const url of [...srcs, ...hrefs]) {
      expect(url).toMatch(/^\/[^/]/); // same origin: a path, never //host or a scheme
      const asset = await fetch(`${gw.base}${url}`, { headers: { 'accept-encoding': 'identity' } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe(url.includes('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await asset.text();
      expect(body.length).toBeGreaterThan(url.includes('ide.css') ? 50 : 2_000);
      expect(body).not.toMatch(/<html/i);
    }
  });

  it('leaves GraphQL-over-HTTP GET requests and POSTs to the GraphQL routes', async () => {
    const cases: Array<[string, string]> = [
      ['/graphql?query=%7B__typename%7D', 'application/json'],
      ['/graphql?query=%7B__typename%7D', BROWSER_ACCEPT], // a link to a query is a GraphQL request
      ['/graphql?extensions=%7B%7D', BROWSER_ACCEPT],
      ['/graphql', 'application/graphql-response+json, application/json;q=0.9'],
      ['/graphql', '*/*'], // curl
      ['/graphql', 'text/html;q=0.5, application/json'],
    ];
    for (const [path, accept] of cases) {
      const res = await fetch(`${gw.base}${path}`, { headers: { accept } });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' }, from: 'graphql-get' });
    }
    const posted = await fetch(`${gw.base}/graphql`, {
      method: 'POST',
      headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' },
      body: '{"query":"{ok}"}',
    });
    expect(await posted.json()).toEqual({ data: { echo: 'posted' } });
  });

  it('compresses and revalidates assets', async () => {
    const plain = Buffer.from(await (await fetch(`${gw.base}/ide/graphiql.min.js`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
    const gz = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(`${gw.base}/ide/graphiql.min.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    const etag = gz.headers['etag'] as string;
    const again = await fetch(`${gw.base}/ide/graphiql.min.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${gw.base}/ide/nope.js`)).status).toBe(404);
  });

  it('bootstrap: POSTs JSON with the editor headers and subscribes over graphql-ws with them as connectionParams', async () => {
    const [graphqlWsSource, bootstrap] = await Promise.all(['graphql-ws.min.js', 'ide.js'].map(async (f) => (await fetch(`${gw.base}/ide/${f}`)).text()));
    const { fetcher, props, clients } = bootBrowserSide(graphqlWsSource!, bootstrap!, `${gw.base}/graphql`);
    expect(props['isHeadersEditorEnabled']).toBe(true);
    expect(props['defaultQuery']).toMatch(/Authorization/);

    const headers = { Authorization: 'Bearer t0ken', 'X-Api-Key': 'k1', 'X-Trace': 'abc' };
    const result = await fetcher({ query: '{ ok }', variables: { a: 1 }, operationName: null }, { headers });
    expect(result).toEqual({ data: { echo: 'posted' } });
    const post = gw.posts.at(-1)!;
    expect(post.body).toEqual({ query: '{ ok }', variables: { a: 1 }, operationName: null });
    expect(post.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t0ken', 'x-api-key': 'k1', 'x-trace': 'abc' });

    const query = '# counting\nsubscription Ticks { ticks(to: 3) }';
    const withAst = fetcher({ query, operationName: 'Ticks' }, { headers, documentAST: parse(query) });
    expect(await collect(withAst as AsyncIterable<unknown>)).toEqual([1, 2, 3].map((n) => ({ data: { ticks: n } })));
    const withoutAst = fetcher({ query: 'subscription { ticks(to: 2) }' }, { headers: { authorization: 'Bearer other' } });
    expect(await collect(withoutAst as AsyncIterable<unknown>)).toEqual([1, 2].map((n) => ({ data: { ticks: n } })));
    const invalid = fetcher({ query: 'subscription { nope }' }, { headers: { authorization: 'Bearer other' } });
    const [failure] = (await collect(invalid as AsyncIterable<unknown>)) as Array<{ errors: Array<{ message: string }> }>;
    expect(failure!.errors[0]!.message).toMatch(/nope/);

    expect(clients.map((c) => c.url)).toEqual([`ws://${gw.base.slice('http://'.length)}/graphql`, `ws://${gw.base.slice('http://'.length)}/graphql`]);
    // Same credentials, same client; a lazy client reconnects (with them) after its last subscription ended.
    expect(gw.connections).toEqual([{ authorization: 'Bearer t0ken', 'x-api-key': 'k1' }, { authorization: 'Bearer other' }, { authorization: 'Bearer other' }]);
  });

  it('bootstrap: an https page subscribes on wss and reports a failed connection as an Error', async () => {
    const [graphqlWsSource, bootstrap] = await Promise.all(['graphql-ws.min.js', 'ide.js'].map(async (f) => (await fetch(`${gw.base}/ide/${f}`)).text()));
    // The gateway speaks plain HTTP, so the TLS handshake fails: what the IDE shows when wss is unreachable.
    const { fetcher, clients } = bootBrowserSide(graphqlWsSource!, bootstrap!, `${gw.base.replace('http:', 'https:')}/graphql`);
    const run = collect(fetcher({ query: 'subscription { ticks(to: 1) }' }, {}) as AsyncIterable<unknown>);
    await expect(run).rejects.toThrow(`on ${gw.base.replace('http:', 'wss:')}/graphql`);
    await expect(run).rejects.toThrow(/^WebSocket (error|closed)/);
    expect(clients).toEqual([{ url: `${gw.base.replace('http:', 'wss:')}/graphql`, connectionParams: {} }]);
  });
});
