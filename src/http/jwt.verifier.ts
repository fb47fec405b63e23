import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type FlattenedJWSInput, type JWTHeaderParameters } from 'jose';
import { AppError, ErrorCode } from '../errors';

export interface JwtVerifierConfig {
  /** `AUTH_JWT_SECRET`: HS256 tokens are accepted when set. */
  readonly secret: string | null;
  /** `AUTH_JWKS_URL`: RS256 and ES256 tokens are accepted, with the identity provider's published keys, when set. */
  readonly jwksUrl: string | null;
  /** Required `iss`, or null for not checked. */
  readonly issuer: string | null;
  /** Required `aud` (a string, or one entry of an array), or null for not checked. */
  readonly audience: string | null;
  /** Leeway for `exp` and `nbf` between our clock and the issuer's. */
  readonly clockToleranceSeconds: number;
  /** Epoch ms. */
  readonly clock: () => number;
}

/** Verifies a compact JWT and answers its claims, or rejects with UNAUTHENTICATED (SERVICE_UNAVAILABLE when the keys cannot be fetched). */
export type JwtVerifier = (token: string) => Promise<Record<string, unknown>>;

/** Far above any real token; bounds the work an anonymous caller can cause. */
const MAX_TOKEN_LENGTH = 8 * 1024;
/** An unknown `kid` (key rotation) refetches the keys at most this often, so forged kids cannot hammer the provider. */
const JWKS_COOLDOWN_MS = 60_000;
/** Keys are refetched after this long, so a key the provider removed stops working. */
const JWKS_MAX_AGE_MS = 600_000;

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;
/** A key jose resolved from the key set (a WebCrypto key). */
type JwksKey = Awaited<ReturnType<RemoteKeySet>>;

const unauthenticated = (message: string): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

const CLAIM_REFUSALS: Readonly<Record<string, string>> = {
  exp: 'token: expected an `exp` claim',
  nbf: 'token: not valid yet',
  iss: 'token: unexpected issuer',
  aud: 'token: unexpected audience',
};

/**
 * JWTs with `jose`: HS256 with the shared secret, RS256/ES256 with keys from
 * the JWKS URL. The accepted algorithms are pinned by what is configured and
 * checked before any key is looked at: `alg: none`, and HS256 signed with a
 * JWKS public key as the secret, never get that far.
 */
export function createJwtVerifier(config: JwtVerifierConfig): JwtVerifier {
  const algorithms = [...(config.secret ? ['HS256'] : []), ...(config.jwksUrl ? ['RS256', 'ES256'] : [])];
  // Imported once: handing jose the raw bytes would import them again on every request (~8× the cost of an HS256 check).
  const hmacKey = config.secret
    ? globalThis.crypto.subtle.importKey('raw', new TextEncoder().encode(config.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    : null;
  const jwks = config.jwksUrl ? new JwksKeys(config.jwksUrl, config.clock) : null;
  const keyFor = (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<JwksKey> => {
    if (header.alg === 'HS256' && hmacKey) return hmacKey;
    if (jwks) return jwks.key(header, token);
    throw unauthenticated(`token: algorithm ${JSON.stringify(header.alg)} is not accepted`);
  };

  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('token: too long');
    let alg: unknown;
    let crit: unknown;
    try {
      ({ alg, crit } = decodeProtectedHeader(token));
    } catch {
      throw unauthenticated('token: malformed');
    }
    if (typeof alg !== 'string' || !algorithms.includes(alg)) {
      throw unauthenticated(`token: algorithm ${JSON.stringify(typeof alg === 'string' ? alg.slice(0, 20) : alg ?? null)} is not accepted`);
    }
    // RFC 7515: extensions listed in `crit` must be understood; this gateway understands none.
    if (crit !== undefined) throw unauthenticated('token: unsupported critical header parameters');
    try {
      const { payload } = await jwtVerify(token, keyFor, {
        algorithms,
        issuer: config.issuer ?? undefined,
        audience: config.audience ?? undefined,
        clockTolerance: config.clockToleranceSeconds,
        currentDate: new Date(config.clock()),
        // Tokens without an expiry could never be retired short of rotating the key.
        requiredClaims: ['exp'],
      });
      return payload as Record<string, unknown>;
    } catch (error) {
      throw refusalOf(error);
    }
  };
}

/** jose's error, in our words: which check failed, never the token or its claims. */
function refusalOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('token: bad signature');
  if (error instanceof errors.JWTExpired) return unauthenticated('token: expired');
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(CLAIM_REFUSALS[error.claim] ?? `token: invalid \`${error.claim}\` claim`);
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return unauthenticated('token: malformed');
  // A key jose will not use (an RSA key under 2048 bits, say): refused, not a server error.
  return unauthenticated('token: cannot be verified with the identity provider keys');
}

/**
 * The identity provider's keys through jose's remote key set, which fetches
 * them on first use, again after ten minutes, and on an unknown `kid` after a
 * one-minute cool-down. jose keeps that time on the wall clock; the checks
 * here repeat it on the authenticator's clock, so an injected clock governs
 * too (with the default clock they coincide and nothing is fetched twice).
 */
class JwksKeys {
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private readonly remote: RemoteKeySet;

  constructor(url: string, private readonly clock: () => number) {
    this.remote = createRemoteJWKSet(new URL(url), {
      timeoutDuration: 5_000,
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      [customFetch]: (input, init) => {
        this.fetchedAt = this.clock();
        return fetch(input, init);
      },
    });
  }

  async key(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<JwksKey> {
    try {
      if (this.clock() - this.fetchedAt > JWKS_MAX_AGE_MS && Number.isFinite(this.fetchedAt)) await this.remote.reload();
      try {
        return await this.remote(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || this.clock() - this.fetchedAt < JWKS_COOLDOWN_MS) throw error;
        await this.remote.reload();
        return await this.remote(header, token);
      }
    } catch (error) {
      // Without a `kid` only an unambiguous key set is usable: several candidates are refused like none.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw unauthenticated('token: no key of the identity provider matches its `kid`');
      }
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'the identity provider keys could not be fetched');
    }
  }
}
