import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../config.env';
import type { BackofficeSystem } from '../../errors';
import type { SourceAuth } from '../auth/source.auth';
import { JsonHttpClient } from '../http.client';
import type { BatchOperation } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';
import type { RestSource } from './rest.source';
import type { Operation, SourceClient, SourceRequest } from './source';

/** An operation of the document: where it is, and the parameters it declares. */
interface DocumentOperation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** The document's path template, e.g. `/customers/{customerId}`. */
  readonly path: string;
  readonly pathParameters: readonly string[];
  /** Null: the document declares none, so nothing is checked. */
  readonly queryParameters: readonly string[] | null;
}

/** A configured operation named by operationId, and the path in the configuration file it is at. */
export interface NamedOperation {
  readonly at: string;
  readonly op: Operation;
}

export interface OpenApiSourceOptions {
  readonly system: BackofficeSystem;
  /** The system's base URL (the document's `servers` are not used: the configuration says where the system is). */
  readonly url: string;
  /** Where the document is: an http(s) URL, or a file (JSON or YAML). */
  readonly document: string;
  readonly timeoutMs: number;
  readonly auth: SourceAuth;
  /** Every operation of this system given by `operation` (an operationId), checked against the document once it is read. */
  readonly operations: readonly NamedOperation[];
}

/** The document does not describe what the configuration asks for; one line per problem, naming its path in the file. */
export class OpenApiMismatchError extends ConfigError {
  constructor(document: string, readonly problems: readonly string[]) {
    super('BACKOFFICE_CONFIG', 'operations the OpenAPI document describes', document);
    this.message = `BACKOFFICE_CONFIG: OpenAPI document ${document}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((line) => `  ${line}`).join('\n')}`;
    this.name = 'OpenApiMismatchError';
  }
}

const METHODS = ['get', 'post', 'put', 'patch'] as const;
/** Placeholders the gateway fills; a path parameter of another name is the record's id. */
const KNOWN = new Set(['ids', 'id', 'search', 'category', 'limit', 'offset', 'page', 'cursor', 'preferredChannel', 'consents']);

/**
 * A REST system described by an OpenAPI document: operations name an
 * operationId, the document says their path and method. The document is read
 * at start (the start stops when it lacks an operation the configuration names,
 * or a query parameter it uses); when the system is down then, it is read on
 * first use instead. Calls themselves are made exactly as for `kind: rest`.
 */
export class OpenApiSource implements SourceClient {
  private loaded: Promise<ReadonlyMap<Operation, Operation>> | null = null;
  private resolved: ReadonlyMap<Operation, Operation> | null = null;

  constructor(
    private readonly rest: RestSource,
    private readonly options: OpenApiSourceOptions,
  ) {}

  routeOf(op: Operation): string | undefined {
    const resolved = this.resolved?.get(op);
    if (resolved) return `${resolved.method} ${resolved.url}`;
    return op.operation !== undefined ? `OPENAPI ${op.operation}` : undefined;
  }

  async send(request: SourceRequest): Promise<unknown> {
    if (request.op.operation === undefined) return this.rest.send(request);
    const resolved = (await this.load(request.signal)).get(request.op);
    if (!resolved) throw new UpstreamError(this.options.system, request.route, 'protocol', false, `the OpenAPI document has no operation ${request.op.operation}`);
    return this.rest.send({ ...request, op: resolved, route: `${resolved.method} ${resolved.url}` });
  }

  async open(): Promise<boolean> {
    if (this.options.operations.length === 0) return true;
    try {
      await this.load(AbortSignal.timeout(this.options.timeoutMs));
      return true;
    } catch (error) {
      // A document that does not fit the configuration stops the start; an unreachable one is read again on use.
      if (error instanceof OpenApiMismatchError) throw error;
      return false;
    }
  }

  /** Reads the document and checks the operations against it: OpenApiMismatchError, or an UpstreamError when it cannot be read. */
  async verify(signal: AbortSignal): Promise<void> {
    await this.load(signal);
  }

  check(): Promise<void> {
    return this.rest.check();
  }

  close(): Promise<void> {
    return this.rest.close();
  }

  private load(signal: AbortSignal): Promise<ReadonlyMap<Operation, Operation>> {
    this.loaded ??= this.read(signal).then(
      (document) => {
        const resolved = resolveOperations(document, this.options.operations, this.options.document);
        this.resolved = resolved;
        return resolved;
      },
      (error: unknown) => {
        this.loaded = null;
        throw error;
      },
    );
    return this.loaded;
  }

