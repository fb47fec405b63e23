import type { FieldSpec } from '../spec/backoffice.schema';
import { compileExpression, EvaluationError, isPlainPath } from './expression';

/** A record the mapping cannot turn into a gateway record; the message names the record and field, never personal data. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

export type Scalar = string | number | boolean | null;

/**
 * Evaluates one field of one source record: expression, then enum map, then
 * default. Undefined: nothing there. Synchronous unless the expression is
 * JSONata, so a map made of plain paths costs no promise per field; a JSONata
 * field also reads a whole batch at once through `many`.
 */
export interface FieldReader {
  (input: unknown): unknown;
  many?(inputs: readonly unknown[]): Promise<unknown[]>;
}

/** Source records → gateway records, one at a time or a batch at once (each JSONata expression evaluated once per batch). */
export interface RecordMapper<T> {
  (source: unknown): T | Promise<T>;
  many(sources: readonly unknown[]): T[] | Promise<T[]>;
}

/**
 * The fields of one map, read into numbered slots (an array is much cheaper per
 * record than an object with dynamic keys), then built into a record:
 * synchronously when no reader answered with a promise.
 */
export class Slots {
  private readonly readers: FieldReader[] = [];

  add(reader: FieldReader): number {
    this.readers.push(reader);
    return this.readers.length - 1;
  }

  collect<T>(source: unknown, build: (values: readonly unknown[]) => T): T | Promise<T> {
    const values = new Array<unknown>(this.readers.length);
    let pending: Promise<unknown>[] | null = null;
    for (let i = 0; i < this.readers.length; i += 1) {
      const value = this.readers[i](source);
      if (value instanceof Promise) (pending ??= []).push(value.then((settled) => (values[i] = settled)));
      else values[i] = value;
    }
    return pending ? Promise.all(pending).then(() => build(values)) : build(values);
  }

  /** A batch: plain paths read record by record, each JSONata field evaluated once over all records. */
  collectMany<T>(sources: readonly unknown[], build: (values: readonly unknown[]) => T): T[] | Promise<T[]> {
    const rows = sources.map(() => new Array<unknown>(this.readers.length));
    let pending: Promise<unknown>[] | null = null;
    for (let i = 0; i < this.readers.length; i += 1) {
      const reader = this.readers[i];
      if (reader.many && sources.length > 1) {
        (pending ??= []).push(reader.many(sources).then((column) => column.forEach((value, row) => (rows[row][i] = value))));
        continue;
      }
      for (let row = 0; row < sources.length; row += 1) {
        const value = reader(sources[row]);
        if (value instanceof Promise) (pending ??= []).push(value.then((settled) => (rows[row][i] = settled)));
        else rows[row][i] = value;
      }
    }
    return pending ? Promise.all(pending).then(() => rows.map(build)) : rows.map(build);
  }

  /** The mapper of this map: one record, or a batch. */
  mapper<T>(build: (values: readonly unknown[]) => T): RecordMapper<T> {
    return Object.assign((source: unknown) => this.collect(source, build), { many: (sources: readonly unknown[]) => this.collectMany(sources, build) });
  }
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

export interface FieldOptions {
  /** Allowed gateway values of an enum-mapped field, e.g. the ContractStatus values. */
  readonly allowed?: readonly string[];
  /** Reported when the enum map does not know a value and there is no default (else: nothing). */
  readonly strictEnum?: boolean;
}

export function normalise(spec: FieldSpec): Exclude<FieldSpec, string> {
  return typeof spec === 'string' ? { expr: spec } : spec;
}

export function compileField(spec: FieldSpec, label: string, options: FieldOptions = {}): FieldReader {
  const { expr, default: fallback, enum: map } = normalise(spec);
  const evaluate = compileExpression(expr);
  const lowered = map ? new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v])) : null;
  // Nothing to apply after the expression when there is neither map nor default: the builders treat blank as nothing anyway.
  const finish = map === undefined && fallback === undefined ? null : (value: unknown): unknown => {
    if (blank(value)) return fallback ?? undefined;
    if (map && lowered) {
      const key = String(value);
      const mapped = map[key] ?? lowered.get(key.toLowerCase());
      if (mapped !== undefined) return mapped;
      if (fallback !== undefined) return fallback;
      if (options.strictEnum) throw new MappingError(`${label}: expected one of ${Object.keys(map).join(', ')}, got ${short(value)}`);
      return undefined;
    }
    return value;
  };
  // A JSONata expression that fails on a record fails the mapping, naming the field (never the value).
  const relabel = (error: unknown): never => {
    throw error instanceof EvaluationError ? new MappingError(`${label}: ${error.message}`) : error;
  };
  // A plain path with neither map nor default is its own reader: one call less per record and field.
  if (!finish && !evaluate.many && isPlainPath(expr)) return evaluate;
  const reader: FieldReader = (input) => {
    const value = evaluate(input);
    if (value instanceof Promise) return finish ? value.then(finish, relabel) : value.catch(relabel);
    return finish ? finish(value) : value;
  };
  const many = evaluate.many;
  if (many) reader.many = (inputs) => many(inputs).then((values) => (finish ? values.map(finish) : values), relabel);
  return reader;
}

