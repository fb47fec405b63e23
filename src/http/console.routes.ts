import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../services/principal';
import { AppError } from '../errors';
import { projectRoot } from '../runtime/project-root';
import { credentialsOf, type Authenticator } from './authenticate';

export interface ConsoleOptions {
  readonly authenticator: Authenticator;
  /** Jobs per state and queue (the dispatcher's `queueCounts`), for the operators' page. */
  readonly queueCounts: () => Promise<Record<string, Record<string, number>>>;
  /** Default `/console`. */
  readonly path?: string;
  /** The browser files; default `src/http/console/` of the project (plain ES modules, no build step). */
  readonly assetsDir?: string;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Roles that see the operators' page (queue depths): the same as the queue dashboard's, plus service accounts. */
const OPERATOR_ROLES: ReadonlySet<string> = new Set(['admin', 'service']);

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The agents' and operators' console at `/console`: static browser modules
 * served by the gateway (nothing from a CDN, works offline) that talk to
 * `/graphql` and its subscriptions with the credentials typed into the login
 * form, exactly as any client does. The page itself holds no data; the two
 * JSON routes below authenticate like the API:
 *
 * - `GET <path>/session`: who the credentials are (role, customer of a portal
 *   user), or 401; `{ open: true }` while authentication is off.
 * - `GET <path>/queues`: jobs per queue and state, for admin and service principals (403 otherwise).
 */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const path = (options.path ?? '/console').replace(/\/+$/, '');
  const dir = options.assetsDir ?? join(projectRoot(), 'src', 'http', 'console');
  const assets = new Map<string, Asset>();
  const add = (name: string, body: Buffer, type: string): void => {
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  };
  for (const file of filesUnder(dir)) {
    const type = TYPES[extname(file)];
    if (type) add(relative(dir, file).split(sep).join('/'), readFileSync(file), type);
  }
  if (!assets.has('index.html')) throw new Error(`console: expected index.html in ${dir}, found none`);
  // The browser build of graphql-ws shipped in its npm package (global `graphqlWs`).
  add('vendor/graphql-ws.min.js', readFileSync(join(projectRoot(), 'node_modules', 'graphql-ws', 'umd', 'graphql-ws.min.js')), TYPES['.js']);

  const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply => {
    reply.header('etag', asset.etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type(asset.type);
    if (asset.type.startsWith('text/html')) reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };
  const index = assets.get('index.html')!;
  app.get(path, (request, reply) => send(request, reply, index));
  app.get(`${path}/`, (request, reply) => send(request, reply, index));
  for (const [name, asset] of assets) {
    if (name !== 'index.html') app.get(`${path}/${name}`, (request, reply) => send(request, reply, asset));
  }

  const principalOf = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    try {
      return await options.authenticator.authenticate(credentialsOf(request.headers));
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'credentials could not be checked';
      void reply.code(401).header('cache-control', 'no-store').send({ error: 'UNAUTHENTICATED', message });
      return null;
    }
  };
  app.get(`${path}/session`, async (request, reply) => {
    const principal = await principalOf(request, reply);
    if (!principal) return reply;
    return reply.header('cache-control', 'no-store').send({ open: options.authenticator.open, role: principal.role, subject: principal.subject, customerId: principal.customerId });
  });
  app.get(`${path}/queues`, async (request, reply) => {
    const principal = await principalOf(request, reply);
    if (!principal) return reply;
    if (!OPERATOR_ROLES.has(principal.role)) return reply.code(403).send({ error: 'FORBIDDEN', message: 'queue depths are for admin and service principals' });
    return reply.header('cache-control', 'no-store').send({ queues: await options.queueCounts() });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}
