/** A template file that cannot be used; the message names the file and the field. */
export class TemplateFileError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'TemplateFileError';
  }
}

/**
 * Reads parsed JSON field by field, so that every complaint says which file,
 * which field, what was expected and what was found.
 */
export class TemplateFileReader {
  constructor(readonly file: string) {}

  fail(field: string, detail: string): never {
    throw new TemplateFileError(this.file, field, detail);
  }

  /** An object whose keys are all among `allowed` (a misspelt key is an error, not a silent default). */
  object(value: unknown, at: string, allowed: readonly string[] | null): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at || '(top level)', `expected an object, got ${kind(value)}`);
    const record = value as Record<string, unknown>;
    if (allowed) {
      const unknown = Object.keys(record).find((k) => !allowed.includes(k));
      if (unknown !== undefined) this.fail(at ? `${at}.${unknown}` : unknown, `unknown field (expected one of ${allowed.join(', ')})`);
    }
    return record;
  }

  array(value: unknown, at: string, min = 0): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(at, `expected an array, got ${kind(value)}`);
    if (value.length < min) this.fail(at, `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}, got ${value.length}`);
    return value;
  }

  string(value: unknown, at: string): string {
    if (typeof value !== 'string') this.fail(at, `expected a string, got ${kind(value)}`);
    return value;
  }

  optionalString(value: unknown, at: string): string | null {
    return value === undefined ? null : this.string(value, at);
  }

  boolean(value: unknown, at: string, fallback?: boolean): boolean {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(at, `expected true or false, got ${kind(value)}`);
    return value;
  }

  positiveInteger(value: unknown, at: string, fallback: number): number {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || (value as number) < 1) this.fail(at, `expected a positive integer, got ${kind(value)}`);
    return value as number;
  }

  oneOf<T extends string>(value: unknown, at: string, choices: readonly T[]): T {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(at, `expected one of ${choices.join(', ')}, got ${kind(value)}`);
    }
    return value as T;
  }

  /** Runs `parse` and reports what it throws against field `at`. */
  attempt<T>(at: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof TemplateFileError) throw error;
      return this.fail(at, (error as Error).message);
    }
  }
}

function kind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  return `${typeof value} ${json.length > 40 ? `${json.slice(0, 37)}...` : json}`;
}
