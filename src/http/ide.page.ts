import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDE_BOOTSTRAP_JS } from './ide.script';

export interface IdeOptions {
  /** Where GraphQL is served; the IDE page answers browser navigations to it. Default `/graphql`. */
  readonly graphqlPath?: string;
  /** Prefix of the IDE's scripts and styles. Default `/ide`. */
  readonly assetsPath?: string;
  /** The page title. Default `ccm-gateway GraphQL`. */
  readonly title?: string;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  gzipped?: Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

// Browser builds shipped in the npm packages themselves: nothing is fetched from a CDN.
const PACKAGED: ReadonlyArray<readonly [name: string, pkg: string, file: string, type: string]> = [
  ['react.production.min.js', 'react', 'umd/react.production.min.js', JS],
  ['react-dom.production.min.js', 'react-dom', 'umd/react-dom.production.min.js', JS],
  ['graphql-ws.min.js', 'graphql-ws', 'umd/graphql-ws.min.js', JS],
  ['graphiql.min.js', 'graphiql', 'graphiql.min.js', JS],
  ['graphiql.min.css', 'graphiql', 'graphiql.min.css', CSS],
];

const PAGE_CSS = 'html, body { height: 100%; margin: 0; overflow: hidden; }\n#graphiql { height: 100vh; }\n';

/**
 * GraphiQL's stylesheet embeds its fonts and icons as data: URLs; CodeMirror and React set
 * styles through the CSSOM, which style-src does not restrict. The one `<style>` element it
 * creates (scroll lock of its dialogs, react-remove-scroll) takes its nonce from the global
 * `__webpack_nonce__`, which ide.js sets from the page. No eval, no inline script.
 */
const pageCsp = (styleNonce: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Media types a GraphQL-over-HTTP client asks for; when one of them ranks as high as HTML, Apollo answers. */
const GRAPHQL_TYPES = ['application/json', 'application/graphql-response+json'];

/**
 * Development IDE: GraphiQL 3 on `GET <graphqlPath>` for browser navigations, with
 * every script and stylesheet served by the gateway from node_modules under
 * `<assetsPath>/` (works offline).
 *
 * The page is answered from an `onRequest` hook, so Apollo's own `GET <graphqlPath>`
 * route keeps every GraphQL-over-HTTP GET: a request carrying `query` or
 * `extensions`, or whose Accept header does not rank text/html above
 * application/json and application/graphql-response+json, passes through untouched.
 * Call it on the instance Apollo's routes live in (or an ancestor).
 *
 * The page carries a strict Content-Security-Policy (scripts from 'self' only, styles
 * from 'self' plus a per-response nonce, connect-src 'self' ws: wss:); assets are
 * cached for a year and versioned by a content hash in their URL. The browser side is
 * in ide.script.ts.
 */
export function registerIde(app: FastifyInstance, options: IdeOptions = {}): void {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const assetsPath = (options.assetsPath ?? '/ide').replace(/\/+$/, '');
  const title = options.title ?? 'ccm-gateway GraphQL';

  const assets = new Map<string, Asset>();
  const add = (name: string, body: Buffer, type: string): void => {
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  };
  for (const [name, pkg, file, type] of PACKAGED) add(name, readFileSync(join(packageDir(pkg), file)), type);
  add('ide.css', Buffer.from(PAGE_CSS), CSS);
  add('ide.js', Buffer.from(IDE_BOOTSTRAP_JS), JS);

  const url = (name: string): string => `${assetsPath}/${name}?v=${assets.get(name)!.etag.slice(1, 13)}`;
  const scripts = ['react.production.min.js', 'react-dom.production.min.js', 'graphql-ws.min.js', 'graphiql.min.js', 'ide.js'];
  const renderPage = (styleNonce: string): string =>
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<link rel="icon" href="data:,">',
      `<title>${escapeHtml(title)}</title>`,
      `<link rel="stylesheet" href="${url('graphiql.min.css')}">`,
      `<link rel="stylesheet" href="${url('ide.css')}">`,
      '</head>',
      '<body>',
      `<div id="graphiql" data-endpoint="${escapeHtml(graphqlPath)}" data-style-nonce="${styleNonce}">Loading the GraphQL IDE…</div>`,
      ...scripts.map((name) => `<script src="${url(name)}"></script>`),
      '</body>',
      '</html>',
      '',
    ].join('\n');

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET') return;
    const [path, search = ''] = request.url.split('?', 2) as [string, string?];
    if (path !== graphqlPath) return;
    const query = new URLSearchParams(search);
    if (query.has('query') || query.has('extensions') || !prefersHtml(request.headers.accept)) return;
    const styleNonce = randomBytes(16).toString('base64');
    return reply
      .header('content-security-policy', pageCsp(styleNonce))
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('vary', 'Accept')
      .type('text/html; charset=utf-8')
      .send(renderPage(styleNonce));
  });

  for (const [name, asset] of assets) {
    app.get(`${assetsPath}/${name}`, async (request, reply) => {
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', asset.etag)
        .header('x-content-type-options', 'nosniff')
        .header('vary', 'Accept-Encoding')
        .type(asset.type);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        // Compressed once, on first use: graphiql.min.js shrinks from ~1 MB to ~0.3 MB.
        asset.gzipped ??= gzipSync(asset.body);
        return reply.header('content-encoding', 'gzip').send(asset.gzipped);
      }
      return reply.send(asset.body);
    });
  }
}

/** True when Accept ranks text/html strictly above the GraphQL response types (a browser navigation). */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = quality(accept, 'text/html');
  return html > 0 && GRAPHQL_TYPES.every((type) => html > quality(accept, type));
}

/** The q of the most specific Accept range that matches `type`; 0 when none does. */
function quality(accept: string, type: string): number {
  const wildcard = `${type.split('/')[0]}/*`;
  let specificity = -1;
  let q = 0;
  for (const part of accept.toLowerCase().split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim());
    const rank = range === type ? 2 : range === wildcard ? 1 : range === '*/*' ? 0 : -1;
    if (rank <= specificity) continue;
    specificity = rank;
    const qParam = params.find((p) => p.startsWith('q='));
    const parsed = qParam === undefined ? 1 : Number(qParam.slice(2));
    q = Number.isFinite(parsed) ? parsed : 0;
  }
  return q;
}

/** A package's folder, found on Node's lookup path: the browser builds are not in `exports`. */
function packageDir(pkg: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    if (existsSync(join(dir, pkg, 'package.json'))) return join(dir, pkg);
  }
  throw new Error(`IDE: expected the npm package "${pkg}" to be installed, it was not found`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
