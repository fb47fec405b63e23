import type { Page, PageRequest } from '../connectors/backoffice';
import { badInput } from '../errors';
import type { ConnectionShape } from '../schema/page-info.type';
import { encodeCursor } from '../store/page.cursor';

/** Largest `first` any listing accepts: keeps one query's cost and the back-office load bounded. */
export const MAX_FIRST = 100;

/** `first` as given, or `fallback` when the client sent null; BAD_USER_INPUT outside 0..MAX_FIRST. */
export function checkFirst(first: number | null, fallback: number): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_FIRST) {
    throw badInput(`first: expected an integer from 0 to ${MAX_FIRST}, got ${value}`, 'first');
  }
  return value;
}

/** Store listings are keyset-paged: every row is its own cursor. */
export function storeConnection<T extends { createdAt: Date; id: string }>(page: Page<T>): ConnectionShape<T> {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.nextCursor !== null, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.totalCount,
  };
}

/**
 * Back-office listings give one cursor per page, but Relay clients may resume
 * after any edge. Our cursor is (upstream cursor of the page start, offset in
 * that page): resuming mid-page re-reads that page from its start and skips.
 */
interface Position {
  readonly upstream: string | null;
  readonly skip: number;
}

function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify([position.upstream, position.skip])).toString('base64url');
}

function decodePosition(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && (value[0] === null || typeof value[0] === 'string') && Number.isInteger(value[1]) && value[1] >= 0 && value[1] <= MAX_FIRST * 2) {
      return { upstream: value[0] as string | null, skip: value[1] as number };
    }
  } catch {
    // fall through
  }
  throw badInput(`after: expected a cursor returned by a previous page, got ${JSON.stringify(cursor.slice(0, 64))}`, 'after');
}

export async function backofficeConnection<T>(
  requested: number | null,
  fallback: number,
  after: string | null | undefined,
  fetch: (request: PageRequest) => Promise<Page<T>>,
): Promise<ConnectionShape<T>> {
  const first = checkFirst(requested, fallback);
  const start = after ? decodePosition(after) : { upstream: null, skip: 0 };
  const page = await fetch({ first: Math.max(1, start.skip + first), after: start.upstream });
  const items = page.items.slice(start.skip, start.skip + first);
  const edges = items.map((node, index) => ({ cursor: encodePosition({ upstream: start.upstream, skip: start.skip + index + 1 }), node }));
  const consumed = start.skip + items.length;
  const hasNextPage = consumed < page.items.length || page.nextCursor !== null;
  // When the page was read to its end, the next page starts at the upstream's own cursor.
  if (edges.length && consumed === page.items.length && page.nextCursor !== null) {
    edges[edges.length - 1].cursor = encodePosition({ upstream: page.nextCursor, skip: 0 });
  }
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
}
