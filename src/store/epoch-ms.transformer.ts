import type { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as epoch milliseconds in a BIGINT: SQLite's datetime
 * columns keep whole seconds, and timelines and cursors need a total order
 * that is the same on SQLite and PostgreSQL. PostgreSQL returns BIGINT as a
 * string, SQLite as a number; both come back as a Date.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? null : new Date(Number(value))),
};
