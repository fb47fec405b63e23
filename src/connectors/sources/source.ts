import type { CallContext } from '../backoffice';
import type { BatchOperation, PageOperation, WriteOperation } from '../spec/backoffice.schema';

export type Operation = BatchOperation | PageOperation | WriteOperation;

/** One call of a configured operation. */
export interface SourceRequest {
  readonly op: Operation;
  /** Placeholder values: ids, id, search, category, limit, offset, page, cursor, written fields. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The caller's budget (see Resilience.run). */
  readonly signal: AbortSignal;
  readonly call?: CallContext;
  /** Log-safe name of the call: a template, never ids. */
  readonly route: string;
}

/** A back-office system reached one way (REST, SQL, SOAP); it knows how to send an operation, not what the answer means. */
export interface SourceClient {
  /** Log-safe name of an operation's calls when the system knows it better than the configuration (an OpenAPI operationId's path). */
  routeOf?(op: Operation): string | undefined;
  /** The raw answer; null when the system says the one record asked for does not exist. */
  send(request: SourceRequest): Promise<unknown>;
  /** Opens connections ahead of the first call; false (no error) when the system is unreachable now. */
  open(): Promise<boolean>;
  /** Readiness ping; systems without one resolve. */
  check(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const WHOLE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const PART = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Fills placeholders: a string that is exactly one placeholder takes the value
 * as it is (a list of ids stays a list, a number a number, null stays null — a
 * write that clears a field; nothing leaves it undefined, and the key out);
 * placeholders inside a longer string are written in, through `encode`.
 */
export function fill(template: unknown, vars: Readonly<Record<string, unknown>>, encode: (text: string) => string = (t) => t): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return vars[whole[1]];
    return template.replace(PART, (_, name: string) => {
      const value = vars[name];
      return value === undefined || value === null ? '' : encode(Array.isArray(value) ? value.join(',') : String(value));
    });
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, vars, encode));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      const filled = fill(value, vars, encode);
      if (filled !== undefined) out[key] = filled;
    }
    return out;
  }
  return template;
}
