/*
 * A synchronous evaluator for the part of JSONata that field mappings use:
 * paths over objects, literals, conditions, arithmetic, comparisons, `and`/`or`,
 * `&`, object and array constructors, blocks, and a handful of functions
 * ($number, $string, $boolean, $not, $exists, $count, $uppercase, $lowercase,
 * $trim, $split, $join, $lookup, $contains, $substringBefore/After, $map with
 * an inline function). JSONata itself evaluates every expression as a promise
 * chain, which costs tens of microseconds per record and field; this costs
 * about a property read per node.
 *
 * It never guesses: an expression with anything else in it is not compiled
 * here (JSONata evaluates it), and a record whose values leave the cases
 * handled exactly (a list on a path, a number where a string is concatenated, a
 * type JSONata would refuse) is handed to JSONata for that record. A test
 * compares both on every expression it knows.
 */

interface AstNode {
  readonly type: string;
  readonly value?: unknown;
  readonly steps?: readonly AstNode[];
  readonly lhs?: AstNode | readonly (readonly [AstNode, AstNode])[];
  readonly rhs?: AstNode;
  readonly condition?: AstNode;
  readonly then?: AstNode;
  readonly else?: AstNode;
  readonly expression?: AstNode;
  readonly expressions?: readonly AstNode[];
  readonly arguments?: readonly AstNode[];
  readonly procedure?: AstNode;
  readonly body?: AstNode;
}

/** Thrown while compiling: JSONata evaluates this expression. */
const UNSUPPORTED = Symbol('unsupported');
/** Thrown while evaluating: JSONata evaluates this record. */
export const FALLBACK = Symbol('fallback');

/** Variables of the functions being evaluated: an object whose prototype is the enclosing function's (null at the top). */
type Scope = Readonly<Record<string, unknown>> | null;
type Compiled = (context: unknown, scope: Scope) => unknown;

/** Keys a node may have, per type; anything else (predicates, grouping, focus, sorting…) is JSONata's. */
const KEYS: Readonly<Record<string, readonly string[]>> = {
  path: ['type', 'steps'],
  name: ['type', 'value', 'position'],
  string: ['type', 'value', 'position'],
  number: ['type', 'value', 'position'],
  value: ['type', 'value', 'position'],
  variable: ['type', 'value', 'position'],
  condition: ['type', 'position', 'condition', 'then', 'else'],
  binary: ['type', 'value', 'position', 'lhs', 'rhs'],
  unary: ['type', 'value', 'position', 'expression', 'expressions', 'lhs'],
  block: ['type', 'position', 'expressions'],
  function: ['type', 'value', 'position', 'arguments', 'procedure'],
  lambda: ['type', 'position', 'arguments', 'body'],
};

function fail(): never {
  throw FALLBACK;
}

function unsupported(): never {
  throw UNSUPPORTED;
}

/** The evaluator of an expression's AST, or null when it uses something not handled here. */
export function compileFast(ast: unknown): ((input: unknown) => unknown) | null {
  try {
    const compiled = node(ast as AstNode, new Set());
    return (input) => compiled(input, null);
  } catch (error) {
    if (error === UNSUPPORTED) return null;
    throw error;
  }
}

function checkKeys(n: AstNode): void {
  const allowed = KEYS[n.type];
  if (!allowed) unsupported();
  // The parser leaves some keys present but undefined (a function's name, a lambda's signature): those say nothing.
  for (const [key, value] of Object.entries(n)) if (value !== undefined && !allowed.includes(key)) unsupported();
}

