import { badInput } from '../../errors';

/*
 * Cursors the gateway issues for systems that page by offset or page number:
 * the position and page size, and a fingerprint of the filter, so a cursor of
 * another search is refused (BAD_USER_INPUT) instead of paging something else.
 */

function fingerprint(filter: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filter.length; i += 1) hash = Math.imul(hash ^ filter.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

export interface OffsetPosition {
  readonly offset: number;
  readonly size: number;
}

export function encodeOffsetCursor(position: OffsetPosition, filter: string): string {
  return Buffer.from(`g${position.offset}.${position.size}.${fingerprint(filter)}`).toString('base64url');
}

export function decodeOffsetCursor(cursor: string, filter: string): OffsetPosition {
  const match = /^g(\d{1,9})\.(\d{1,5})\.([0-9a-z]+)$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match || match[3] !== fingerprint(filter) || Number(match[2]) < 1) {
    throw badInput(`after: expected a cursor returned by the previous page of this ${filter.startsWith('search:') ? 'search' : 'listing'}`, 'after');
  }
  return { offset: Number(match[1]), size: Number(match[2]) };
}
