import { createHmac, createPublicKey, createVerify, timingSafeEqual, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AuthConfig } from '../config';
import { AppError, ErrorCode } from '../errors';
import { DEVELOPMENT_PRINCIPAL, type Principal, type Role } from '../resolvers/principal';

const ROLES: readonly Role[] = ['agent', 'portal', 'service', 'admin'];

/** What a request or a WebSocket connection presents. */
export interface Credentials {
  readonly authorization?: string | null;
  readonly apiKey?: string | null;
}

export interface Authenticator {
  /** True when no credentials are configured: every request is the development principal. */
  readonly open: boolean;
  authenticate(credentials: Credentials): Promise<Principal>;
}

const unauthenticated = (message: string): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/**
 * `AUTH_API_KEYS` entries are `<key>` (a service) or `<role>:<key>`; JWTs are
 * HS256 with `AUTH_JWT_SECRET` or RS256/ES256 with keys from `AUTH_JWKS_URL`.
 */
export function createAuthenticator(config: AuthConfig, options: { fetchJwks?: (url: string) => Promise<{ keys: JsonWebKey[] }>; clock?: () => number } = {}): Authenticator {
  const apiKeys = config.apiKeys.map(parseApiKey);
  const open = !config.jwtSecret && !config.jwksUrl && apiKeys.length === 0;
  const clock = options.clock ?? (() => Date.now());
  const jwks = config.jwksUrl ? new JwksCache(config.jwksUrl, options.fetchJwks ?? defaultFetchJwks) : null;

  return {
    open,
    async authenticate(credentials) {
      if (open) return DEVELOPMENT_PRINCIPAL;
      const bearer = /^Bearer\s+(\S+)$/i.exec(credentials.authorization?.trim() ?? '')?.[1];
      if (bearer) return principalOf(await verifyJwt(bearer, config.jwtSecret, jwks, clock()));
      if (credentials.apiKey) {
        const presented = Buffer.from(credentials.apiKey);
        const match = apiKeys.find((k) => k.key.length === presented.length && timingSafeEqual(k.key, presented));
        if (match) return { subject: `api-key:${match.name}`, role: match.role, customerId: null };
        throw unauthenticated('X-Api-Key: unknown key');
      }
      throw unauthenticated('expected an Authorization: Bearer <JWT> or an X-Api-Key header');
    },
  };
}

function parseApiKey(entry: string, index: number): { key: Buffer; role: Role; name: string } {
  const match = /^(agent|portal|service|admin):(.+)$/.exec(entry);
  const role = (match?.[1] as Role | undefined) ?? 'service';
  // Principals of keys are named by position, so the key itself never appears in logs or records.
  return { key: Buffer.from(match ? match[2] : entry), role, name: `${index + 1}` };
}

function principalOf(claims: Record<string, unknown>): Principal {
  const subject = claims.sub;
  const role = claims.role;
  if (typeof subject !== 'string' || subject === '') throw unauthenticated('token: expected a `sub` claim');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw unauthenticated(`token: expected a \`role\` claim of ${ROLES.join(', ')}`);
  const customerId = typeof claims.customerId === 'string' && claims.customerId !== '' ? claims.customerId : null;
  if (role === 'portal' && customerId === null) throw unauthenticated('token: a portal token needs a `customerId` claim');
  return { subject, role: role as Role, customerId: role === 'portal' ? customerId : null };
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

async function verifyJwt(token: string, secret: string | null, jwks: JwksCache | null, nowMs: number): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3) throw unauthenticated('token: expected a JWT (three dot-separated parts)');
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodePart(parts[0]);
    claims = decodePart(parts[1]);
  } catch {
    throw unauthenticated('token: malformed');
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  let valid = false;
  if (header.alg === 'HS256' && secret) {
    const expected = createHmac('sha256', secret).update(signed).digest();
    valid = expected.length === signature.length && timingSafeEqual(expected, signature);
  } else if ((header.alg === 'RS256' || header.alg === 'ES256') && jwks) {
    const key = await jwks.key(typeof header.kid === 'string' ? header.kid : null);
    valid = key !== null && createVerify('sha256').update(signed).verify(header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  } else {
    // `none`, or an algorithm this gateway was not configured for: never trusted.
    throw unauthenticated(`token: algorithm ${JSON.stringify(header.alg)} is not accepted`);
  }
  if (!valid) throw unauthenticated('token: bad signature');
  const now = nowMs / 1000;
  if (typeof claims.exp === 'number' && now >= claims.exp) throw unauthenticated('token: expired');
  if (typeof claims.nbf === 'number' && now < claims.nbf) throw unauthenticated('token: not valid yet');
  return claims;
}

async function defaultFetchJwks(url: string): Promise<{ keys: JsonWebKey[] }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`JWKS: HTTP ${response.status}`);
  return (await response.json()) as { keys: JsonWebKey[] };
}

/** Keys by `kid`, refreshed at most every minute when an unknown kid shows up (key rotation). */
class JwksCache {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;

  constructor(
    private readonly url: string,
    private readonly fetchJwks: (url: string) => Promise<{ keys: JsonWebKey[] }>,
  ) {}

  async key(kid: string | null): Promise<KeyObject | null> {
    const known = this.find(kid);
    if (known || Date.now() - this.fetchedAt < 60_000) return known;
    this.fetchedAt = Date.now();
    try {
      const { keys } = await this.fetchJwks(this.url);
      this.keys = new Map(keys.map((jwk, i) => [typeof jwk.kid === 'string' ? jwk.kid : `#${i}`, createPublicKey({ key: jwk, format: 'jwk' })]));
    } catch {
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'the identity provider keys could not be fetched');
    }
    return this.find(kid);
  }

  private find(kid: string | null): KeyObject | null {
    if (kid !== null) return this.keys.get(kid) ?? null;
    return this.keys.size === 1 ? [...this.keys.values()][0] : null;
  }
}
