/** The types a template can declare for its request data. */
export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'money', 'array'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldSpec {
  readonly type: FieldType;
  readonly required: boolean;
  /** Strings: longest accepted length (default 500). */
  readonly maxLength: number;
  /** Arrays: most items accepted (default 500), which also bounds the letter's length. */
  readonly maxItems: number;
  /** Arrays: the fields of each item (each item is an object). */
  readonly items: Readonly<Record<string, FieldSpec>> | null;
  /** For clients building a form (`Template.dataFields`); the check ignores it. */
  readonly description?: string | null;
}

export type DataCheck =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly error: string };

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const ISO_DATE = /^(\d{4})-(\d\d)-(\d\d)(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d))?$/;

class DataError extends Error {}

/**
 * Checks request data against a template's declared fields and returns it
 * ready to render: dates become `Date`s, money stays a decimal string with its
 * currency. Undeclared fields are left out (a template cannot read them).
 */
export function checkData(fields: Readonly<Record<string, FieldSpec>>, data: unknown): DataCheck {
  try {
    if (data === null || data === undefined) return { ok: true, value: checkObject(fields, {}, 'data') };
    if (!isPlainObject(data)) throw new DataError(`data: expected a JSON object, got ${describe(data)}`);
    return { ok: true, value: checkObject(fields, data, 'data') };
  } catch (error) {
    if (error instanceof DataError) return { ok: false, error: error.message };
    throw error;
  }
}

function checkObject(fields: Readonly<Record<string, FieldSpec>>, input: Record<string, unknown>, at: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const value = Object.hasOwn(input, name) ? input[name] : undefined;
    if (value === undefined || value === null) {
      if (spec.required) throw new DataError(`${at}.${name}: expected ${expected(spec)}, got nothing`);
      continue;
    }
    out[name] = checkValue(spec, value, `${at}.${name}`);
  }
  return out;
}

function checkValue(spec: FieldSpec, value: unknown, at: string): unknown {
  const fail = (): never => {
    throw new DataError(`${at}: expected ${expected(spec)}, got ${describe(value)}`);
  };
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string' || value.length > spec.maxLength) fail();
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail();
      return value;
    case 'integer':
      if (!Number.isSafeInteger(value)) fail();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail();
      return value;
    case 'date':
      return toDate(value) ?? fail();
    case 'money': {
      const money: Record<string, unknown> = isPlainObject(value) ? value : {};
      const { amount, currency } = money;
      if (typeof amount !== 'string' || !DECIMAL.test(amount) || typeof currency !== 'string' || !CURRENCY.test(currency)) return fail();
      return Object.freeze({ amount, currency });
    }
    case 'array': {
      if (!Array.isArray(value) || value.length > spec.maxItems) fail();
      return (value as unknown[]).map((item, i) => {
        if (!isPlainObject(item)) throw new DataError(`${at}[${i}]: expected an object, got ${describe(item)}`);
        return checkObject(spec.items ?? {}, item, `${at}[${i}]`);
      });
    }
  }
}

function expected(spec: FieldSpec): string {
  switch (spec.type) {
    case 'string':
      return `a string of at most ${spec.maxLength} characters`;
    case 'number':
      return 'a number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'date':
      return 'an ISO-8601 date such as "2026-07-15" or "2026-07-15T10:00:00Z"';
    case 'money':
      return 'money as {"amount": "<decimal string>", "currency": "<ISO 4217 code>"}';
    case 'array':
      return `an array of at most ${spec.maxItems} objects`;
  }
}

function toDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const date = new Date(match[4] ? value : `${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return null;
  // Date() rolls 2026-02-30 over to March; a calendar date must exist as written.
  if (!match[4] && date.toISOString().slice(0, 10) !== value) return null;
  return date;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const json = JSON.stringify(value) ?? String(value);
  const short = json.length > 40 ? `${json.slice(0, 37)}...` : json;
  return `${typeof value === 'object' ? 'an object' : `a ${typeof value}`} (${short})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
