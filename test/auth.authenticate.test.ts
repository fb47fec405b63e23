import { createHmac } from 'node:crypto';
import { ConfigError } from '../src/config';
import { AppError } from '../src/errors';
import { createAuthenticator, type AuthenticatorConfig, type Credentials } from '../src/http/authenticate';
import { DEVELOPMENT_PRINCIPAL, type Principal } from '../src/services/principal';
import { claimsOf, generateSigningKey, signAsymmetric, signHs256, startJwksServer, unsignedToken, type JwksServer } from './support/tokens';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const config = (overrides: Partial<AuthenticatorConfig> = {}): AuthenticatorConfig => ({ jwtSecret: null, jwksUrl: null, apiKeys: [], ...overrides });
const bearer = (token: string): Credentials => ({ authorization: `Bearer ${token}` });

/** The code of the refusal, or 'accepted' — so a test fails loudly when a forgery gets in. */
async function refusal(authenticate: Promise<Principal>): Promise<string> {
  try {
    await authenticate;
    return 'accepted';
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.message).not.toMatch(/\n|\bat \S+ \(/);
    return `${String(error.extensions.code)}: ${error.message}`;
  }
}

describe('createAuthenticator with AUTH_JWT_SECRET (HS256)', () => {
  const auth = createAuthenticator(config({ jwtSecret: SECRET }));

  it('accepts a valid token and maps its claims to a principal that expires with it', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    await expect(auth.authenticate(bearer(signHs256({ sub: 'agent-7', role: 'agent', exp }, SECRET)))).resolves.toEqual({ subject: 'agent-7', role: 'agent', customerId: null, expiresAt: exp * 1000 });
    await expect(auth.authenticate(bearer(signHs256({ sub: 'u1', role: 'portal', customerId: 'C0000001' }, SECRET)))).resolves.toMatchObject({ role: 'portal', customerId: 'C0000001' });
    // A customerId on a non-portal token binds nothing.
    await expect(auth.authenticate(bearer(signHs256({ sub: 's', role: 'admin', customerId: 'C0000001' }, SECRET)))).resolves.toMatchObject({ role: 'admin', customerId: null });
    expect(auth.open).toBe(false);
  });

  it('refuses a bad signature, a tampered payload and another secret', async () => {
    const token = signHs256({ sub: 'u1', role: 'portal', customerId: 'C0000001' }, SECRET);
    const [head, , sig] = token.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify(claimsOf({ sub: 'u1', role: 'admin' }))).toString('base64url')}.${sig}`;
    expect(await refusal(auth.authenticate(bearer(tampered)))).toBe('UNAUTHENTICATED: token: bad signature');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'x', role: 'admin' }, `${SECRET}-other`))))).toBe('UNAUTHENTICATED: token: bad signature');
    expect(await refusal(auth.authenticate(bearer(`${head}.${token.split('.')[1]}.${sig.slice(0, -4)}`)))).toBe('UNAUTHENTICATED: token: bad signature');
  });

  it('refuses expired, not-yet-valid and expiry-less tokens, with a few seconds of clock leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent', exp: now - 60 }, SECRET))))).toBe('UNAUTHENTICATED: token: expired');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent', exp: now - 2 }, SECRET))))).toBe('accepted');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent', nbf: now + 120 }, SECRET))))).toBe('UNAUTHENTICATED: token: not valid yet');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent', exp: undefined }, SECRET))))).toBe('UNAUTHENTICATED: token: expected an `exp` claim');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent', exp: String(now + 60) }, SECRET))))).toBe('UNAUTHENTICATED: token: expected an `exp` claim');
  });

  it('uses the injected clock', async () => {
    const later = createAuthenticator(config({ jwtSecret: SECRET }), { clock: () => Date.now() + 3_600_000 });
    expect(await refusal(later.authenticate(bearer(signHs256({ sub: 'a', role: 'agent' }, SECRET))))).toBe('UNAUTHENTICATED: token: expired');
  });

  it.each([
    ['alg none, empty signature', unsignedToken({ sub: 'x', role: 'admin' })],
    ['alg None', unsignedToken({ sub: 'x', role: 'admin' }, 'None')],
    ['alg missing', unsignedToken({ sub: 'x', role: 'admin' }, undefined)],
    ['alg none with a signature', `${unsignedToken({ sub: 'x', role: 'admin' })}c2ln`],
    ['RS256 without a JWKS configured', signAsymmetric({ sub: 'x', role: 'admin' }, 'RS256', generateSigningKey('RS256', 'k').privateKey)],
    ['HS512', `${unsignedToken({ sub: 'x', role: 'admin' }, 'HS512')}c2ln`],
  ])('refuses %s', async (_name, token) => {
    expect(await refusal(auth.authenticate(bearer(token)))).toMatch(/^UNAUTHENTICATED: token: algorithm .* is not accepted$/);
  });

  it.each([
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['characters outside base64url', 'ab+c.de/f.ghi'],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.c2ln`],
    ['a header that is an array', `${Buffer.from('[1]').toString('base64url')}.e30.c2ln`],
    ['an 9 KiB token', `${'a'.repeat(9 * 1024)}.b.c`],
  ])('refuses a malformed token: %s', async (_name, token) => {
    expect(await refusal(auth.authenticate(bearer(token)))).toMatch(/^UNAUTHENTICATED: token: (malformed|expected a JWT|too long)/);
  });

  it('refuses unknown critical header parameters', async () => {
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent' }, SECRET, { crit: ['exp'] }))))).toBe('UNAUTHENTICATED: token: unsupported critical header parameters');
  });

  it('refuses a portal token without customerId, unknown roles and a missing subject', async () => {
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'u1', role: 'portal' }, SECRET))))).toBe('UNAUTHENTICATED: token: a portal token needs a `customerId` claim');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'u1', role: 'portal', customerId: '' }, SECRET))))).toBe('UNAUTHENTICATED: token: a portal token needs a `customerId` claim');
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'u1', role: 'root' }, SECRET))))).toMatch(/expected a `role` claim of agent, portal, service, admin/);
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'u1', role: ['admin'] }, SECRET))))).toMatch(/expected a `role` claim/);
    expect(await refusal(auth.authenticate(bearer(signHs256({ role: 'agent' }, SECRET))))).toBe('UNAUTHENTICATED: token: expected a `sub` claim');
  });

  it('refuses missing and non-Bearer credentials', async () => {
    expect(await refusal(auth.authenticate({}))).toBe('UNAUTHENTICATED: expected an Authorization: Bearer <JWT> or an X-Api-Key header');
    expect(await refusal(auth.authenticate({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }))).toBe('UNAUTHENTICATED: Authorization: expected "Bearer <JWT>"');
    expect(await refusal(auth.authenticate({ authorization: 'Bearer' }))).toBe('UNAUTHENTICATED: Authorization: expected "Bearer <JWT>"');
    expect(await refusal(auth.authenticate({ authorization: 'Bearer a b' }))).toBe('UNAUTHENTICATED: Authorization: expected "Bearer <JWT>"');
    // The API keys are not configured here: a key is not a way around the JWT.
    expect(await refusal(auth.authenticate({ apiKey: SECRET }))).toBe('UNAUTHENTICATED: X-Api-Key: unknown key');
  });

  it('carries HTTP 401 for the GraphQL response', async () => {
    await expect(auth.authenticate({})).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createAuthenticator(config({ jwtSecret: SECRET, issuer: 'https://idp.example', audience: 'ccm-gateway' }));
    const claims = { sub: 'a', role: 'agent', iss: 'https://idp.example' };
    expect(await refusal(strict.authenticate(bearer(signHs256({ ...claims, aud: 'ccm-gateway' }, SECRET))))).toBe('accepted');
    expect(await refusal(strict.authenticate(bearer(signHs256({ ...claims, aud: ['other', 'ccm-gateway'] }, SECRET))))).toBe('accepted');
    expect(await refusal(strict.authenticate(bearer(signHs256({ ...claims, aud: 'other-api' }, SECRET))))).toBe('UNAUTHENTICATED: token: unexpected audience');
    expect(await refusal(strict.authenticate(bearer(signHs256({ ...claims }, SECRET))))).toBe('UNAUTHENTICATED: token: unexpected audience');
    expect(await refusal(strict.authenticate(bearer(signHs256({ ...claims, iss: 'https://evil.example', aud: 'ccm-gateway' }, SECRET))))).toBe('UNAUTHENTICATED: token: unexpected issuer');
  });
});

