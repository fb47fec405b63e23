import type { SourceAuth } from '../auth/source.auth';
import type { JsonHttpClient } from '../http.client';
import type { BatchOperation } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';
import { fill, type SourceClient, type SourceRequest } from './source';

/** A REST/JSON system: method, path, query and body from the operation's templates; ids where the operation puts them. */
export class RestSource implements SourceClient {
  constructor(
    private readonly http: JsonHttpClient,
    private readonly auth: SourceAuth,
  ) {}

  async send(request: SourceRequest): Promise<unknown> {
    const { op, vars } = request;
    const ids = (op as BatchOperation).ids;
    const query: Record<string, string | number | readonly string[] | null | undefined> = {};
    for (const [key, template] of Object.entries(op.query ?? {})) query[key] = fill(template, vars) as never;
    if (ids?.in === 'query') query[ids.name ?? 'ids'] = (vars.ids as string[]).join(ids.separator ?? ',');
    if (ids?.in === 'repeat') query[ids.name ?? 'ids'] = vars.ids as string[];
    let body = op.body === undefined ? undefined : fill(op.body, vars);
    if (ids?.in === 'body' && body === undefined) body = { [ids.name ?? 'ids']: vars.ids };
    const method = op.method ?? (body === undefined ? 'GET' : 'POST');
    const path = fill(op.url ?? '/', vars, encodeURIComponent) as string;
    const attempt = async (): Promise<unknown> =>
      this.http.request({ method, path, query, body, signal: request.signal, route: request.route, headers: await this.auth.headers(request.call, request.signal) });
    try {
      return await this.once401(attempt);
    } catch (error) {
      if (ids?.in === 'path' && error instanceof UpstreamError && error.status !== null && ((op as BatchOperation).missing ?? [404]).includes(error.status)) return null;
      throw error;
    }
  }

  /** A refused token is renewed and the call made once more; a second refusal stands. */
  private async once401(attempt: () => Promise<unknown>): Promise<unknown> {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 401 && this.auth.refresh()) return attempt();
      throw error;
    }
  }

  open(): Promise<boolean> {
    return Promise.resolve(true);
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
