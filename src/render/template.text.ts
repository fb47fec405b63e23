import type { Money } from '../domain';
import type { LocaleFormat } from './locale.format';

/** The only names a placeholder may start with; `row` exists only inside a table's row template. */
export const SCOPE_ROOTS = ['customer', 'contract', 'product', 'data', 'communication', 'sender'] as const;
export type ScopeRoot = (typeof SCOPE_ROOTS)[number] | 'row';
export type Scope = Readonly<Partial<Record<ScopeRoot, unknown>>>;

const FORMATTERS = ['money', 'date', 'shortDate', 'number', 'upper', 'default'] as const;
type FormatterName = (typeof FORMATTERS)[number];
interface Formatter {
  readonly name: FormatterName;
  readonly arg: string | null;
}

/** A dotted path such as `data.lines` or `contract.monthlyAmount`, checked when the template loads. */
export class ValuePath {
  private constructor(readonly root: ScopeRoot, readonly segments: readonly string[], readonly text: string) {}

  static parse(text: string, roots: readonly ScopeRoot[]): ValuePath {
    const parts = text.trim().split('.');
    if (!parts.every((p) => /^[A-Za-z0-9_]+$/.test(p))) {
      throw new Error(`expected a dotted path such as "data.invoiceNumber", got ${JSON.stringify(text)}`);
    }
    const [root, ...segments] = parts as [string, ...string[]];
    if (!(roots as readonly string[]).includes(root)) {
      throw new Error(`expected a path starting with one of ${roots.join(', ')}, got ${JSON.stringify(text)}`);
    }
    // Lookups only follow own properties, so these could never match; saying so early is kinder.
    const bad = segments.find((s) => s === '__proto__' || s === 'constructor' || s === 'prototype');
    if (bad) throw new Error(`expected a data path, got the reserved name ${JSON.stringify(bad)} in ${JSON.stringify(text)}`);
    return new ValuePath(root as ScopeRoot, segments, text.trim());
  }

  /** Own properties and array indexes only: a template can read data, never reach code. */
  lookup(scope: Scope): unknown {
    let value: unknown = scope[this.root];
    for (const segment of this.segments) {
      if (Array.isArray(value)) value = /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
      else if (isRecord(value) && Object.hasOwn(value, segment)) value = value[segment];
      else return undefined;
    }
    return value;
  }

  /** For `when` conditions: absent, empty and false hide the block or item. */
  isPresent(scope: Scope): boolean {
    const value = this.lookup(scope);
    if (value === null || value === undefined || value === '' || value === false) return false;
    return !(Array.isArray(value) && value.length === 0);
  }
}

type Segment = string | { readonly path: ValuePath; readonly formatters: readonly Formatter[] };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const FORMATTER = /^\s*([A-Za-z]+)\s*(?::\s*"([^"]*)")?\s*$/;

/**
 * A template string with `{{path | formatter}}` placeholders, parsed once at
 * load. Rendering substitutes values as plain text: a value that itself looks
 * like a placeholder is never expanded again.
 */
export class TemplateText {
  private constructor(private readonly segments: readonly Segment[], readonly source: string) {}

  static parse(source: string, roots: readonly ScopeRoot[]): TemplateText {
    const segments: Segment[] = [];
    let last = 0;
    for (const match of source.matchAll(PLACEHOLDER)) {
      const literal = source.slice(last, match.index);
      checkLiteral(literal);
      if (literal) segments.push(literal);
      const [pathText = '', ...formatterTexts] = (match[1] ?? '').split('|');
      segments.push({ path: ValuePath.parse(pathText, roots), formatters: formatterTexts.map(parseFormatter) });
      last = match.index + match[0].length;
    }
    const tail = source.slice(last);
    checkLiteral(tail);
    if (tail) segments.push(tail);
    return new TemplateText(segments, source);
  }

  /** Every path the text reads, for checking against the template's declared data. */
  get paths(): readonly ValuePath[] {
    return this.segments.flatMap((s) => (typeof s === 'string' ? [] : [s.path]));
  }

  render(scope: Scope, format: LocaleFormat): string {
    let out = '';
    for (const segment of this.segments) {
      if (typeof segment === 'string') {
        out += segment;
        continue;
      }
      let value = segment.path.lookup(scope);
      for (const formatter of segment.formatters) value = applyFormatter(formatter, value, format);
      out += toText(value, format);
    }
    return out;
  }
}

function checkLiteral(text: string): void {
  if (text.includes('{{') || text.includes('}}')) {
    throw new Error(`expected every "{{" to close with "}}" around one path, got ${JSON.stringify(text.slice(0, 60))}`);
  }
}

function parseFormatter(text: string): Formatter {
  const match = FORMATTER.exec(text);
  const name = match?.[1] as FormatterName | undefined;
  if (!match || !name || !(FORMATTERS as readonly string[]).includes(name)) {
    throw new Error(`expected a formatter among ${FORMATTERS.join(', ')}, got ${JSON.stringify(text.trim())}`);
  }
  const arg = match[2] ?? null;
  if ((name === 'default') !== (arg !== null)) {
    throw new Error(name === 'default' ? 'expected default:"text", got default without text' : `expected ${name} without an argument, got ${JSON.stringify(text.trim())}`);
  }
  return { name, arg };
}

function applyFormatter(formatter: Formatter, value: unknown, format: LocaleFormat): unknown {
  switch (formatter.name) {
    case 'money':
      return isMoney(value) ? format.money(value) : value;
    case 'date':
    case 'shortDate': {
      const date = toDate(value);
      return date ? format.date(date, formatter.name === 'date' ? 'long' : 'short') : value;
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' ? format.number(n) : value;
    }
    case 'upper':
      return toText(value, format).toLocaleUpperCase(format.locale);
    case 'default':
      return value === null || value === undefined || value === '' ? formatter.arg : value;
  }
}

/** How a value reads when no formatter says otherwise; what cannot be shown reads as nothing. */
function toText(value: unknown, format: LocaleFormat): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return format.number(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return format.date(value);
  if (isMoney(value)) return format.money(value);
  return '';
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value !== 'string') return null;
  const date = new Date(/^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function isMoney(value: unknown): value is Money {
  return isRecord(value) && typeof value.amount === 'string' && typeof value.currency === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}
