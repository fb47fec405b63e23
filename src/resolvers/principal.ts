import { ErrorCode, AppError } from '../errors';

export type Role = 'agent' | 'portal' | 'service' | 'admin';

/** Who is asking. A `portal` principal is bound to one customer. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
  readonly customerId: string | null;
}

/** Development without configured auth: everything is allowed, and the server says so at start. */
export const DEVELOPMENT_PRINCIPAL: Principal = Object.freeze({ subject: 'development', role: 'admin', customerId: null });

/**
 * Portal principals see only their own customer. Anything else answers as if it
 * did not exist, so the API never tells a portal user which ids are real.
 */
export function canSeeCustomer(principal: Principal, customerId: string): boolean {
  return principal.role !== 'portal' || principal.customerId === customerId;
}

export function assertCanSeeCustomer(principal: Principal, customerId: string, what: string, id: string): void {
  if (!canSeeCustomer(principal, customerId)) throw new AppError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} was not found`);
}