function node(n: AstNode, vars: ReadonlySet<string>): Compiled {
  checkKeys(n);
  switch (n.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = n.value;
      return () => value;
    }
    case 'variable': {
      const name = n.value as string;
      if (name === '') return (context) => context;
      if (!vars.has(name)) unsupported();
      return (_context, scope) => scope?.[name];
    }
    case 'path':
      return path(n, vars);
    case 'name': {
      // A bare name outside a path is what JSONata parses `Surname` into as well, as a path; kept for safety.
      const key = n.value as string;
      return (context) => readName(context, key);
    }
    case 'condition': {
      const test = node(n.condition!, vars);
      const then = node(n.then!, vars);
      const otherwise = n.else ? node(n.else, vars) : () => undefined;
      return (context, scope) => (truthy(test(context, scope)) ? then(context, scope) : otherwise(context, scope));
    }
    case 'binary':
      return binary(n, vars);
    case 'unary':
      return unary(n, vars);
    case 'block': {
      const parts = (n.expressions ?? []).map((e) => node(e, vars));
      return (context, scope) => {
        let result: unknown;
        for (const part of parts) result = part(context, scope);
        return result;
      };
    }
    case 'function':
      return call(n, vars);
    default:
      return unsupported();
  }
}

function readName(value: unknown, key: string): unknown {
  if (Array.isArray(value)) fail();
  if (value === null || typeof value !== 'object') return undefined;
  return (value as Record<string, unknown>)[key];
}

function path(n: AstNode, vars: ReadonlySet<string>): Compiled {
  const steps = n.steps ?? [];
  if (steps.length === 0) unsupported();
  const compiled = steps.map((step, i) => {
    if (step.type === 'name') {
      checkKeys(step);
      const key = step.value as string;
      return (context: unknown) => readName(context, key);
    }
    // Other steps: an object constructor or a function applied to the value so far (`{...}.$lookup($, $c)`).
    if (i > 0 && step.type !== 'function' && step.type !== 'variable') unsupported();
    if (step.type === 'unary' && step.value !== '{') unsupported();
    const inner = node(step, vars);
    return (context: unknown, scope: Scope) => {
      if (Array.isArray(context)) fail();
      const value = inner(context, scope);
      // JSONata flattens a list a step answers into the path's sequence: that is its business.
      if (Array.isArray(value)) fail();
      return value;
    };
  });
  return (context, scope) => {
    let value = context;
    for (let i = 0; i < compiled.length; i += 1) {
      if (i > 0 && value === undefined) return undefined;
      value = compiled[i](value, scope);
    }
    return value;
  };
}

/** JSONata's boolean cast ($boolean), for conditions, `and`, `or`, `$not`. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (Array.isArray(value)) return value.length === 1 ? truthy(value[0]) : value.some(truthy);
  if (typeof value === 'function') return false;
  return Object.keys(value as object).length > 0;
}

function scalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function number(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail();
}

function binary(n: AstNode, vars: ReadonlySet<string>): Compiled {
  const op = n.value as string;
  const left = node(n.lhs as AstNode, vars);
  const right = node(n.rhs!, vars);
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (context, scope) => {
        const a = left(context, scope);
        const b = right(context, scope);
        if (a === undefined || b === undefined) {
          // JSONata still refuses a non-number on the other side.
          if ((a !== undefined && typeof a !== 'number') || (b !== undefined && typeof b !== 'number')) fail();
          return undefined;
        }
        const x = number(a);
        const y = number(b);
        const result = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
        return Number.isFinite(result) ? result : fail();
      };
    case '&':
      return (context, scope) => text(left(context, scope)) + text(right(context, scope));
    case '=':
    case '!=':
      return (context, scope) => {
        const a = left(context, scope);
        const b = right(context, scope);
        if (a === undefined || b === undefined) return false;
        if (!scalar(a) || !scalar(b)) fail();
        return op === '=' ? a === b : a !== b;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (context, scope) => {
        const a = left(context, scope);
        const b = right(context, scope);
        const orderable = (v: unknown): boolean => v === undefined || typeof v === 'number' || typeof v === 'string';
        if (!orderable(a) || !orderable(b)) fail();
        // Nothing on either side: no answer (not false), as in JSONata.
        if (a === undefined || b === undefined) return undefined;
        if (typeof a !== typeof b) fail();
        const x = a as number | string;
        const y = b as number | string;
        return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
      };
    case 'and':
      return (context, scope) => truthy(left(context, scope)) && truthy(right(context, scope));
    case 'or':
      return (context, scope) => truthy(left(context, scope)) || truthy(right(context, scope));
    default:
      return unsupported();
  }
}

/** A value in `&`: nothing is "", strings as they are; numbers and the rest are formatted by JSONata. */
function text(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return fail();
}

