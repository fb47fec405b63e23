import { badInput, type BackofficeSystem } from '../../errors';
import { chunk } from '../batch.util';
import type { CallContext, Page } from '../backoffice';
import { compileExpression, EvaluationError, type Evaluate } from '../mapping/expression';
import { MappingError, type RecordMapper } from '../mapping/field.compile';
import type { Resilience } from '../resilience';
import type { SourceClient } from '../sources/source';
import type { Operation } from '../sources/source';
import type { BatchOperation, PageOperation } from '../spec/backoffice.schema';
import { UpstreamError } from '../upstream.error';
import { decodeOffsetCursor, encodeOffsetCursor } from './offset.cursor';

export interface PageQuery {
  readonly first: number;
  readonly after?: string | null;
  /** The filter placeholder (`search`, `category`) and its value; it also keys the cursors we issue. */
  readonly filter: { readonly name: string; readonly value: string };
}

/**
 * Runs configured operations against one system inside its resilience: ids
 * split into batches (or one call per id, a few at a time), pages in the
 * system's paging style with cursors the gateway can hand out, answers picked
 * by the `items` expression and mapped. A record that does not map fails the
 * call as a protocol error, like an answer of the wrong shape.
 */
export class OperationRunner {
  /** Answer expressions (items, total, next), compiled once. */
  private readonly cache = new Map<string, Evaluate>();

  constructor(
    readonly system: BackofficeSystem,
    private readonly source: SourceClient,
    private readonly resilience: Resilience,
  ) {}