  private async read(signal: AbortSignal): Promise<unknown> {
    const { document, system } = this.options;
    if (!/^https?:\/\//.test(document)) {
      let text: string;
      try {
        text = readFileSync(document, 'utf8');
      } catch (error) {
        throw new OpenApiMismatchError(document, [`backoffice.${system}.openapi: expected a readable file, got ${(error as NodeJS.ErrnoException).code ?? 'an error'}`]);
      }
      try {
        return parseYaml(text) as unknown;
      } catch {
        throw new OpenApiMismatchError(document, [`backoffice.${system}.openapi: expected an OpenAPI document in JSON or YAML, got a file that does not parse`]);
      }
    }
    // The document's own query string (`?format=json`) is kept: the client would otherwise drop it from a base URL.
    const at = new URL(document);
    const client = new JsonHttpClient({ system, baseUrl: at.origin, timeoutMs: this.options.timeoutMs, maxSockets: 1 });
    try {
      return await client.request({ method: 'GET', path: `${at.pathname}${at.search}`, route: 'GET OpenAPI document', signal, headers: await this.options.auth.headers(undefined, signal) });
    } finally {
      await client.close();
    }
  }
}

/** operationId → method, path and parameters; `$ref` parameters are followed within the document. */
export function indexDocument(document: unknown): Map<string, DocumentOperation> | null {
  const paths = (document as { paths?: unknown } | null)?.paths;
  if (!paths || typeof paths !== 'object') return null;
  const index = new Map<string, DocumentOperation>();
  for (const [path, item] of Object.entries(paths as Record<string, Record<string, unknown>>)) {
    if (!item || typeof item !== 'object') continue;
    const shared = parametersOf(document, item.parameters);
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: unknown; parameters?: unknown } | undefined;
      if (!operation || typeof operation.operationId !== 'string') continue;
      const own = parametersOf(document, operation.parameters);
      const all = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const declared = operation.parameters !== undefined || item.parameters !== undefined;
      index.set(operation.operationId, {
        method: method.toUpperCase() as DocumentOperation['method'],
        path,
        pathParameters: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        queryParameters: declared ? all.filter((p) => p.in === 'query').map((p) => p.name) : null,
      });
    }
  }
  return index;
}

function parametersOf(document: unknown, list: unknown): { name: string; in: string }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const parameter = follow(document, entry) as { name?: unknown; in?: unknown } | null;
    return parameter && typeof parameter.name === 'string' && typeof parameter.in === 'string' ? [{ name: parameter.name, in: parameter.in }] : [];
  });
}

/** A local `$ref` (`#/components/parameters/limit`), followed; anything else as it is. */
function follow(document: unknown, entry: unknown): unknown {
  let value = entry;
  for (let hops = 0; hops < 8; hops += 1) {
    const ref = (value as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return value;
    value = ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), document);
  }
  return value;
}

/** Each named operation as the REST source runs it: the document's method and path, its id parameter as `{id}`. */
function resolveOperations(document: unknown, operations: readonly NamedOperation[], where: string): Map<Operation, Operation> {
  const index = indexDocument(document);
  if (!index) throw new OpenApiMismatchError(where, ['(document): expected an OpenAPI document with paths, got none']);
  const problems: string[] = [];
  const resolved = new Map<Operation, Operation>();
  for (const { at, op } of operations) {
    const name = op.operation as string;
    const found = index.get(name);
    if (!found) {
      const known = [...index.keys()];
      problems.push(`${at}.operation: expected an operationId of the document (${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}), got ${JSON.stringify(name)}`);
      continue;
    }
    const ids = (op as BatchOperation).ids;
    const unknown = found.pathParameters.filter((p) => !KNOWN.has(p));
    if (unknown.length > 1) {
      problems.push(`${at}.operation: expected at most one path parameter besides the gateway's placeholders, got ${unknown.join(', ')} in ${found.path}`);
      continue;
    }
    if (ids?.in === 'path' && unknown.length === 0 && !found.pathParameters.includes('id')) {
      problems.push(`${at}.ids: expected an operation with the id in its path for ids in path, got ${found.method} ${found.path}`);
    }
    if (ids?.in === 'body' && found.method === 'GET') problems.push(`${at}.ids: expected an operation with a body for ids in the body, got GET ${found.path}`);
    if (found.queryParameters) {
      const named = [...Object.keys(op.query ?? {}), ...(ids?.in === 'query' || ids?.in === 'repeat' ? [ids.name ?? 'ids'] : [])];
      for (const key of named) {
        if (!found.queryParameters.includes(key)) {
          problems.push(`${at}.query.${key}: expected a query parameter of ${name} (${found.queryParameters.join(', ') || 'none'}), got ${JSON.stringify(key)}`);
        }
      }
    }
    const url = unknown.length === 1 ? found.path.replace(`{${unknown[0]}}`, '{id}') : found.path;
    resolved.set(op, { ...op, operation: undefined, url, method: found.method });
  }
  if (problems.length > 0) throw new OpenApiMismatchError(where, problems);
  return resolved;
}