function unary(n: AstNode, vars: ReadonlySet<string>): Compiled {
  if (n.value === '-') {
    const inner = node(n.expression!, vars);
    return (context, scope) => {
      const value = inner(context, scope);
      return value === undefined ? undefined : -number(value);
    };
  }
  if (n.value === '[') {
    const items = (n.expressions ?? []).map((e) => [node(e, vars), e.type === 'unary' && e.value === '['] as const);
    return (context, scope) => {
      const result: unknown[] = [];
      for (const [item, nested] of items) {
        const value = item(context, scope);
        if (value === undefined) continue;
        // A list from a path is spread into the constructed one; a constructed list is kept whole.
        if (Array.isArray(value) && !nested) result.push(...value);
        else result.push(value);
      }
      return result;
    };
  }
  if (n.value === '{') {
    const pairs = (n.lhs as readonly (readonly [AstNode, AstNode])[]).map(([key, value]) => [node(key, vars), node(value, vars)] as const);
    return (context, scope) => {
      // Over a list, an object constructor groups its items: JSONata's.
      if (Array.isArray(context)) fail();
      const result: Record<string, unknown> = {};
      for (const [key, value] of pairs) {
        const name = key(context, scope);
        if (typeof name !== 'string' || Object.prototype.hasOwnProperty.call(result, name)) fail();
        const v = value(context, scope);
        if (v !== undefined) result[name] = v;
      }
      return result;
    };
  }
  return unsupported();
}

type Builtin = (args: readonly unknown[], context: unknown, scope: Scope, lambdas: readonly (Lambda | null)[]) => unknown;

interface Lambda {
  readonly params: readonly string[];
  readonly body: Compiled;
}

const JSON_NUMBER = /^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;

function str(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : fail();
}

