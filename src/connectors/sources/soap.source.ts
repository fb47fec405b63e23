import { createClientAsync, type Client } from 'soap';
import type { BackofficeSystem } from '../../errors';
import type { SourceAuth } from '../auth/source.auth';
import { UpstreamError } from '../upstream.error';
import { fill, type SourceClient, type SourceRequest } from './source';

export interface SoapSourceOptions {
  readonly system: BackofficeSystem;
  /** The service endpoint. */
  readonly url: string;
  /** Where the WSDL is. Default `<url>?wsdl`. */
  readonly wsdl?: string;
  readonly timeoutMs: number;
  readonly auth: SourceAuth;
}

interface SoapFailure {
  readonly code?: string;
  readonly response?: { readonly status?: number };
  readonly root?: { readonly Envelope?: { readonly Body?: { readonly Fault?: unknown } } };
}

/**
 * A SOAP service through the `soap` package: the WSDL is read on first use
 * (the gateway starts while the system is down), each operation is called with
 * its arguments template filled in. Faults and HTTP failures become log-safe
 * UpstreamErrors: the fault text is never copied, it may quote customer data.
 */
export class SoapSource implements SourceClient {
  private client: Promise<Client> | null = null;

  constructor(private readonly options: SoapSourceOptions) {}

  async send(request: SourceRequest): Promise<unknown> {
    const name = request.op.operation as string;
    const args = fill(request.op.body ?? {}, request.vars);
    const attempt = async (): Promise<unknown> => {
      const client = await this.connect(request.route);
      const method = (client as unknown as Record<string, unknown>)[`${name}Async`];
      if (typeof method !== 'function') throw new UpstreamError(this.options.system, request.route, 'protocol', false, `the WSDL has no operation ${name}`);
      const headers = await this.options.auth.headers(request.call, request.signal);
      try {
        const [result] = (await method.call(client, args, { timeout: this.options.timeoutMs, signal: request.signal }, headers)) as [unknown];
        return result ?? null;
      } catch (error) {
        throw this.failure(error, request.route, request.signal);
      }
    };
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 401 && this.options.auth.refresh()) return attempt();
      throw error;
    }
  }

  async open(): Promise<boolean> {
    return this.connect('WSDL').then(() => true, () => false);
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.client = null;
    return Promise.resolve();
  }

  private connect(route: string): Promise<Client> {
    this.client ??= createClientAsync(this.options.wsdl ?? `${this.options.url}?wsdl`, {
      endpoint: this.options.url,
      disableCache: true,
      wsdl_options: { timeout: this.options.timeoutMs },
    }).catch((error: unknown) => {
      this.client = null;
      throw this.failure(error, route === 'WSDL' ? 'GET WSDL' : route);
    });
    return this.client;
  }

  private failure(error: unknown, route: string, signal?: AbortSignal): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const failure = (error ?? {}) as SoapFailure;
    const status = failure.response?.status;
    if (signal?.aborted || failure.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT' || failure.code === 'ERR_CANCELED') {
      return new UpstreamError(this.options.system, route, 'timeout', true, `no answer within ${this.options.timeoutMs} ms`);
    }
    if (failure.root?.Envelope?.Body?.Fault !== undefined) {
      return new UpstreamError(this.options.system, route, 'status', (status ?? 500) >= 500, `answered a SOAP fault${status ? ` (HTTP ${status})` : ''}`, status ?? null);
    }
    if (typeof status === 'number') {
      return new UpstreamError(this.options.system, route, 'status', status >= 500 || status === 429 || status === 408, `answered HTTP ${status}`, status);
    }
    if (failure.code) return new UpstreamError(this.options.system, route, 'network', true, `connection failed (${failure.code})`);
    return new UpstreamError(this.options.system, route, 'protocol', false, `answer that is not SOAP (${error instanceof Error ? error.name : typeof error})`);
  }
}
