import type { IncomingHttpHeaders } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config';
import { AppError, ErrorCode } from '../errors';
import { DEVELOPMENT_PRINCIPAL, ROLES, type Principal, type Role } from '../services/principal';
import { createJwtVerifier } from './jwt.verifier';

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
  /** Epoch ms. Default `Date.now`. */
  readonly clock?: () => number;
}

const unauthenticated = (message: string): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `AUTH_API_KEYS` entries are `<key>` (a service) or `<role>:<key>`; JWTs are
 * HS256 with `AUTH_JWT_SECRET` or RS256/ES256 with keys from `AUTH_JWKS_URL`
 * (`jwt.verifier.ts`). The algorithm is pinned by what is configured, never
 * chosen by the token.
 */
export function createAuthenticator(config: AuthenticatorConfig, options: AuthenticatorOptions = {}): Authenticator {
  // Only digests are kept: a heap dump or a log of this object does not hold usable keys.
  const apiKeys = config.apiKeys.map(parseApiKey);
  const open = !config.jwtSecret && !config.jwksUrl && apiKeys.length === 0;
  const clock = options.clock ?? (() => Date.now());
  const verifyJwt = createJwtVerifier({
    secret: config.jwtSecret,
    jwksUrl: config.jwksUrl,
    issuer: config.issuer ?? null,
    audience: config.audience ?? null,
    clockToleranceSeconds: config.clockToleranceSeconds ?? 5,
    clock,
  });

  return {
    open,
    async authenticate(credentials) {
      if (open) return DEVELOPMENT_PRINCIPAL;
      const authorization = credentials.authorization?.trim() ?? '';
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (bearer) {
        return principalOf(await verifyJwt(bearer));
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
  const match = /^(agent|portal|service|admin|approver):(.+)$/.exec(entry);
  const role = (match?.[1] as Role | undefined) ?? 'service';
  // A portal principal is bound to one customer, which only a token can say.
  if (role === 'portal') throw new ConfigError('AUTH_API_KEYS', 'keys of role agent, service, admin or approver (portal principals use JWTs)', `entry ${index + 1} of role portal`);
  // Principals of keys are named by position, so the key itself never appears in logs or records.
  return { digest: sha256(match ? match[2] : entry), role, name: `${index + 1}` };
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
