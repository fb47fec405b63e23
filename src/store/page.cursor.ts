import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Page } from '../connectors/backoffice';
import { badInput } from '../errors';

/** Keyset position of a row in a newest-first listing. */
interface Position {
  readonly createdAt: number;
  readonly id: string;
}

export const MAX_PAGE_SIZE = 1000;

export function encodeCursor(row: { readonly createdAt: Date; readonly id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.getTime(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(`after: expected a cursor returned by a previous page, got ${JSON.stringify(cursor.slice(0, 64))}`, 'after');
}

/**
 * Newest first, keyset-paged on (createdAt desc, id desc): stable while rows
 * are added, and the id breaks ties between rows created in the same millisecond.
 * `query` carries the filters only; `alias` is its main alias.
 */
export async function pageNewestFirst<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  request: { readonly first: number; readonly after?: string | null },
): Promise<Page<T>> {
  const { first, after } = request;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first: expected an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}`, 'first');
  }
  const totalCount = await query.clone().getCount();
  const page = query.clone();
  if (after) {
    const position = decodeCursor(after);
    page.andWhere(`(${alias}.createdAt < :afterCreatedAt OR (${alias}.createdAt = :afterCreatedAt AND ${alias}.id < :afterId))`, {
      afterCreatedAt: position.createdAt,
      afterId: position.id,
    });
  }
  const rows = await page
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(first + 1)
    .getMany();
  const items = rows.slice(0, first);
  const nextCursor = rows.length > first && items.length > 0 ? encodeCursor(items[items.length - 1]) : null;
  return { items, totalCount, nextCursor };
}
