import { createHmac, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Claims = Record<string, unknown>;

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Standard claims a test token gets unless it says otherwise: valid for ten minutes. */
export function claimsOf(claims: Claims): Claims {
  return { iat: nowSeconds(), exp: nowSeconds() + 600, ...claims };
}

/** An HS256 JWT, as an identity provider sharing `AUTH_JWT_SECRET` would issue it. `exp` defaults to 10 minutes from now. */
export function signHs256(claims: Claims, secret: string, header: Claims = {}): string {
  const head = part({ alg: 'HS256', typ: 'JWT', ...header });
  const body = part(claimsOf(claims));
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

/** An RS256 or ES256 JWT signed with `privateKey`. */
export function signAsymmetric(claims: Claims, alg: 'RS256' | 'ES256', privateKey: KeyObject, header: Claims = {}): string {
  const head = part({ alg, typ: 'JWT', ...header });
  const body = part(claimsOf(claims));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
  return `${head}.${body}.${signature.toString('base64url')}`;
}

/** `alg: none`: no signature at all, the classic forgery. */
export function unsignedToken(claims: Claims, alg: unknown = 'none'): string {
  return `${part({ alg, typ: 'JWT' })}.${part(claimsOf(claims))}.`;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  /** The public half as a JWK with `kid`, `alg` and `use`. */
  readonly jwk: JsonWebKey;
}

export function generateSigningKey(alg: 'RS256' | 'ES256', kid: string): SigningKey {
  const { privateKey, publicKey } = alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export interface JwksServer {
  readonly url: string;
  /** Keys served from now on (rotation). */
  keys: JsonWebKey[];
  /** GET requests received so far. */
  readonly requests: number;
  /** Answer 503 from now on. */
  failing: boolean;
  close(): Promise<void>;
}

/** An identity provider's JWKS endpoint on loopback. */
export async function startJwksServer(keys: JsonWebKey[]): Promise<JwksServer> {
  const state = { keys, requests: 0, failing: false };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    if (state.failing) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get keys() { return state.keys; },
    set keys(value) { state.keys = value; },
    get requests() { return state.requests; },
    get failing() { return state.failing; },
    set failing(value) { state.failing = value; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
