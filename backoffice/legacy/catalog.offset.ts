import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, JsonService, type SimulatedServiceOptions } from '../json.service';
import type { LegacyArticle } from './legacy.shapes';

export interface LegacyCatalogOptions extends SimulatedServiceOptions {
  readonly articles: readonly LegacyArticle[];
  /** OAuth2 client of the gateway (client credentials grant at `POST /oauth/token`). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Lifetime of issued tokens, s. Default 3600. */
  readonly tokenLifetimeS?: number;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The legacy catalog: REST/JSON with offset paging (`start`, `rows`), one
 * article per call (no batch endpoint), behind OAuth2 client credentials.
 * `revokeTokens()` forgets every issued token, as a token server restart would.
 */
export function createLegacyCatalogService(options: LegacyCatalogOptions): { service: JsonService; revokeTokens(): void } {
  const byNo = new Map(options.articles.map((a) => [a.articleNo, a]));
  const tokens = new Set<string>();
  const authorise = (headers: IncomingHttpHeaders): void => {
    const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) throw new HttpError(401, 'UNAUTHORIZED', 'authorization: expected a bearer token issued by /oauth/token', { 'www-authenticate': 'Bearer' });
  };
  const service = new JsonService({
    name: 'legacy catalog',
    ...options,
    routes: [
      {
        method: 'POST',
        path: '/oauth/token',
        handle: ({ body, headers }) => {
          const basic = /^Basic (\S+)$/.exec(headers.authorization ?? '')?.[1];
          const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent) : [];
          if ((body as { grant_type?: string } | undefined)?.grant_type !== 'client_credentials') throw new HttpError(400, 'unsupported_grant_type', 'grant_type: expected client_credentials');
          if (!id || !secret || !same(id, options.clientId) || !same(secret, options.clientSecret)) throw new HttpError(401, 'invalid_client', 'client authentication failed');
          const token = randomBytes(16).toString('hex');
          tokens.add(token);
          return { access_token: token, token_type: 'Bearer', expires_in: options.tokenLifetimeS ?? 3600 };
        },
      },
      {
        method: 'GET',
        path: '/api/articles',
        handle: ({ query, headers }) => {
          authorise(headers);
          const start = Number(query.get('start') ?? '0');
          const rows = Number(query.get('rows') ?? '25');
          if (!Number.isInteger(start) || start < 0 || !Number.isInteger(rows) || rows < 1 || rows > 100) {
            throw new HttpError(400, 'BAD_REQUEST', 'start/rows: expected start ≥ 0 and rows from 1 to 100');
          }
          const family = query.get('family') ?? '';
          const listed = family === '' ? options.articles : options.articles.filter((a) => a.family === family);
          return { numFound: listed.length, start, docs: listed.slice(start, start + rows) };
        },
      },
      {
        method: 'GET',
        path: '/api/articles/{articleNo}',
        handle: ({ params, headers }) => {
          authorise(headers);
          const article = byNo.get(params.articleNo);
          if (!article) throw new HttpError(404, 'NOT_FOUND', `article ${JSON.stringify(params.articleNo)} was not found`);
          return article;
        },
      },
    ],
  });
  return { service, revokeTokens: () => tokens.clear() };
}
