import { GraphQLError } from 'graphql';

/** The public contract: clients switch on these codes, never on messages or classes. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BACKOFFICE_UNAVAILABLE = 'BACKOFFICE_UNAVAILABLE',
  RATE_LIMITED = 'RATE_LIMITED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  CONFLICT = 'CONFLICT',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

export function isKnownCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/** The one error class that reaches clients; anything else is masked by formatError. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }
}

export const badInput = (message: string, field?: string): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (what: string, id: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} was not found`);

/** A back-office system failed or timed out; the rest of the response still resolves. */
export class BackofficeUnavailableError extends AppError {
  constructor(readonly system: BackofficeSystem, reason: string) {
    super(ErrorCode.BACKOFFICE_UNAVAILABLE, `The ${system} system is unavailable (${reason})`, { system });
    this.name = 'BackofficeUnavailableError';
  }
}

export type BackofficeSystem = 'crm' | 'contracts' | 'catalog';

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
