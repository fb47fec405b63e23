import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ZodIssue } from 'zod';
import { backofficeFileSchema, type BackofficeFile } from './backoffice.schema';
import { checkSemantics } from './spec.semantics';

export type SpecResult = { readonly ok: true; readonly file: BackofficeFile } | { readonly ok: false; readonly problems: readonly string[] };

type Vars = Readonly<Record<string, string | undefined>>;

/** Keys whose values are never echoed in a problem line, even when they are what is wrong. */
const SECRET_KEY = /secret|token|password|value|^url$/i;

/**
 * Reads a back-office configuration (YAML or JSON, JSON being YAML), replaces
 * `${VAR}` from `vars`, and validates it. Every problem is one line naming its
 * path: `backoffice.crm.customers.byIds.url: expected …, got …`.
 */
export function readBackofficeFile(path: string, vars: Vars): SpecResult {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`${path}: expected a readable file, got ${(error as NodeJS.ErrnoException).code ?? 'an error'}`] };
  }
  return parseBackofficeText(source, vars, path);
}

export function parseBackofficeText(source: string, vars: Vars, name = 'backoffice configuration'): SpecResult {
  const document = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => `${name}: expected YAML or JSON, got ${e.message.split('\n')[0]}`) };
  }
  const problems: string[] = [];
  const substituted = substitute(document.toJS(), [], vars, problems);
  const parsed = backofficeFileSchema.safeParse(substituted);
  if (!parsed.success) {
    // A path already reported as an unset variable is not reported again as an empty value.
    const reported = new Set(problems.map((line) => line.slice(0, line.indexOf(':'))));
    for (const issue of parsed.error.issues) if (!reported.has(dotted(issue.path))) problems.push(...describe(issue, substituted));
    return { ok: false, problems: unique(problems) };
  }
  problems.push(...checkSemantics(parsed.data));
  return problems.length > 0 ? { ok: false, problems: unique(problems) } : { ok: true, file: deepFreeze(parsed.data) };
}

function unique(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

/** `${NAME}` in any string, from `vars`; an unset or empty variable is a problem at that path. `$${` writes a literal `${`. */
function substitute(value: unknown, path: (string | number)[], vars: Vars, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = vars[name];
      if (found === undefined || found === '') {
        problems.push(`${dotted(path)}: expected environment variable ${name} to be set, got nothing`);
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, [...path, i], vars, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, [...path, key], vars, problems)]));
  }
  return value;
}

export function dotted(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(top level)' : path.map((p) => String(p)).join('.');
}

function at(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function shown(value: unknown, path: readonly (string | number)[]): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const key = String(path.at(-1) ?? '');
  if (typeof value === 'string') return SECRET_KEY.test(key) ? `a string of ${value.length} characters` : JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return SECRET_KEY.test(key) ? `a ${typeof value}` : `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

function describe(issue: ZodIssue, root: unknown): string[] {
  const path = issue.path;
  const got = shown(at(root, path), path);
  const line = (expected: string, where: readonly (string | number)[] = path, value = got): string => `${dotted(where)}: expected ${expected}, got ${value}`;
  switch (issue.code) {
    case 'invalid_type':
      return [line(TYPE_WORDS[issue.expected] ?? String(issue.expected))];
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${dotted([...path, key])}: expected a known key (see docs/connectors.md), got an unknown key`);
    case 'invalid_enum_value':
      return [line(`one of ${issue.options.join(', ')}`)];
    case 'invalid_literal':
      return [line(JSON.stringify(issue.expected))];
    case 'invalid_union_discriminator':
      return [line(`one of ${issue.options.map(String).join(', ')}`, path)];
    case 'invalid_union': {
      // A union of "expression or object": report the branch the value was meant for.
      const value = at(root, path);
      const branch = issue.unionErrors.find((e) => !e.issues.some((i) => i.code === 'invalid_type' && i.path.length === path.length));
      if (branch) return branch.issues.flatMap((i) => describe(i, root));
      const objectLike = value !== null && typeof value === 'object' && !Array.isArray(value);
      return [line(objectLike ? 'a valid object' : 'an expression (a string) or an object {expr, default, enum, format}')];
    }
    case 'too_small':
      return [line(issue.type === 'string' ? 'a non-empty string' : issue.type === 'array' ? `at least ${issue.minimum} entries` : `at least ${issue.minimum}`)];
    case 'too_big':
      return [line(issue.type === 'string' ? `at most ${issue.maximum} characters` : `at most ${issue.maximum}`)];
    case 'invalid_string':
      return [line(issue.validation === 'url' ? 'a URL' : issue.message.replace(/^expected /, '') || 'a valid string')];
    case 'custom':
      return [line(issue.message.replace(/^expected /, ''))];
    default:
      return [line(issue.message)];
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