describe('createAuthenticator with AUTH_JWKS_URL (RS256, ES256)', () => {
  const rsa = generateSigningKey('RS256', 'rsa-1');
  const ec = generateSigningKey('ES256', 'ec-1');
  let jwks: JwksServer;
  beforeEach(async () => {
    jwks = await startJwksServer([rsa.jwk, ec.jwk]);
  });
  afterEach(async () => {
    await jwks.close();
  });

  it('verifies RS256 and ES256 tokens against keys fetched from the JWKS URL, once', async () => {
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }));
    await expect(auth.authenticate(bearer(signAsymmetric({ sub: 'a1', role: 'agent' }, 'RS256', rsa.privateKey, { kid: 'rsa-1' })))).resolves.toMatchObject({ subject: 'a1', role: 'agent' });
    await expect(auth.authenticate(bearer(signAsymmetric({ sub: 'p1', role: 'portal', customerId: 'C0000009' }, 'ES256', ec.privateKey, { kid: 'ec-1' })))).resolves.toMatchObject({ role: 'portal', customerId: 'C0000009' });
    expect(jwks.requests).toBe(1);
  });

  it('refuses a token whose kid is unknown, refetching the keys at most once a minute', async () => {
    let now = Date.now();
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }), { clock: () => now });
    const stranger = generateSigningKey('RS256', 'rsa-2');
    const forged = signAsymmetric({ sub: 'x', role: 'admin' }, 'RS256', stranger.privateKey, { kid: 'rsa-2' });
    expect(await refusal(auth.authenticate(bearer(forged)))).toBe('UNAUTHENTICATED: token: no key of the identity provider matches its `kid`');
    for (let i = 0; i < 5; i += 1) expect(await refusal(auth.authenticate(bearer(forged)))).toMatch(/^UNAUTHENTICATED/);
    expect(jwks.requests).toBe(1);
    // Rotation: the provider publishes the new key; after the cool-down an unknown kid looks again.
    jwks.keys = [rsa.jwk, stranger.jwk];
    now += 61_000;
    await expect(auth.authenticate(bearer(forged))).resolves.toMatchObject({ subject: 'x', role: 'admin' });
    expect(jwks.requests).toBe(2);
  });

  it('refuses a token signed by the right kid with another key, and a key used for the wrong algorithm', async () => {
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }));
    const impostor = generateSigningKey('RS256', 'rsa-1');
    expect(await refusal(auth.authenticate(bearer(signAsymmetric({ sub: 'x', role: 'admin' }, 'RS256', impostor.privateKey, { kid: 'rsa-1' }))))).toBe('UNAUTHENTICATED: token: bad signature');
    // The EC key's kid with an RS256 header: a key is only used for its own algorithm.
    expect(await refusal(auth.authenticate(bearer(signAsymmetric({ sub: 'x', role: 'admin' }, 'RS256', rsa.privateKey, { kid: 'ec-1' }))))).toMatch(/no key of the identity provider matches/);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }));
    const publicPem = JSON.stringify(rsa.jwk);
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'rsa-1' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claimsOf({ sub: 'x', role: 'admin' }))).toString('base64url');
    const token = `${head}.${body}.${createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url')}`;
    expect(await refusal(auth.authenticate(bearer(token)))).toBe('UNAUTHENTICATED: token: algorithm "HS256" is not accepted');
  });

  it('uses a token without kid only when one key fits', async () => {
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }));
    await expect(auth.authenticate(bearer(signAsymmetric({ sub: 'a', role: 'service' }, 'ES256', ec.privateKey)))).resolves.toMatchObject({ role: 'service' });
    jwks.keys = [rsa.jwk, ec.jwk, generateSigningKey('ES256', 'ec-2').jwk];
    const fresh = createAuthenticator(config({ jwksUrl: jwks.url }));
    expect(await refusal(fresh.authenticate(bearer(signAsymmetric({ sub: 'a', role: 'service' }, 'ES256', ec.privateKey))))).toMatch(/no key of the identity provider matches/);
  });

  it('answers SERVICE_UNAVAILABLE when the identity provider cannot be reached', async () => {
    jwks.failing = true;
    const auth = createAuthenticator(config({ jwksUrl: jwks.url }));
    expect(await refusal(auth.authenticate(bearer(signAsymmetric({ sub: 'a', role: 'agent' }, 'RS256', rsa.privateKey, { kid: 'rsa-1' }))))).toBe('SERVICE_UNAVAILABLE: the identity provider keys could not be fetched');
  });

  it('accepts HS256 too when both a secret and a JWKS are configured', async () => {
    const auth = createAuthenticator(config({ jwksUrl: jwks.url, jwtSecret: SECRET }));
    await expect(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'agent' }, SECRET)))).resolves.toMatchObject({ role: 'agent' });
    await expect(auth.authenticate(bearer(signAsymmetric({ sub: 'b', role: 'agent' }, 'RS256', rsa.privateKey, { kid: 'rsa-1' })))).resolves.toMatchObject({ subject: 'b' });
  });
});

