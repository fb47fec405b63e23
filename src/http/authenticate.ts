import type { IncomingHttpHeaders } from 'node:http';
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config';
import { AppError, ErrorCode } from '../errors';
import { DEVELOPMENT_PRINCIPAL, ROLES, type Principal, type Role } from '../services/principal';

/** What a request or a WebSocket connection presents. */
export interface Credentials {
  readonly authorization?: string | null;
  readonly apiKey?: string | null;
}

/** The first value of a header that may repeat. */
export function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** What an HTTP request presents, from its `Authorization` and `X-Api-Key` headers. */
export function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  return { authorization: headerValue(headers.authorization), apiKey: headerValue(headers['x-api-key']) };
}

export interface Authenticator {
  /** True when no credentials are configured: every request is the development principal. */
  readonly open: boolean;
  authenticate(credentials: Credentials): Promise<Principal>;
}

/** What `Config.auth` holds (`AUTH_*`), plus the optional JWT claim checks and clock leeway. */
export interface AuthenticatorConfig {
  readonly jwtSecret: string | null;
  readonly jwksUrl: string | null;
  readonly apiKeys: readonly string[];
  /** Required `iss` when set. Default: not checked. */
  readonly issuer?: string | null;
  /** Required `aud` (a string, or one entry of an array) when set. Default: not checked. */
  readonly audience?: string | null;
  /** Leeway for `exp` and `nbf` between our clock and the issuer's. Default 5 s. */
  readonly clockToleranceSeconds?: number;
}

export interface AuthenticatorOptions {
  /** Default: `fetch` with a 5 s timeout. */
  readonly fetchJwks?: (url: string) => Promise<{ keys: JsonWebKey[] }>;
  /** Epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

const unauthenticated = (message: string): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/** Far above any real token; bounds the work an anonymous caller can cause. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Asymmetric algorithms and the JWK key type each needs: a key is only used for its own kind. */
const ASYMMETRIC: Readonly<Record<string, { kty: string; crv?: string; signatureBytes?: number }>> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256', signatureBytes: 64 },
};

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `AUTH_API_KEYS` entries are `<key>` (a service) or `<role>:<key>`; JWTs are
 * HS256 with `AUTH_JWT_SECRET` or RS256/ES256 with keys from `AUTH_JWKS_URL`.
 * The algorithm is pinned by what is configured, never chosen by the token.
 */
export function createAuthenticator(config: AuthenticatorConfig, options: AuthenticatorOptions = {}): Authenticator {
  // Only digests are kept: a heap dump or a log of this object does not hold usable keys.
  const apiKeys = config.apiKeys.map(parseApiKey);
  const open = !config.jwtSecret && !config.jwksUrl && apiKeys.length === 0;
  const clock = options.clock ?? (() => Date.now());
  const jwks = config.jwksUrl ? new JwksCache(config.jwksUrl, options.fetchJwks ?? defaultFetchJwks, clock) : null;
  const claimChecks = { issuer: config.issuer ?? null, audience: config.audience ?? null, toleranceSeconds: config.clockToleranceSeconds ?? 5 };

  return {
    open,
    async authenticate(credentials) {
      if (open) return DEVELOPMENT_PRINCIPAL;
      const authorization = credentials.authorization?.trim() ?? '';
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (bearer) {
        const claims = await verifyJwt(bearer, config.jwtSecret, jwks);
        return principalOf(checkClaims(claims, claimChecks, clock() / 1000));
      }
      if (credentials.apiKey) {
        const presented = sha256(credentials.apiKey);
        // Every configured key is compared, equal-length digests each time: the time taken says nothing about which key came close.
        let match: (typeof apiKeys)[number] | null = null;
        for (const key of apiKeys) if (timingSafeEqual(key.digest, presented) && match === null) match = key;
        if (match) return { subject: `api-key:${match.name}`, role: match.role, customerId: null, expiresAt: null };
        throw unauthenticated('X-Api-Key: unknown key');
      }
      // Another scheme (a proxy's Basic auth, say) is not ours to check; with an API key beside it, the key decides.
      if (authorization !== '') throw unauthenticated('Authorization: expected "Bearer <JWT>"');
      throw unauthenticated('expected an Authorization: Bearer <JWT> or an X-Api-Key header');
    },
  };
}

function parseApiKey(entry: string, index: number): { digest: Buffer; role: Role; name: string } {
  const match = /^(agent|portal|service|admin):(.+)$/.exec(entry);
  const role = (match?.[1] as Role | undefined) ?? 'service';
  // A portal principal is bound to one customer, which only a token can say.
  if (role === 'portal') throw new ConfigError('AUTH_API_KEYS', 'keys of role agent, service or admin (portal principals use JWTs)', `entry ${index + 1} of role portal`);
  // Principals of keys are named by position, so the key itself never appears in logs or records.
  return { digest: sha256(match ? match[2] : entry), role, name: `${index + 1}` };
}

