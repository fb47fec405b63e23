import { ErrorCode, AppError } from '../errors';

/** `approver`: the second person of four-eyes approval; reads what it approves, sends nothing itself. */
export type Role = 'agent' | 'portal' | 'service' | 'admin' | 'approver';

export const ROLES: readonly Role[] = Object.freeze(['agent', 'portal', 'service', 'admin', 'approver']);

/** Who is asking. A `portal` principal is bound to one customer. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
  readonly customerId: string | null;
  /** When the credentials stop being valid (epoch ms, from a JWT's `exp`); null for API keys. */
  readonly expiresAt?: number | null;
}

/** Development without configured auth: everything is allowed, and the server says so at start. */
export const DEVELOPMENT_PRINCIPAL: Principal = Object.freeze({ subject: 'development', role: 'admin', customerId: null, expiresAt: null });

/**
 * Which roles reach which operations (API.md section 4), used as
 * `@Authorized(ACCESS.x)` on queries, mutations, subscriptions and sensitive
 * fields (checked by `principalAuthChecker`, src/resolvers/auth.checker.ts). The customer scope of `portal` is a second, separate check in the
 * resolvers (`canSeeCustomer`): a role rule answers FORBIDDEN, a scope miss
 * answers NOT_FOUND / null, so a portal user learns nothing about other ids.
 */
export const ACCESS = Object.freeze({
  /**
   * Customer data from the back-office (customer, customers, contract and the
   * customer behind a contract or communication). Not `service`: a system that
   * sends and tracks communications needs ids and statuses, not personal data.
   */
  customerData: ['agent', 'portal', 'admin', 'approver'],
  /** Contact history, documents and delivery status, including subscriptions. */
  history: ['agent', 'portal', 'service', 'admin', 'approver'],
  /** markDocumentRead: the customer (portal, its own documents) or an agent on the customer's behalf. */
  markRead: ['agent', 'portal', 'admin'],
  /** sendCommunication, cancelCommunication, retryDelivery. */
  send: ['agent', 'service', 'admin'],
  /** Figures across all customers and the template list: the front office and systems, not customers. */
  operations: ['agent', 'service', 'admin'],
  /** approveCommunication, rejectCommunication (never by the communication's own sender, checked in the service). */
  approve: ['approver', 'admin'],
  /** communicationPreview: a recorded communication as it will go out — for the desk and reviewers, not portal users. */
  previewRecorded: ['agent', 'service', 'admin', 'approver'],
  /** reprintDocument: the desk, systems and reviewers; not portal users (they download the archived file). */
  reprint: ['agent', 'service', 'admin', 'approver'],
  /** publishTemplate: a new version every later send uses. */
  publishTemplates: ['admin'],
  /** Print room: closing and listing print batches. */
  printOperations: ['agent', 'admin'],
  /** updatePreferences: the desk (AGENT), the customer in the portal (own customer only, PORTAL), systems (API). */
  preferences: ['agent', 'portal', 'service', 'admin'],
  /** The product catalog: not personal, and a portal shows the products of its contracts. */
  catalog: ['agent', 'portal', 'service', 'admin'],
} as const satisfies Record<string, readonly Role[]>);

/**
 * Portal principals see only their own customer. Anything else answers as if it
 * did not exist, so the API never tells a portal user which ids are real.
 */
export function canSeeCustomer(principal: Principal, customerId: string): boolean {
  return principal.role !== 'portal' || (principal.customerId !== null && principal.customerId === customerId);
}

export function assertCanSeeCustomer(principal: Principal, customerId: string, what: string, id: string): void {
  if (!canSeeCustomer(principal, customerId)) throw new AppError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} was not found`);
}