  /** Mapped records for the given distinct ids, in the order the system answered. */
  async byIds<T>(op: BatchOperation, ids: readonly string[], map: RecordMapper<T>, call?: CallContext): Promise<T[]> {
    const route = this.route(op);
    if (op.ids?.in === 'path') {
      const found: T[] = [];
      const queue = [...ids];
      const worker = async (): Promise<void> => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const records = await this.run(route, (signal) => this.source.send({ op, vars: { id }, signal, call, route }), op, map, true);
          found.push(...records);
        }
      };
      await Promise.all(Array.from({ length: Math.min(op.concurrency ?? 8, queue.length) }, worker));
      return found;
    }
    const batches = await Promise.all(
      chunk(ids, op.maxBatch ?? 100).map((batch) => this.run(route, (signal) => this.source.send({ op, vars: { ids: batch }, signal, call, route }), op, map, true)),
    );
    return batches.flat();
  }

  async page<T>(op: PageOperation, query: PageQuery, map: RecordMapper<T>, call?: CallContext): Promise<Page<T>> {
    const route = this.route(op);
    const { paging } = op;
    const filter = `${query.filter.name}:${query.filter.value}`;
    const vars: Record<string, unknown> = { [query.filter.name]: query.filter.value };
    let limit = Math.min(query.first, paging.maxPageSize ?? 100);
    let offset = 0;
    let page = paging.firstPage ?? 1;
    if (paging.style === 'cursor') vars.cursor = query.after ?? undefined;
    else if (query.after) {
      const position = decodeOffsetCursor(query.after, filter);
      offset = position.offset;
      if (paging.style === 'page') {
        // Pages are numbered in the size they were first asked in; later pages keep it.
        limit = position.size;
        page = (paging.firstPage ?? 1) + Math.floor(offset / limit);
      }
    }
    Object.assign(vars, { limit, offset, page });
    return this.resilience.run(async (signal) => {
      let answer: unknown;
      try {
        answer = await this.source.send({ op, vars, signal, call, route });
      } catch (error) {
        // Everything but the cursor is checked before the call, so a refusal of a call with one is about the cursor.
        if (paging.style === 'cursor' && query.after && error instanceof UpstreamError && error.status === 400) {
          throw badInput(`after: expected a cursor returned by the previous page of this ${query.filter.name === 'search' ? 'search' : 'listing'}`, 'after');
        }
        throw error;
      }
      const items = await this.items(op, answer, route);
      const total = await this.evaluate(paging.total, answer, route);
      if (typeof total !== 'number' && !(typeof total === 'string' && /^\d+$/.test(total))) {
        throw this.malformed(route, `expected a number at ${paging.total}`);
      }
      const records = await this.mapAll(items, map, route);
      let nextCursor: string | null;
      if (paging.style === 'cursor') {
        const next = paging.next ? await this.evaluate(paging.next, answer, route) : null;
        nextCursor = typeof next === 'string' && next !== '' ? next : null;
      } else {
        const reached = offset + items.length;
        nextCursor = items.length > 0 && reached < Number(total) ? encodeOffsetCursor({ offset: reached, size: limit }, filter) : null;
      }
      return { items: records, totalCount: Number(total), nextCursor };
    }, { idempotent: true });
  }

  /** One call with these placeholder values, its records mapped (a phone number lookup). */
  lookup<T>(op: Operation, vars: Readonly<Record<string, unknown>>, map: RecordMapper<T>, call?: CallContext): Promise<T[]> {
    const route = this.route(op);
    return this.run(route, (signal) => this.source.send({ op, vars, signal, call, route }), op, map, true);
  }

  /** A write (preference write-through): not retried, the answer ignored. */
  async write(op: Operation, vars: Readonly<Record<string, unknown>>, call?: CallContext): Promise<void> {
    const route = this.route(op);
    await this.resilience.run((signal) => this.source.send({ op, vars, signal, call, route }), { idempotent: false });
  }

  private route(op: Operation): string {
    return this.source.routeOf?.(op) ?? routeOf(op);
  }

  private run<T>(route: string, send: (signal: AbortSignal) => Promise<unknown>, op: Operation, map: RecordMapper<T>, idempotent: boolean): Promise<T[]> {
    return this.resilience.run(async (signal) => {
      const answer = await send(signal);
      if (answer === null) return [];
      return this.mapAll(await this.items(op, answer, route), map, route);
    }, { idempotent });
  }

  private async items(op: Operation, answer: unknown, route: string): Promise<unknown[]> {
    const value = op.items ? await this.evaluate(op.items, answer, route) : answer;
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    if (typeof value === 'object') return [value];
    throw this.malformed(route, `expected records${op.items ? ` at ${op.items}` : ''}`);
  }

  private async mapAll<T>(items: readonly unknown[], map: RecordMapper<T>, route: string): Promise<T[]> {
    try {
      // The whole batch at once: maps of plain paths answer synchronously, each JSONata field is evaluated once per batch.
      return await map.many(items);
    } catch (error) {
      if (error instanceof MappingError || error instanceof EvaluationError) throw new UpstreamError(this.system, route, 'protocol', false, error.message);
      throw error;
    }
  }

  private async evaluate(source: string, input: unknown, route: string): Promise<unknown> {
    let compiled = this.cache.get(source);
    if (!compiled) {
      compiled = compileExpression(source);
      this.cache.set(source, compiled);
    }
    try {
      return await compiled(input);
    } catch (error) {
      if (error instanceof EvaluationError) throw this.malformed(route, `${source}: ${error.message}`);
      throw error;
    }
  }

  private malformed(route: string, expected: string): UpstreamError {
    return new UpstreamError(this.system, route, 'protocol', false, `answer of an unexpected shape (${expected})`);
  }
}

/** `POST /customers/lookup`, `SOAP FindCustomers`, `SQL contracts.byIds`: the configured template, never ids. */
export function routeOf(op: Operation): string {
  if (op.sql !== undefined) return `SQL ${op.sql.replace(/\s+/g, ' ').slice(0, 48)}`;
  if (op.operation !== undefined && op.url === undefined) return `SOAP ${op.operation}`;
  return `${op.method ?? (op.body === undefined && !('ids' in op && op.ids?.in === 'body') ? 'GET' : 'POST')} ${op.url ?? '/'}`;
}
