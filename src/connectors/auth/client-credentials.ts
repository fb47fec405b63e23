import type { BackofficeSystem } from '../../errors';
import type { AuthSpec } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>;

/** Seconds before expiry at which a token is no longer handed out, so it does not expire in flight. */
const EXPIRY_MARGIN_S = 30;

/**
 * OAuth2 client credentials grant (RFC 6749 §4.4): one token at a time, shared
 * by every call until shortly before it expires; concurrent calls wait for the
 * same token request. The client authenticates with HTTP Basic (§2.3.1).
 */
export class ClientCredentials {
  private current: { readonly token: string; readonly expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;
  /** Token requests made, for tests and metrics. */
  requests = 0;

  constructor(
    private readonly system: BackofficeSystem,
    private readonly spec: OAuth2,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  token(signal?: AbortSignal): Promise<string> {
    if (this.current && this.current.expiresAt > this.now()) return Promise.resolve(this.current.token);
    this.pending ??= this.fetch(signal).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Drops the cached token (the system refused it); true: asking again is worth it. */
  invalidate(): boolean {
    this.current = null;
    return true;
  }

  private async fetch(signal?: AbortSignal): Promise<string> {
    const route = 'POST oauth2 token';
    const fail = (kind: 'status' | 'network' | 'protocol' | 'timeout', summary: string, transient: boolean, status: number | null = null): UpstreamError =>
      new UpstreamError(this.system, route, kind, transient, summary, status);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.spec.scope) form.set('scope', this.spec.scope);
    if (this.spec.audience) form.set('audience', this.spec.audience);
    const basic = Buffer.from(`${encodeURIComponent(this.spec.clientId)}:${encodeURIComponent(this.spec.clientSecret)}`).toString('base64');
    const timeout = AbortSignal.timeout(this.timeoutMs);
    this.requests += 1;
    let response: Response;
    try {
      response = await fetch(this.spec.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted) throw fail('timeout', `token endpoint: no answer within ${this.timeoutMs} ms`, true);
      throw fail('network', `token endpoint: connection failed (${(error as Error).name})`, true);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw fail('status', `token endpoint answered HTTP ${response.status}`, response.status >= 500 || response.status === 429, response.status);
    }
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!body || typeof body.access_token !== 'string' || body.access_token === '') throw fail('protocol', 'token endpoint answered without access_token', false);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    this.current = { token: body.access_token, expiresAt: this.now() + Math.max(1, lifetime - EXPIRY_MARGIN_S) * 1000 };
    return body.access_token;
  }
}