function checkClaims(claims: Record<string, unknown>, checks: { issuer: string | null; audience: string | null; toleranceSeconds: number }, now: number): Record<string, unknown> {
  // Tokens without an expiry could never be retired short of rotating the key; they are refused.
  if (typeof claims.exp !== 'number') throw unauthenticated('token: expected an `exp` claim');
  if (now - checks.toleranceSeconds >= claims.exp) throw unauthenticated('token: expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + checks.toleranceSeconds < claims.nbf)) throw unauthenticated('token: not valid yet');
  if (checks.issuer !== null && claims.iss !== checks.issuer) throw unauthenticated('token: unexpected issuer');
  if (checks.audience !== null) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(checks.audience)) throw unauthenticated('token: unexpected audience');
  }
  return claims;
}

function principalOf(claims: Record<string, unknown>): Principal {
  const subject = claims.sub;
  const role = claims.role;
  if (typeof subject !== 'string' || subject === '' || subject.length > 256) throw unauthenticated('token: expected a `sub` claim');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw unauthenticated(`token: expected a \`role\` claim of ${ROLES.join(', ')}`);
  const customerId = typeof claims.customerId === 'string' && claims.customerId !== '' && claims.customerId.length <= 128 ? claims.customerId : null;
  if (role === 'portal' && customerId === null) throw unauthenticated('token: a portal token needs a `customerId` claim');
  return { subject, role: role as Role, customerId: role === 'portal' ? customerId : null, expiresAt: (claims.exp as number) * 1000 };
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

async function verifyJwt(token: string, secret: string | null, jwks: JwksCache | null): Promise<Record<string, unknown>> {
  if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('token: too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '' || !parts.every((p) => BASE64URL.test(p))) throw unauthenticated('token: expected a JWT (three dot-separated base64url parts)');
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodePart(parts[0]);
    claims = decodePart(parts[1]);
  } catch {
    throw unauthenticated('token: malformed');
  }
  // RFC 7515: extensions listed in `crit` must be understood; this verifier understands none.
  if (header.crit !== undefined) throw unauthenticated('token: unsupported critical header parameters');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const alg = header.alg;
  let valid: boolean;
  if (alg === 'HS256' && secret) {
    const expected = createHmac('sha256', secret).update(signed).digest();
    valid = expected.length === signature.length && timingSafeEqual(expected, signature);
  } else if (typeof alg === 'string' && ASYMMETRIC[alg] && jwks) {
    const spec = ASYMMETRIC[alg];
    const key = await jwks.key(typeof header.kid === 'string' ? header.kid : null, alg);
    if (!key) throw unauthenticated('token: no key of the identity provider matches its `kid`');
    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) throw unauthenticated('token: bad signature');
    valid = verify('sha256', signed, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  } else {
    // `none`, or an algorithm this gateway was not configured for: never trusted.
    throw unauthenticated(`token: algorithm ${JSON.stringify(typeof alg === 'string' ? alg.slice(0, 20) : alg ?? null)} is not accepted`);
  }
  if (!valid) throw unauthenticated('token: bad signature');
  return claims;
}

async function defaultFetchJwks(url: string): Promise<{ keys: JsonWebKey[] }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`JWKS: HTTP ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error('JWKS: expected a `keys` array');
  return { keys: body.keys as JsonWebKey[] };
}

interface KnownKey { readonly kid: string | null; readonly jwk: JsonWebKey; readonly key: KeyObject }

/**
 * The identity provider's public keys. Fetched on first use, again after ten
 * minutes (so a removed key stops working), and when an unknown `kid` shows up
 * (key rotation) — at most once a minute, so forged kids cannot hammer the provider.
 */
class JwksCache {
  private keys: KnownKey[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly fetchJwks: (url: string) => Promise<{ keys: JsonWebKey[] }>,
    private readonly clock: () => number,
  ) {}

  async key(kid: string | null, alg: string): Promise<KeyObject | null> {
    const age = this.clock() - this.fetchedAt;
    if (age > 600_000) await this.refresh();
    const known = this.find(kid, alg);
    if (known || this.clock() - this.fetchedAt < 60_000) return known;
    await this.refresh();
    return this.find(kid, alg);
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        const { keys } = await this.fetchJwks(this.url);
        this.keys = keys.flatMap((jwk): KnownKey[] => {
          try {
            return [{ kid: typeof jwk.kid === 'string' ? jwk.kid : null, jwk, key: createPublicKey({ key: jwk, format: 'jwk' }) }];
          } catch {
            return []; // a key we cannot read (another type, a private-only entry) is skipped, not fatal
          }
        });
        this.fetchedAt = this.clock();
      } catch {
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'the identity provider keys could not be fetched');
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  private find(kid: string | null, alg: string): KeyObject | null {
    const spec = ASYMMETRIC[alg];
    const usable = this.keys.filter(({ jwk }) =>
      jwk.kty === spec.kty && (spec.crv === undefined || jwk.crv === spec.crv) &&
      (jwk.alg === undefined || jwk.alg === alg) && (jwk.use === undefined || jwk.use === 'sig'));
    if (kid !== null) return usable.find((k) => k.kid === kid)?.key ?? null;
    // Without a `kid` only an unambiguous key set is usable.
    return usable.length === 1 ? usable[0].key : null;
  }
}
