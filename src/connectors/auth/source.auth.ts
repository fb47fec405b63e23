import type { BackofficeSystem } from '../../errors';
import type { CallContext } from '../backoffice';
import type { AuthSpec } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';
import { ClientCredentials } from './client-credentials';

/** Credentials of one system's calls. Values are secrets: they go into headers only, never into messages or logs. */
export interface SourceAuth {
  /** Headers for one call. */
  headers(call: CallContext | undefined, signal: AbortSignal): Promise<Record<string, string>>;
  /** After a 401: true when new credentials are worth one more attempt (an OAuth2 token is fetched again). */
  refresh(): boolean;
}

/** No credentials. */
export const NO_AUTH: SourceAuth = { headers: async () => ({}), refresh: () => false };

export function createSourceAuth(system: BackofficeSystem, spec: AuthSpec | undefined, timeoutMs: number): SourceAuth {
  if (!spec) return NO_AUTH;
  switch (spec.type) {
    case 'none':
      return NO_AUTH;
    case 'apiKey': {
      const headers = { [spec.header ?? 'x-api-key']: spec.value };
      return { headers: async () => headers, refresh: () => false };
    }
    case 'bearer': {
      const headers = { authorization: `Bearer ${spec.token}` };
      return { headers: async () => headers, refresh: () => false };
    }
    case 'oauth2': {
      const tokens = new ClientCredentials(system, spec, timeoutMs);
      return {
        headers: async (_call, signal) => ({ authorization: `Bearer ${await tokens.token(signal)}` }),
        refresh: () => tokens.invalidate(),
      };
    }
    case 'forward': {
      const header = (spec.header ?? 'authorization').toLowerCase();
      return {
        // A call made for nobody (a worker rendering a letter) goes without credentials.
        headers: async (call) => (call?.callerToken ? { [header]: header === 'authorization' ? `Bearer ${call.callerToken}` : call.callerToken } : {}),
        refresh: () => false,
      };
    }
    default:
      spec satisfies never;
      throw new UpstreamError(system, 'auth', 'protocol', false, 'unknown authentication type');
  }
}
