/** Plain domain vocabulary shared by the schema, connectors, channels, render and jobs. */

export enum Channel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  LETTER = 'LETTER',
  PORTAL = 'PORTAL',
  WHATSAPP = 'WHATSAPP',
  WEBHOOK = 'WEBHOOK',
}

export enum ChannelPolicy {
  PREFERRED = 'PREFERRED',
  ALL_CONSENTED = 'ALL_CONSENTED',
  EXPLICIT = 'EXPLICIT',
}

export enum Priority {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}

export enum ContractStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  TERMINATED = 'TERMINATED',
  PENDING = 'PENDING',
}

export enum CommunicationStatus {
  SCHEDULED = 'SCHEDULED',
  QUEUED = 'QUEUED',
  RENDERING = 'RENDERING',
  DELIVERING = 'DELIVERING',
  DELIVERED = 'DELIVERED',
  PARTIALLY_DELIVERED = 'PARTIALLY_DELIVERED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
  /** Recorded, nothing rendered or sent: waits for a second person (role approver or admin) to approve or reject it. */
  AWAITING_APPROVAL = 'AWAITING_APPROVAL',
  /** Refused by the reviewer; its deliveries are CANCELLED. Final. */
  REJECTED = 'REJECTED',
}

/** How a contact the gateway did not send reached us (or we reached the customer): a call, a visit, a chat. */
export enum InteractionChannel {
  PHONE = 'PHONE',
  BRANCH = 'BRANCH',
  CHAT = 'CHAT',
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  WHATSAPP = 'WHATSAPP',
  WEB = 'WEB',
  IVR = 'IVR',
  LETTER = 'LETTER',
  VIDEO = 'VIDEO',
  SOCIAL = 'SOCIAL',
  OTHER = 'OTHER',
}

export enum Direction {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  RENDERED = 'RENDERED',
  SENDING = 'SENDING',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  /** The recipient opened, read, downloaded or answered it (after SENT or DELIVERED). */
  READ = 'READ',
  FAILED = 'FAILED',
  BOUNCED = 'BOUNCED',
  SKIPPED = 'SKIPPED',
  CANCELLED = 'CANCELLED',
}

/** What the recipient did with a delivery; each kind is recorded at most once per delivery. */
/** "Digital first, paper if unread": of a communication, as checked when it was sent, or a template's default. */
export interface Escalation {
  /** From the moment a delivery first reaches the customer (SENT or DELIVERED). */
  readonly unreadAfterSeconds: number;
  /** The channels an unread delivery moves on to, in order (the first that reaches the customer, the rest its fallbacks). */
  readonly then: readonly Channel[];
}

/** Longest escalation window: 90 days. */
export const MAX_UNREAD_SECONDS = 90 * 86_400;

/** Where the password of an encrypted email attachment comes from (the values are the template file's). */
export enum AttachmentPassword {
  /** The configured customer field (ATTACHMENT_PASSWORD_FIELD), e.g. the date of birth. */
  CUSTOMER_FIELD = 'customerField',
  /** Made per communication and sent by SMS, apart from the email. */
  SMS = 'sms',
}

export enum EngagementKind {
  OPENED = 'OPENED',
  CLICKED = 'CLICKED',
  READ = 'READ',
  DOWNLOADED = 'DOWNLOADED',
  REPLIED = 'REPLIED',
}

/** Decimal string plus ISO 4217 code; amounts are never floats. */
export interface Money {
  readonly amount: string;
  readonly currency: string;
}

export interface PostalAddress {
  readonly lines: readonly string[];
  readonly postalCode: string;
  readonly city: string;
  /** ISO 3166-1 alpha-2 */
  readonly country: string;
}

export interface CustomerRecord {
  readonly id: string;
  readonly kind: 'person' | 'company';
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly companyName: string | null;
  readonly email: string | null;
  /** E.164 */
  readonly phone: string | null;
  /** BCP-47 primary language, e.g. "fr" */
  readonly language: string;
  readonly segment: string | null;
  readonly postalAddress: PostalAddress | null;
  readonly preferredChannel: Channel | null;
  readonly consents: readonly Channel[];
  /** HTTPS endpoint the customer registered for documents (an ERP, an e-banking inbox); null: none. */
  readonly webhookUrl: string | null;
  /** Extra fields the back-office configuration maps (JSON values); absent when it maps none. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /**
   * What the gateway's preference centre adds to the CRM's record (see
   * src/preferences/): set by the overlay directory, absent on a record read
   * straight from the CRM. `preferredChannel`, `consents`, `language` and the
   * addresses above already carry the overlay's values.
   */
  readonly preferences?: GatewayPreferences;
}

/** Where the current preference values come from. */
export enum PreferenceSource {
  CRM = 'CRM',
  PORTAL = 'PORTAL',
  AGENT = 'AGENT',
  INBOUND_SMS = 'INBOUND_SMS',
  BOUNCE = 'BOUNCE',
  RETURNED_MAIL = 'RETURNED_MAIL',
  API = 'API',
}

/** Local wall-clock times `HH:MM`; `start` after `end` spans midnight ("21:00"–"08:00"). */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

export interface GatewayPreferences {
  /** No LETTER while a consented digital channel is usable (templates marked paperRequired excepted). */
  readonly paperless: boolean;
  /** The language chosen through the gateway (already in `CustomerRecord.language`); null: the CRM's. */
  readonly language: string | null;
  /** IANA zone; null: derived from the postal address country. */
  readonly timeZone: string | null;
  /** null: the configured default (QUIET_HOURS), if any. */
  readonly quietHours: QuietHours | null;
  /** false: the customer's emails carry no open pixel and no tracked links (as with TRACKING=off); absent or true: they may. */
  readonly tracking?: boolean;
  readonly source: PreferenceSource;
  readonly updatedAt: Date | null;
}

export interface ContractRecord {
  readonly id: string;
  readonly number: string;
  readonly status: ContractStatus;
  readonly startDate: Date;
  readonly endDate: Date | null;
  readonly monthlyAmount: Money;
  readonly customerId: string;
  readonly productId: string;
  /** Extra mapped fields, as on CustomerRecord. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export interface ProductRecord {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly description: string | null;
  readonly price: Money;
  /** Extra mapped fields, as on CustomerRecord. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export function displayName(customer: CustomerRecord): string {
  if (customer.kind === 'company' && customer.companyName) return customer.companyName;
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
  return name || customer.companyName || customer.id;
}