describe('createAuthenticator with AUTH_API_KEYS', () => {
  const keys = ['svc-key-0123456789abcdef', 'agent:agent-key-0123456789', 'admin:admin-key-0123456789', 'service:second-service-key-0123'];
  const auth = createAuthenticator(config({ apiKeys: keys }));

  it('maps each key to its role and names the principal by position, never by the key', async () => {
    await expect(auth.authenticate({ apiKey: 'svc-key-0123456789abcdef' })).resolves.toEqual({ subject: 'api-key:1', role: 'service', customerId: null, expiresAt: null });
    await expect(auth.authenticate({ apiKey: 'agent-key-0123456789' })).resolves.toMatchObject({ subject: 'api-key:2', role: 'agent' });
    await expect(auth.authenticate({ apiKey: 'admin-key-0123456789' })).resolves.toMatchObject({ subject: 'api-key:3', role: 'admin' });
    await expect(auth.authenticate({ apiKey: 'second-service-key-0123' })).resolves.toMatchObject({ subject: 'api-key:4', role: 'service' });
  });

  it('lets the key decide when a proxy sends another Authorization scheme beside it', async () => {
    await expect(auth.authenticate({ authorization: 'Basic b3BzOnB3', apiKey: 'admin-key-0123456789' })).resolves.toMatchObject({ role: 'admin' });
    expect(await refusal(auth.authenticate({ authorization: 'Basic b3BzOnB3', apiKey: 'nope' }))).toBe('UNAUTHENTICATED: X-Api-Key: unknown key');
    // A Bearer token always wins, and a bad one is not rescued by a key.
    expect(await refusal(auth.authenticate({ authorization: 'Bearer x.y.z', apiKey: 'admin-key-0123456789' }))).toMatch(/^UNAUTHENTICATED: token:/);
  });

  it('refuses near misses of every length without throwing anything but UNAUTHENTICATED', async () => {
    // The comparison is on SHA-256 digests (equal lengths): a short, long or prefix key must not reach a length check or a RangeError.
    for (const attempt of ['s', 'svc-key-0123456789abcde', 'svc-key-0123456789abcdef0', 'svc-key-0123456789abcdeF', 'agent:agent-key-0123456789', 'x'.repeat(100_000), ' svc-key-0123456789abcdef']) {
      expect(await refusal(auth.authenticate({ apiKey: attempt }))).toBe('UNAUTHENTICATED: X-Api-Key: unknown key');
    }
  });

  it('refuses portal keys at start: a portal principal needs a customerId, which only a token carries', () => {
    expect(() => createAuthenticator(config({ apiKeys: ['portal:p-key-0123456789'] }))).toThrow(ConfigError);
    expect(() => createAuthenticator(config({ apiKeys: ['portal:p-key-0123456789'] }))).toThrow(/^AUTH_API_KEYS: expected/);
  });

  it('does not let a JWT-less deployment accept Bearer tokens', async () => {
    expect(await refusal(auth.authenticate(bearer(signHs256({ sub: 'a', role: 'admin' }, SECRET))))).toMatch(/algorithm "HS256" is not accepted/);
  });
});

describe('createAuthenticator with nothing configured', () => {
  it('is open and answers the development principal (admin), whatever is presented', async () => {
    const auth = createAuthenticator(config());
    expect(auth.open).toBe(true);
    await expect(auth.authenticate({})).resolves.toBe(DEVELOPMENT_PRINCIPAL);
    await expect(auth.authenticate({ authorization: 'Bearer garbage' })).resolves.toBe(DEVELOPMENT_PRINCIPAL);
  });
});
