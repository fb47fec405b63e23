import jsonata from 'jsonata';

/** A compiled mapping expression; synchronous for plain paths, a promise for JSONata. */
export type Evaluate = (input: unknown) => unknown;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const PLAIN_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
const NO_ARRAY = Symbol('array on the path');

/**
 * Compiles a mapping expression. A plain dotted path (`contact.email`) is read
 * directly: it is what most fields are, and it costs a property read instead of
 * a JSONata evaluation per record. When that path meets a list (where JSONata
 * would map over it), the JSONata expression answers instead, so both give the
 * same result. Anything else is JSONata. Throws ExpressionError when it does not parse.
 */
export function compileExpression(source: string): Evaluate {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source);
  } catch (error) {
    const e = error as { position?: number; message?: string };
    throw new ExpressionError(`position ${e.position ?? '?'}: ${e.message ?? 'does not parse'}`);
  }
  const evaluate = (input: unknown): Promise<unknown> => compiled.evaluate(input);
  if (!PLAIN_PATH.test(source) || source.includes('$')) return evaluate;
  const keys = source.split('.');
  return (input: unknown) => {
    const value = readPath(input, keys);
    return value === NO_ARRAY ? evaluate(input) : value;
  };
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
