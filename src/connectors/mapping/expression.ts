import jsonata from 'jsonata';
import { compileFast, FALLBACK } from './jsonata.fast';

/**
 * A compiled mapping expression: synchronous for plain paths, a promise for
 * JSONata. `many` evaluates it over a whole batch of records at once (one
 * JSONata evaluation instead of one per record), answering in record order.
 */
export interface Evaluate {
  (input: unknown): unknown;
  many?(inputs: readonly unknown[]): Promise<unknown[]>;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** A JSONata expression that failed on a record (a cast that does not work, a function given the wrong type). */
export class EvaluationError extends Error {
  constructor(readonly code: string) {
    super(`the expression failed (${code})`);
    this.name = 'EvaluationError';
  }
}

const PLAIN_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/** A dotted path read as property reads (no JSONata unless it meets a list). */
export function isPlainPath(source: string): boolean {
  return PLAIN_PATH.test(source) && !source.includes('$');
}
const NO_ARRAY = Symbol('array on the path');

function parse(source: string): jsonata.Expression {
  try {
    return jsonata(source);
  } catch (error) {
    const e = error as { position?: number; message?: string };
    throw new ExpressionError(`position ${e.position ?? '?'}: ${e.message ?? 'does not parse'}`);
  }
}

/** JSONata's own message may quote the value it failed on (personal data): only its code travels on. */
function evaluationError(error: unknown): EvaluationError {
  const code = (error as { code?: unknown } | null)?.code;
  return new EvaluationError(typeof code === 'string' ? code : 'runtime error');
}

/**
 * Compiles a mapping expression once. A plain dotted path (`contact.email`) is
 * read directly: it is what most fields are, and it costs a property read
 * instead of a JSONata evaluation per record. When that path meets a list
 * (where JSONata would map over it), the JSONata expression answers instead, so
 * both give the same result. Other expressions run on a synchronous evaluator
 * of the JSONata subset mappings use (jsonata.fast.ts), JSONata answering for
 * records that evaluator hands back; expressions beyond that subset are
 * JSONata, evaluated per batch through `many`. Throws ExpressionError when it
 * does not parse.
 */
export function compileExpression(source: string): Evaluate {
  const compiled = parse(source);
  const evaluate = (input: unknown): Promise<unknown> => compiled.evaluate(input).catch((error: unknown) => Promise.reject(evaluationError(error)));
  if (!isPlainPath(source)) {
    // Most mapping expressions are within what the synchronous evaluator knows: no promise per record then.
    const fast = compileFast(compiled.ast());
    if (fast) {
      return (input: unknown) => {
        try {
          return fast(input);
        } catch (error) {
          if (error === FALLBACK) return evaluate(input);
          throw error;
        }
      };
    }
    const batch = batchOf(source);
    return Object.assign(evaluate, { many: batch ? (inputs: readonly unknown[]) => evaluateMany(batch, inputs, evaluate) : undefined });
  }
  const read = pathReader(source.split('.'));
  return (input: unknown) => {
    const value = read(input);
    return value === NO_ARRAY ? evaluate(input) : value;
  };
}

/**
 * A reader of one dotted path with its keys written into the function
 * (`v["contact"]`, then `v["email"]`) rather than looked up in a loop: V8
 * optimises a fixed property read like hand-written code, a loop over keys
 * stays a generic lookup (measured about five times slower per record). The
 * keys are identifiers (PLAIN_PATH) and are written as JSON string literals,
 * so nothing of the configuration can become code.
 */
function pathReader(keys: readonly string[]): (input: unknown) => unknown {
  if (!keys.every((key) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key))) return (input) => readPath(input, keys);
  const steps = keys.map((key) => `if (Array.isArray(v)) return NO; if (v === null || typeof v !== 'object') return undefined; v = v[${JSON.stringify(key)}];`);
  try {
    return new Function('NO', `return function readPath(input) { let v = input; ${steps.join(' ')} return v; };`)(NO_ARRAY) as (input: unknown) => unknown;
  } catch {
    // Code generation refused (node --disallow-code-generation-from-strings): the loop gives the same values.
    return (input) => readPath(input, keys);
  }
}

/**
 * The expression over a list of records: each record's result in an object of
 * its own, so a record with no result keeps its place (JSONata drops undefined
 * from a list) and a list result stays that record's list. Expressions that
 * reach outside the record (`$$` the root, `%` the parent) are evaluated per
 * record, where those mean what their author meant.
 */
function batchOf(source: string): jsonata.Expression | null {
  if (source.includes('$$') || source.includes('%')) return null;
  try {
    return jsonata(`$map($, function($record) { {"v": $record.(${source}\n)} })`);
  } catch {
    return null;
  }
}

async function evaluateMany(batch: jsonata.Expression, inputs: readonly unknown[], one: (input: unknown) => Promise<unknown>): Promise<unknown[]> {
  // Records that are not objects (a bare value, a list) mean something else to a path: those go one by one.
  if (inputs.length === 0) return [];
  if (inputs.some((input) => input === null || typeof input !== 'object' || Array.isArray(input))) return Promise.all(inputs.map(one));
  let answer: unknown;
  try {
    // A list of one is still a list to $map, so the answer has one entry per record.
    answer = await batch.evaluate(inputs);
  } catch (error) {
    throw evaluationError(error);
  }
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== inputs.length) return Promise.all(inputs.map(one));
  return results.map((entry) => (entry as { v?: unknown }).v);
}

function readPath(input: unknown, keys: readonly string[]): unknown {
  let value = input;
  for (const key of keys) {
    if (Array.isArray(value)) return NO_ARRAY;
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  // A list as the final value is what JSONata answers too (it keeps arrays it reads as they are).
  return value;
}