/** A code or date as it may appear in a message: short, and only for values that are codes rather than personal data. */
export function short(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 21)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : 'an object';
}

/** Trimmed text, or null when blank; numbers are written out. */
export function toText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

const YES = new Set(['true', 'yes', 'y', '1', 'j', 'ja', 'oui', 'o']);

/** A consent flag: true, 1 and yes-like words (Y, yes, true, 1, J, O…) count as consent. */
export function toFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  return typeof value === 'string' && YES.has(value.trim().toLowerCase());
}

const FORMATS: Readonly<Record<string, RegExp>> = {
  YYYYMMDD: /^(\d{4})(\d{2})(\d{2})$/,
  'YYYY-MM-DD': /^(\d{4})-(\d{2})-(\d{2})$/,
  'DD.MM.YYYY': /^(\d{2})\.(\d{2})\.(\d{4})$/,
};

/** A date in the declared format → that instant (calendar dates at midnight UTC); MappingError when it does not read. */
export function toDate(value: unknown, format: string | undefined, label: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof Date) {
    // Database drivers hand DATE columns over as local midnight: keep the calendar day.
    if (Number.isNaN(value.getTime())) throw new MappingError(`${label}: expected a date, got an invalid date`);
    return new Date(Date.UTC(value.getFullYear(), value.getMonth(), value.getDate()));
  }
  const fmt = format ?? 'iso';
  if (fmt === 'epoch-ms' || fmt === 'epoch-s') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new MappingError(`${label}: expected a number of ${fmt === 'epoch-ms' ? 'milliseconds' : 'seconds'}, got ${short(value)}`);
    return new Date(fmt === 'epoch-ms' ? n : n * 1000);
  }
  const raw = String(value).trim();
  if (fmt === 'iso') {
    const date = new Date(raw);
    if (/^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(date.getTime())) return date;
    throw new MappingError(`${label}: expected an ISO-8601 date, got ${short(raw)}`);
  }
  const match = FORMATS[fmt].exec(raw);
  if (match) {
    const [year, month, day] = fmt === 'DD.MM.YYYY' ? [Number(match[3]), Number(match[2]) - 1, Number(match[1])] : [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
    const date = new Date(Date.UTC(year, month, day));
    // Date.UTC rolls 20260231 over into March; reading the parts back catches it.
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month && date.getUTCDate() === day) return date;
  }
  throw new MappingError(`${label}: expected a date ${fmt}, got ${short(raw)}`);
}

/** The extra fields in slots, and how to turn their values into JSON (dates as ISO strings); null when none are mapped. */
export function attributeSlots(specs: Readonly<Record<string, FieldSpec>> | undefined, label: string, slots: Slots): (values: readonly unknown[]) => Record<string, unknown> | null {
  if (!specs) return () => null;
  const entries = Object.entries(specs).map(([name, spec]) => [name, slots.add(compileField(spec, `${label} attributes.${name}`)), normalise(spec).format] as const);
  return (values) => {
    const attributes: Record<string, unknown> = {};
    for (const [name, slot, format] of entries) {
      const value = values[slot];
      attributes[name] = format ? toDate(value, format, `${label} attributes.${name}`)?.toISOString() ?? null : value ?? null;
    }
    return attributes;
  };
}
