import { HttpError } from './json.service';

/*
 * Request parameters shared by the simulated services. Cursors are opaque and
 * page over immutable, ordered listings: one carries the offset of the next record
 * and a fingerprint of the filter it was issued for, so a cursor taken from
 * another search is refused instead of silently paging something else.
 */

function fingerprint(filter: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filter.length; i += 1) hash = Math.imul(hash ^ filter.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

export function encodeCursor(offset: number, filter: string): string {
  return Buffer.from(`o${offset}.${fingerprint(filter)}`).toString('base64url');
}

/** Offset of the page a cursor points at; 0 without a cursor. */
export function decodeCursor(cursor: string | null, filter: string): number {
  if (cursor === null || cursor === '') return 0;
  const match = /^o(\d{1,9})\.([0-9a-z]+)$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match || match[2] !== fingerprint(filter)) {
    throw new HttpError(400, 'BAD_REQUEST', `cursor: expected a cursor returned by the previous page of this listing, got ${JSON.stringify(cursor.slice(0, 64))}`);
  }
  return Number(match[1]);
}

/** `limit` from the query string: absent or empty means `fallback`. */
export function parseLimit(query: URLSearchParams, fallback: number, max: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new HttpError(400, 'BAD_REQUEST', `limit: expected an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export interface Slice<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly nextCursor: string | null;
}

export function slicePage<T>(items: readonly T[], query: URLSearchParams, filter: string, fallbackLimit: number, maxLimit: number): Slice<T> {
  const limit = parseLimit(query, fallbackLimit, maxLimit);
  const offset = decodeCursor(query.get('cursor'), filter);
  const end = offset + limit;
  return {
    items: items.slice(offset, end),
    total: items.length,
    nextCursor: end < items.length ? encodeCursor(end, filter) : null,
  };
}

/** The ids of a batch request body, e.g. `{"ids": ["C0000001"]}`: strings, at most `max`, duplicates dropped. */
export function parseIds(body: unknown, max: number): string[] {
  const ids = (body as { ids?: unknown } | null | undefined)?.ids;
  if (typeof body !== 'object' || body === null || !Array.isArray(ids)) {
    throw new HttpError(400, 'BAD_REQUEST', `body: expected {"ids": [...]}, got ${JSON.stringify(body)?.slice(0, 80) ?? 'nothing'}`);
  }
  if (ids.length > max) throw new HttpError(400, 'BAD_REQUEST', `ids: expected at most ${max} ids, got ${ids.length}`);
  const bad = ids.find((id) => typeof id !== 'string' || id === '');
  if (bad !== undefined) throw new HttpError(400, 'BAD_REQUEST', `ids: expected non-empty strings, got ${JSON.stringify(bad)}`);
  return [...new Set(ids as string[])];
}