/** Functions handled here, with the argument counts handled (others, e.g. a context-bound `Name.$uppercase()`, are JSONata's). */
const BUILTINS: Readonly<Record<string, { readonly arity: readonly number[]; readonly lambdaAt?: number; readonly run: Builtin }>> = {
  number: {
    arity: [1],
    run: ([v]) => {
      if (v === undefined || typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && JSON_NUMBER.test(v)) {
        const n = parseFloat(v);
        if (Number.isFinite(n)) return n;
      }
      return fail();
    },
  },
  string: {
    arity: [1],
    run: ([v]) => (v === undefined || typeof v === 'string' ? v : typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e15) ? String(v) : fail()),
  },
  boolean: { arity: [1], run: ([v]) => (v === undefined ? undefined : truthy(v)) },
  not: { arity: [1], run: ([v]) => (v === undefined ? undefined : !truthy(v)) },
  exists: { arity: [1], run: ([v]) => v !== undefined },
  count: { arity: [1], run: ([v]) => (v === undefined ? 0 : Array.isArray(v) ? v.length : 1) },
  uppercase: { arity: [1], run: ([v]) => str(v)?.toUpperCase() },
  lowercase: { arity: [1], run: ([v]) => str(v)?.toLowerCase() },
  trim: {
    arity: [1],
    run: ([v]) => {
      const s = str(v);
      if (s === undefined) return undefined;
      // JSONata's $trim also folds inner runs of whitespace into one space.
      let result = s.replace(/[ \t\n\r]+/gm, ' ');
      if (result.charAt(0) === ' ') result = result.substring(1);
      if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
      return result;
    },
  },
  split: {
    arity: [2],
    run: ([v, separator]) => {
      const s = str(v);
      if (s === undefined) return undefined;
      return typeof separator === 'string' ? s.split(separator) : fail();
    },
  },
  join: {
    arity: [1, 2],
    run: ([v, separator]) => {
      if (v === undefined) return undefined;
      if (separator !== undefined && typeof separator !== 'string') fail();
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((item) => typeof item === 'string')) fail();
      return list.join(separator ?? '');
    },
  },
  lookup: {
    arity: [2],
    run: ([v, key]) => {
      if (v === undefined) return undefined;
      if (typeof key !== 'string' || Array.isArray(v) || v === null || typeof v !== 'object') fail();
      const found = (v as Record<string, unknown>)[key];
      return Array.isArray(found) ? fail() : found;
    },
  },
  contains: {
    arity: [2],
    run: ([v, pattern]) => {
      const s = str(v);
      if (s === undefined) return undefined;
      return typeof pattern === 'string' ? s.includes(pattern) : fail();
    },
  },
  substringBefore: {
    arity: [2],
    run: ([v, chars]) => {
      const s = str(v);
      if (s === undefined) return undefined;
      if (typeof chars !== 'string') fail();
      const at = s.indexOf(chars);
      return at > -1 ? s.substring(0, at) : s;
    },
  },
  substringAfter: {
    arity: [2],
    run: ([v, chars]) => {
      const s = str(v);
      if (s === undefined) return undefined;
      if (typeof chars !== 'string') fail();
      const at = s.indexOf(chars);
      return at > -1 ? s.substring(at + chars.length) : s;
    },
  },
  map: {
    arity: [2],
    lambdaAt: 1,
    run: ([v], context, scope, lambdas) => {
      if (v === undefined) return undefined;
      const fn = lambdas[1]!;
      const list = Array.isArray(v) ? v : [v];
      const results: unknown[] = [];
      for (let index = 0; index < list.length; index += 1) {
        const inner = Object.create(scope) as Record<string, unknown>;
        const values = [list[index], index, list];
        for (let i = 0; i < fn.params.length; i += 1) inner[fn.params[i]] = values[i];
        // A function's body sees the context it was written in (the record), as in JSONata.
        const result = fn.body(context, inner);
        if (result !== undefined) results.push(result);
      }
      // $map answers a sequence: none is nothing, one is that value.
      if (results.length === 0) return undefined;
      return results.length === 1 ? results[0] : results;
    },
  },
};

function call(n: AstNode, vars: ReadonlySet<string>): Compiled {
  const procedure = n.procedure!;
  if (n.value !== '(' || procedure.type !== 'variable' || typeof procedure.value !== 'string') unsupported();
  checkKeys(procedure);
  const builtin = BUILTINS[procedure.value];
  const args = n.arguments ?? [];
  if (!builtin || !builtin.arity.includes(args.length)) unsupported();
  const lambdaNodes = args.map((arg, i) => {
    if (i !== builtin.lambdaAt) {
      if (arg.type === 'lambda') unsupported();
      return null;
    }
    if (arg.type !== 'lambda') unsupported();
    checkKeys(arg);
    const params = (arg.arguments ?? []).map((p) => {
      if (p.type !== 'variable' || typeof p.value !== 'string' || p.value === '') unsupported();
      checkKeys(p);
      return p.value;
    });
    if (params.length === 0 || params.length > 3) unsupported();
    return { params, body: node(arg.body!, new Set([...vars, ...params])) };
  });
  const compiledArgs = args.map((arg, i) => (i === builtin.lambdaAt ? null : node(arg, vars)));
  return (context, scope) => {
    const values = new Array<unknown>(compiledArgs.length);
    for (let i = 0; i < compiledArgs.length; i += 1) values[i] = compiledArgs[i]?.(context, scope);
    return builtin.run(values, context, scope, lambdaNodes);
  };
}
