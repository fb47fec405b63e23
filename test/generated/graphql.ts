import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 date-time, e.g. 2026-11-23T09:30:00.000Z */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** Where the password of an encrypted email attachment comes from. */
export type AttachmentPassword =
  | 'CUSTOMER_FIELD'
  | 'SMS';

/** One run of a bulk send: one template to many customers, each with a communication of its own. */
export type Batch = {
  __typename?: 'Batch';
  channelPolicy: ChannelPolicy;
  createdAt: Scalars['DateTime']['output'];
  endedAt?: Maybe<Scalars['DateTime']['output']>;
  error?: Maybe<Scalars['String']['output']>;
  /** When the last target was read. */
  expandedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** The batch key: communications are idempotent per key and customer, across runs. */
  key: Scalars['String']['output'];
  priority: Priority;
  progress: BatchProgress;
  /** Rejected targets with the reason, by customer id. */
  rejections: Array<BatchRejection>;
  /** Runs of this key so far, this one included. */
  run: Scalars['Int']['output'];
  scheduledAt?: Maybe<Scalars['DateTime']['output']>;
  status: BatchStatus;
  target: BatchTargetInfo;
  templateKey: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};


/** One run of a bulk send: one template to many customers, each with a communication of its own. */
export type BatchRejectionsArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Bulk runs, newest first. */
export type BatchConnection = {
  __typename?: 'BatchConnection';
  edges: Array<BatchEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type BatchEdge = {
  __typename?: 'BatchEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: Batch;
};

/** Counts of one bulk run. Communication counts cover the ones this run created (`queued`). */
export type BatchProgress = {
  __typename?: 'BatchProgress';
  at: Scalars['DateTime']['output'];
  batchId: Scalars['ID']['output'];
  cancelled: Scalars['Int']['output'];
  /** With a delivery confirmed by the provider, or final at hand-over (print spool, portal). */
  delivered: Scalars['Int']['output'];
  /** The run is over (COMPLETED, CANCELLED or FAILED). */
  done: Scalars['Boolean']['output'];
  /** Targets an earlier run of the same key already reached: not sent again. */
  duplicates: Scalars['Int']['output'];
  /** Every channel failed. */
  failed: Scalars['Int']['output'];
  /** Communications this run recorded and queued. */
  queued: Scalars['Int']['output'];
  /** Targets that could not be planned (unknown customer, no matching contract, no usable channel). */
  rejected: Scalars['Int']['output'];
  /** Past the render step. */
  rendered: Scalars['Int']['output'];
  /** With a delivery handed to a provider (SENT or DELIVERED). */
  sent: Scalars['Int']['output'];
  /** Nothing more will happen to them (delivered, partially delivered, failed, cancelled). */
  settled: Scalars['Int']['output'];
  status: BatchStatus;
  /** Targets read so far. */
  targeted: Scalars['Int']['output'];
  /** Targets known up front (a list); for a selection, known once it has been read. */
  total?: Maybe<Scalars['Int']['output']>;
  /** Queued, not rendered yet. */
  waiting: Scalars['Int']['output'];
};

/** A target that got no communication, and why. */
export type BatchRejection = {
  __typename?: 'BatchRejection';
  customerId: Scalars['ID']['output'];
  reason: Scalars['String']['output'];
};

/** Where a bulk send run is. */
export type BatchStatus =
  /** Cancelled: nothing that had not started is sent. */
  | 'CANCELLED'
  /** Every communication of the run has settled. */
  | 'COMPLETED'
  /** Targets are being read; their communications recorded and queued, chunk by chunk. */
  | 'EXPANDING'
  /** The targets could not be read (see `error`). */
  | 'FAILED'
  /** Every target read; communications are being rendered and delivered. */
  | 'RUNNING';

/** How the targets of a bulk run were chosen. */
export type BatchTargetInfo = {
  __typename?: 'BatchTargetInfo';
  contractStatus?: Maybe<ContractStatus>;
  /** "list" or "selection". */
  kind: Scalars['String']['output'];
  productCode?: Maybe<Scalars['String']['output']>;
  segment?: Maybe<Scalars['String']['output']>;
};

/** Who a bulk send goes to: listed customers, or a selection read from the back-office in pages. Filters narrow either. */
export type BulkTargetInput = {
  /** Every customer of the CRM (narrowed by the filters): must be said explicitly. */
  allCustomers?: InputMaybe<Scalars['Boolean']['input']>;
  /** Only contracts in this status. */
  contractStatus?: InputMaybe<ContractStatus>;
  /** Up to 100,000 customer ids (repeats count once). */
  customerIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** Customers holding a contract for this product code; that contract is the one the communication is about. */
  productCode?: InputMaybe<Scalars['String']['input']>;
  /** Only customers of this segment, e.g. "retail". */
  segment?: InputMaybe<Scalars['String']['input']>;
};

/** A way to reach a customer. */
export type Channel =
  | 'EMAIL'
  | 'LETTER'
  | 'PORTAL'
  | 'SMS'
  | 'WEBHOOK'
  | 'WHATSAPP';

/** KPIs of the deliveries on one channel. */
export type ChannelKpi = {
  __typename?: 'ChannelKpi';
  channel: Channel;
  /** Deliveries of the communications created in the window, fallbacks included. */
  deliveries: Scalars['Int']['output'];
  /** Deliveries that escalated unread (Delivery.escalatedAt set; the escalation delivery points back at them), counted on the channel that went unread. */
  escalated: Scalars['Int']['output'];
  /** Deliveries made because the previous one FAILED, BOUNCED or was SKIPPED (its channel is the fallback taken); an escalation's delivery is not one: the delivery before it reached the customer. */
  fallbacks: Scalars['Int']['output'];
  /** Communications whose plan, chain or escalation held LETTER that reached the customer on a digital channel with no LETTER delivery sent or on its way, none made by an escalation, and no escalation to LETTER still pending. Per channel: counted on each digital channel that reached the customer; the overall figure counts each communication once. */
  lettersAvoided: Scalars['Int']['output'];
  /** Deliveries that reached the customer: SENT, DELIVERED or READ. */
  reached: Scalars['Int']['output'];
  /** Deliveries READ, or with any engagement of kind OPENED, CLICKED, READ, DOWNLOADED or REPLIED. */
  read: Scalars['Int']['output'];
  /** Read deliveries among those that reached the customer ÷ `reached`; null when none reached the customer. */
  readRate?: Maybe<Scalars['Float']['output']>;
  /** Deliveries the customer replied to (engagement REPLIED). */
  replies: Scalars['Int']['output'];
  /** Median seconds from a read delivery's first SENT or DELIVERED timeline entry to its first engagement (linear interpolation, as percentile_cont); null without such a delivery. */
  timeToReadMedianSeconds?: Maybe<Scalars['Float']['output']>;
  /** 90th percentile of the same durations; null without such a delivery. */
  timeToReadP90Seconds?: Maybe<Scalars['Float']['output']>;
};

/** How the channels of a communication are chosen. */
export type ChannelPolicy =
  /** Every consented, addressable channel the template supports; a letter only when no digital channel is usable. */
  | 'ALL_CONSENTED'
  /** Exactly the `channels` given, in that order as the fallback chain. */
  | 'EXPLICIT'
  /** The customer's preferred channel when consented and addressable, else the next of `channels` (default SMS → EMAIL → LETTER). */
  | 'PREFERRED';

export type ChannelStat = {
  __typename?: 'ChannelStat';
  channel: Channel;
  count: Scalars['Int']['output'];
  status: DeliveryStatus;
};

/** A request to tell a customer something, and what became of it. */
export type Communication = {
  __typename?: 'Communication';
  approvedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Who approved it (principal subject), when it waited for approval; null otherwise. */
  approvedBy?: Maybe<Scalars['String']['output']>;
  /** The encrypted attachment the request asked for (its password source); null: as the template says. */
  attachmentPassword?: Maybe<AttachmentPassword>;
  /** The agent's texts in the template's editable slots (what an approver checks); empty when none. */
  blocks: Array<EditedBlock>;
  contractId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** Null, with a BACKOFFICE_UNAVAILABLE error, when the CRM is down. */
  customer?: Maybe<Customer>;
  customerId: Scalars['ID']['output'];
  /** In the order they were created: fallbacks after the delivery they replace. */
  deliveries: Array<Delivery>;
  documents: Array<Document>;
  /** The request's escalation, or the template's default; null: none. */
  escalation?: Maybe<Escalation>;
  id: Scalars['ID']['output'];
  priority: Priority;
  /** The principal that asked for it (an approver may not be the same one); null for portal users, to whom it is internal. */
  requestedBy?: Maybe<Scalars['String']['output']>;
  scheduledAt?: Maybe<Scalars['DateTime']['output']>;
  status: CommunicationStatus;
  templateKey: Scalars['String']['output'];
  /** The template version it was composed from (1: the files in templates/). */
  templateVersion: Scalars['Int']['output'];
};

export type CommunicationConnection = {
  __typename?: 'CommunicationConnection';
  edges: Array<CommunicationEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type CommunicationEdge = {
  __typename?: 'CommunicationEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: Communication;
};

export type CommunicationPreferences = {
  __typename?: 'CommunicationPreferences';
  /** Channels the customer agreed to be contacted on. A letter needs no consent. */
  consents: Array<Channel>;
  /** Overrides the CRM language for rendering; null: the CRM language applies. */
  language?: Maybe<Scalars['String']['output']>;
  /** No LETTER while a consented digital channel is usable (templates marked paperRequired excepted). */
  paperless: Scalars['Boolean']['output'];
  preferredChannel?: Maybe<Channel>;
  /** The customer's own; null: the configured default (QUIET_HOURS), or none. */
  quietHours?: Maybe<QuietHours>;
  /** Where the current values come from. */
  source: PreferenceSource;
  /** IANA zone; by default derived from the postal address country. */
  timeZone: Scalars['String']['output'];
  /** Emails may carry an open pixel and tracked links (true by default); false: plain links and no pixel, as with TRACKING=off. Kept by the gateway, not written to the CRM. */
  tracking: Scalars['Boolean']['output'];
  /** Last change through the gateway; null: never changed here. */
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
};

/** What sendCommunication with the same input would deliver; nothing written, nothing queued. */
export type CommunicationPreview = {
  __typename?: 'CommunicationPreview';
  /** Whether the send would wait in AWAITING_APPROVAL for a second person. */
  approvalRequired: Scalars['Boolean']['output'];
  /** One chain per delivery, first channel tried first. */
  plan: Array<Array<Channel>>;
  /** Every channel of the plan, fallbacks included, once each. */
  previews: Array<Preview>;
};

export type CommunicationStatus =
  | 'AWAITING_APPROVAL'
  | 'CANCELLED'
  | 'DELIVERED'
  | 'DELIVERING'
  | 'FAILED'
  | 'PARTIALLY_DELIVERED'
  | 'QUEUED'
  | 'REJECTED'
  | 'RENDERING'
  | 'SCHEDULED';

export type ContactHistoryConnection = {
  __typename?: 'ContactHistoryConnection';
  edges: Array<ContactHistoryEdge>;
  pageInfo: PageInfo;
  /** All entries matching the filters, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type ContactHistoryEdge = {
  __typename?: 'ContactHistoryEdge';
  /** Pass as `after` to continue after this entry. */
  cursor: Scalars['String']['output'];
  node: ContactHistoryEntry;
};

/** One entry of the contact history: something sent (Communication) or something that happened (Interaction). */
export type ContactHistoryEntry = Communication | Interaction;

/** A contract of the contract system. */
export type Contract = {
  __typename?: 'Contract';
  /** Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none. */
  attributes?: Maybe<Scalars['JSON']['output']>;
  /** Null, with a BACKOFFICE_UNAVAILABLE error, when the CRM is down. */
  customer?: Maybe<Customer>;
  endDate?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  monthlyAmount: Money;
  number: Scalars['String']['output'];
  /** Null, with a BACKOFFICE_UNAVAILABLE error, when the catalog is down. */
  product?: Maybe<Product>;
  startDate: Scalars['DateTime']['output'];
  status: ContractStatus;
};

export type ContractStatus =
  | 'ACTIVE'
  | 'PENDING'
  | 'SUSPENDED'
  | 'TERMINATED';

/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type Customer = {
  __typename?: 'Customer';
  /** Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none. */
  attributes?: Maybe<Scalars['JSON']['output']>;
  /** Contact history, newest first, all channels. */
  communications: CommunicationConnection;
  companyName?: Maybe<Scalars['String']['output']>;
  /** Communications and interactions, newest first, one cursor across both. */
  contactHistory: ContactHistoryConnection;
  /** Newest first. Null, with a BACKOFFICE_UNAVAILABLE error, when the contract system is down. */
  contracts?: Maybe<Array<Contract>>;
  displayName: Scalars['String']['output'];
  /** Archive of what was sent to this customer, newest first. */
  documents: DocumentConnection;
  email?: Maybe<Scalars['String']['output']>;
  firstName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** BCP-47 primary language, e.g. "fr" */
  language: Scalars['String']['output'];
  lastName?: Maybe<Scalars['String']['output']>;
  /** E.164 */
  phone?: Maybe<Scalars['String']['output']>;
  postalAddress?: Maybe<PostalAddress>;
  /** Changes of the preferences, newest first. */
  preferenceHistory: PreferenceChangeConnection;
  preferences: CommunicationPreferences;
  /** e.g. "retail", "premium", "business" */
  segment?: Maybe<Scalars['String']['output']>;
};


/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type CustomerCommunicationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type CustomerContactHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  channels?: InputMaybe<Array<InteractionChannel>>;
  direction?: InputMaybe<Direction>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type CustomerContractsArgs = {
  status?: InputMaybe<ContractStatus>;
};


/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type CustomerDocumentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A customer as the CRM knows them, joined with contracts and the contact history. */
export type CustomerPreferenceHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  edges: Array<CustomerEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: Customer;
};

/** A communication on one channel: a fallback to another channel is a new delivery. */
export type Delivery = {
  __typename?: 'Delivery';
  attempts: Scalars['Int']['output'];
  channel: Channel;
  communication: Communication;
  /** What the recipient did with it (opened, clicked, read, downloaded, replied), oldest first. */
  engagement: Array<Engagement>;
  error?: Maybe<Scalars['String']['output']>;
  /** When it escalated, unread: the escalation delivery follows it in the communication. */
  escalatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** When it moves on to the communication's escalation channels if still unread; null: no escalation pending (none asked, read, or escalated). */
  escalatesAt?: Maybe<Scalars['DateTime']['output']>;
  /** The whole timeline, oldest first. */
  events: Array<DeliveryEvent>;
  /** Channels still to try, in order, if this one fails for good. */
  fallbackChannels: Array<Channel>;
  id: Scalars['ID']['output'];
  providerMessageId?: Maybe<Scalars['String']['output']>;
  /** When it became READ: the first engagement signal after it was sent. */
  readAt?: Maybe<Scalars['DateTime']['output']>;
  /** Email address, E.164 number, postal summary or portal account. */
  recipient?: Maybe<Scalars['String']['output']>;
  status: DeliveryStatus;
  updatedAt: Scalars['DateTime']['output'];
};

/** One entry of a delivery timeline. */
export type DeliveryEvent = {
  __typename?: 'DeliveryEvent';
  /** With milliseconds. */
  at: Scalars['DateTime']['output'];
  detail?: Maybe<Scalars['String']['output']>;
  status: DeliveryStatus;
};

/** KPIs of all the deliveries in the window. */
export type DeliveryKpi = {
  __typename?: 'DeliveryKpi';
  /** Deliveries of the communications created in the window, fallbacks included. */
  deliveries: Scalars['Int']['output'];
  /** Deliveries that escalated unread (Delivery.escalatedAt set; the escalation delivery points back at them), counted on the channel that went unread. */
  escalated: Scalars['Int']['output'];
  /** Deliveries made because the previous one FAILED, BOUNCED or was SKIPPED (its channel is the fallback taken); an escalation's delivery is not one: the delivery before it reached the customer. */
  fallbacks: Scalars['Int']['output'];
  /** Communications whose plan, chain or escalation held LETTER that reached the customer on a digital channel with no LETTER delivery sent or on its way, none made by an escalation, and no escalation to LETTER still pending. Per channel: counted on each digital channel that reached the customer; the overall figure counts each communication once. */
  lettersAvoided: Scalars['Int']['output'];
  /** Deliveries that reached the customer: SENT, DELIVERED or READ. */
  reached: Scalars['Int']['output'];
  /** Deliveries READ, or with any engagement of kind OPENED, CLICKED, READ, DOWNLOADED or REPLIED. */
  read: Scalars['Int']['output'];
  /** Read deliveries among those that reached the customer ÷ `reached`; null when none reached the customer. */
  readRate?: Maybe<Scalars['Float']['output']>;
  /** Deliveries the customer replied to (engagement REPLIED). */
  replies: Scalars['Int']['output'];
  /** Median seconds from a read delivery's first SENT or DELIVERED timeline entry to its first engagement (linear interpolation, as percentile_cont); null without such a delivery. */
  timeToReadMedianSeconds?: Maybe<Scalars['Float']['output']>;
  /** 90th percentile of the same durations; null without such a delivery. */
  timeToReadP90Seconds?: Maybe<Scalars['Float']['output']>;
};

export type DeliveryStats = {
  __typename?: 'DeliveryStats';
  /** Deliveries created in the window, by channel and status. */
  byChannel: Array<ChannelStat>;
  /** KPIs of the communications created in the window, per template. */
  byTemplate: Array<TemplateKpi>;
  /** KPIs of the communications created in the window, per channel of their deliveries. */
  channels: Array<ChannelKpi>;
  /** Interactions that occurred in the window. */
  interactions: InteractionStats;
  /** KPIs of the communications created in the window, all channels and templates. */
  overall: DeliveryKpi;
  /** true: over 100,000 read deliveries in the window; the time-to-read percentiles are of the newest communications' 100,000. */
  timeToReadCapped: Scalars['Boolean']['output'];
  /** Deliveries created in the window. */
  total: Scalars['Int']['output'];
};

export type DeliveryStatus =
  | 'BOUNCED'
  | 'CANCELLED'
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING'
  | 'READ'
  | 'RENDERED'
  | 'SENDING'
  | 'SENT'
  | 'SKIPPED';

/** INBOUND: from the customer; OUTBOUND: to the customer. */
export type Direction =
  | 'INBOUND'
  | 'OUTBOUND';

/** An archived document: stored once, content-addressed by its SHA-256. */
export type Document = {
  __typename?: 'Document';
  createdAt: Scalars['DateTime']['output'];
  /** Signed and expiring; works without other credentials until it expires. */
  downloadUrl: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** The template key. */
  kind: Scalars['String']['output'];
  mimeType: Scalars['String']['output'];
  pages?: Maybe<Scalars['Int']['output']>;
  sha256: Scalars['String']['output'];
  sizeBytes: Scalars['Int']['output'];
};

export type DocumentConnection = {
  __typename?: 'DocumentConnection';
  edges: Array<DocumentEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type DocumentEdge = {
  __typename?: 'DocumentEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: Document;
};

/** An agent's text in one of the template's editable slots, as the request gave it. */
export type EditedBlock = {
  __typename?: 'EditedBlock';
  /** One of Template.editableBlocks. */
  slot: Scalars['String']['output'];
  /** Plain text, paragraphs separated by a blank line. */
  text: Scalars['String']['output'];
};

/** An agent's text for one of the template's editable slots. */
export type EditedBlockInput = {
  /** One of Template.editableBlocks. */
  slot: Scalars['String']['input'];
  /** Plain text (no markup, shown as written); paragraphs separated by a blank line; at most 2000 characters. */
  text: Scalars['String']['input'];
};

/** Something the recipient did with a delivery; each kind at most once per delivery. */
export type Engagement = {
  __typename?: 'Engagement';
  /** When it was first seen, with milliseconds. */
  at: Scalars['DateTime']['output'];
  /** What was engaged with ("view online", a link's host, "portal"); never personal data. */
  detail?: Maybe<Scalars['String']['output']>;
  kind: EngagementKind;
};

/** What the recipient did with a delivery: each kind is recorded once per delivery. */
export type EngagementKind =
  | 'CLICKED'
  | 'DOWNLOADED'
  | 'OPENED'
  | 'READ'
  | 'REPLIED';

/** "Digital first, paper if unread": where an unread delivery moves on to, and when. */
export type Escalation = {
  __typename?: 'Escalation';
  /** In order: the first that reaches the customer then, the rest its fallbacks. */
  then: Array<Channel>;
  /** Counted from the moment a delivery first reaches the customer (SENT or DELIVERED). */
  unreadAfterSeconds: Scalars['Int']['output'];
};

/** Where an unread delivery moves on to, and after how long. */
export type EscalationInput = {
  /** Channels of the template, each once, in order (typically [LETTER]); not all of the plan's. */
  then: Array<Channel>;
  /** Seconds from the moment a delivery first reaches the customer; at least 60 in production, at most 90 days. */
  unreadAfterSeconds: Scalars['Int']['input'];
};

/** A contact the gateway did not send: a call, a branch visit, a chat, an inbound message. */
export type Interaction = {
  __typename?: 'Interaction';
  agentId?: Maybe<Scalars['String']['output']>;
  channel: InteractionChannel;
  createdAt: Scalars['DateTime']['output'];
  customer?: Maybe<Customer>;
  direction: Direction;
  /** The recording system's own id; unique per caller. */
  externalId?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** A note for staff only: never in the customer's (portal) view. */
  internal: Scalars['Boolean']['output'];
  /** When it happened; its place in the contact history. */
  occurredAt: Scalars['DateTime']['output'];
  reason?: Maybe<Scalars['String']['output']>;
  relatedCommunication?: Maybe<Communication>;
  summary?: Maybe<Scalars['String']['output']>;
};

/** How a contact the gateway did not send took place. */
export type InteractionChannel =
  | 'BRANCH'
  | 'CHAT'
  | 'EMAIL'
  | 'IVR'
  | 'LETTER'
  | 'OTHER'
  | 'PHONE'
  | 'SMS'
  | 'SOCIAL'
  | 'VIDEO'
  | 'WEB'
  | 'WHATSAPP';

export type InteractionChannelCount = {
  __typename?: 'InteractionChannelCount';
  channel: InteractionChannel;
  count: Scalars['Int']['output'];
};

export type InteractionReasonCount = {
  __typename?: 'InteractionReasonCount';
  count: Scalars['Int']['output'];
  /** As recorded; null: interactions recorded without a reason. */
  reason?: Maybe<Scalars['String']['output']>;
};

/** Interactions (calls, visits, chats, inbound messages, notes) that occurred in the window. */
export type InteractionStats = {
  __typename?: 'InteractionStats';
  byChannel: Array<InteractionChannelCount>;
  /** The 20 most frequent reasons, most frequent first. */
  byReason: Array<InteractionReasonCount>;
  /** Interactions whose reason is not in `byReason`. */
  otherReasons: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
};

/** An amount as a decimal string (never a float) with its ISO 4217 currency. */
export type Money = {
  __typename?: 'Money';
  /** Decimal string, e.g. "49.90" */
  amount: Scalars['String']['output'];
  /** ISO 4217, e.g. "EUR" */
  currency: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Approves a communication AWAITING_APPROVAL (role approver or admin, never its sender): it is queued (or scheduled) and sent; approvedBy, approvedAt and the timeline record who. CONFLICT once decided. */
  approveCommunication: Communication;
  /** Stops an EXPANDING or RUNNING run: nothing that has not started rendering is sent (CONFLICT when it is over). */
  cancelBatch: Batch;
  /** Cancels a communication that is still SCHEDULED or QUEUED (CONFLICT otherwise). */
  cancelCommunication: Communication;
  /** Closes a print batch now from the spooled letters (null when there are none); CONFLICT while another closing runs. */
  closePrintBatch?: Maybe<PrintBatch>;
  /** The customer read this document (portal: its own documents only): READ on the delivery that carried it. Repeats change nothing. */
  markDocumentRead: Document;
  /** Admin: a new version of an existing template (the JSON of a template file), checked like the files; every later send in every process uses it, earlier communications keep theirs. BAD_USER_INPUT naming the field when it does not validate. */
  publishTemplate: Template;
  /** A contact the gateway did not send. Idempotent on (caller, externalId). */
  recordInteraction: Interaction;
  /** A letter came back: its delivery becomes BOUNCED ("returned mail: <reason>") and the next channel of its chain takes over. */
  registerReturnedMail: Delivery;
  /** Rejects a communication AWAITING_APPROVAL (role approver or admin, never its sender): REJECTED, nothing is sent; the reason goes on the timeline. CONFLICT once decided. */
  rejectCommunication: Communication;
  /** Composes an archived document again from its render snapshot (the same template version, back-office records, data, reference and date) and renders it; writes nothing. sha256 and downloadUrl are the reprint's (the link lives 10 minutes); sha256 equals the archived one when the bytes are the same. CONFLICT without a snapshot. */
  reprintDocument: Document;
  /** Sends a FAILED or BOUNCED delivery again (CONFLICT otherwise). */
  retryDelivery: Delivery;
  /** Records a bulk run and starts it; each target gets a communication of its own, idempotent per batch key. */
  sendBulkCommunication: Batch;
  /** Records the request and queues its rendering and delivery. */
  sendCommunication: Communication;
  /** agent/admin: any customer (source AGENT); portal: its own customer only (source PORTAL); service: source API. Written through to the CRM when it accepts writes. */
  updatePreferences: Customer;
};


export type MutationApproveCommunicationArgs = {
  comment?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationCancelBatchArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCancelCommunicationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationClosePrintBatchArgs = {
  duplex?: InputMaybe<Scalars['Boolean']['input']>;
  maxLetters?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationMarkDocumentReadArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPublishTemplateArgs = {
  definition: Scalars['JSON']['input'];
};


export type MutationRecordInteractionArgs = {
  input: RecordInteractionInput;
};


export type MutationRegisterReturnedMailArgs = {
  deliveryId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationRejectCommunicationArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationReprintDocumentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRetryDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSendBulkCommunicationArgs = {
  input: SendBulkCommunicationInput;
};


export type MutationSendCommunicationArgs = {
  input: SendCommunicationInput;
};


export type MutationUpdatePreferencesArgs = {
  customerId: Scalars['ID']['input'];
  input: PreferencesInput;
  reason?: InputMaybe<Scalars['String']['input']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** ISO 3166 alpha-2 country; lines are street and additional lines, in order. */
export type PostalAddress = {
  __typename?: 'PostalAddress';
  city: Scalars['String']['output'];
  /** ISO 3166-1 alpha-2 */
  country: Scalars['String']['output'];
  lines: Array<Scalars['String']['output']>;
  postalCode: Scalars['String']['output'];
};

/** One changed field of the preferences: who, when, from where, old and new value, why. */
export type PreferenceChange = {
  __typename?: 'PreferenceChange';
  /** The principal (subject), or the phone number an inbound keyword came from. */
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  /** preferredChannel, consents, paperless, language, timeZone, quietHours, tracking, or emailAddress / phoneAddress / postalAddress (made unusable). */
  field: Scalars['String']['output'];
  /** Channels comma-separated, quiet hours "21:00-08:00". */
  from?: Maybe<Scalars['String']['output']>;
  reason?: Maybe<Scalars['String']['output']>;
  source: PreferenceSource;
  to?: Maybe<Scalars['String']['output']>;
};

export type PreferenceChangeConnection = {
  __typename?: 'PreferenceChangeConnection';
  edges: Array<PreferenceChangeEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type PreferenceChangeEdge = {
  __typename?: 'PreferenceChangeEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: PreferenceChange;
};

/** Where preference values come from. */
export type PreferenceSource =
  | 'AGENT'
  | 'API'
  | 'BOUNCE'
  | 'CRM'
  | 'INBOUND_SMS'
  | 'PORTAL'
  | 'RETURNED_MAIL';

/** Only what is given changes. null sets preferredChannel to none, and language, timeZone and quietHours back to their defaults. */
export type PreferencesInput = {
  /** The whole set of consented channels (not a delta); LETTER needs none and is refused here. */
  consents?: InputMaybe<Array<Channel>>;
  /** A language the templates have, e.g. "fr". */
  language?: InputMaybe<Scalars['String']['input']>;
  paperless?: InputMaybe<Scalars['Boolean']['input']>;
  preferredChannel?: InputMaybe<Channel>;
  quietHours?: InputMaybe<QuietHoursInput>;
  /** IANA zone, e.g. "Europe/Paris". */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** false: no open pixel and no tracked links in this customer's emails; null is refused. */
  tracking?: InputMaybe<Scalars['Boolean']['input']>;
};

/** One channel of a previewed communication, rendered by that channel exactly as a send would. */
export type Preview = {
  __typename?: 'Preview';
  channel: Channel;
  /** Why this channel cannot be rendered for this customer (the delivery would fail and its chain move on). */
  error?: Maybe<Scalars['String']['output']>;
  /** Email HTML part. */
  html?: Maybe<Scalars['String']['output']>;
  pdfPages?: Maybe<Scalars['Int']['output']>;
  /** Signed link to the PDF this channel would carry; expires with the preview (minutes), nothing is archived. */
  pdfUrl?: Maybe<Scalars['String']['output']>;
  smsSegments?: Maybe<Scalars['Int']['output']>;
  /** Email subject. */
  subject?: Maybe<Scalars['String']['output']>;
  /** Email text part, SMS or WhatsApp body, portal notification. */
  text?: Maybe<Scalars['String']['output']>;
};

/** A closed print batch: one print-ready PDF (letters sorted by country and postal code, each with a Code 128 mark per page) and its manifest. */
export type PrintBatch = {
  __typename?: 'PrintBatch';
  blankPages: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Printed on both sides: a blank back page after each letter with an odd page count. */
  duplex: Scalars['Boolean']['output'];
  /** The manifest lines in print order. */
  entries: Array<PrintLetter>;
  files: PrintBatchFiles;
  /** Estimated weight of all envelopes. */
  grams: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  letters: Scalars['Int']['output'];
  /** Signed, expiring download of the manifest as CSV (one line per letter in print order). */
  manifestCsvUrl: Scalars['String']['output'];
  /** Signed, expiring download of the manifest as JSON (totals, then every letter). */
  manifestJsonUrl: Scalars['String']['output'];
  /** Pages of the PDF, blank back pages included. */
  pages: Scalars['Int']['output'];
  /** Signed, expiring download of the print-ready PDF (DOCUMENT_LINK_TTL_SECONDS); needs no other credentials. */
  pdfUrl: Scalars['String']['output'];
  /** SHA-256 of the PDF. */
  sha256: Scalars['String']['output'];
  sheets: Scalars['Int']['output'];
  /** Per postal zone and weight class. */
  totals: Array<PrintTotal>;
};


/** A closed print batch: one print-ready PDF (letters sorted by country and postal code, each with a Code 128 mark per page) and its manifest. */
export type PrintBatchEntriesArgs = {
  afterSequence?: InputMaybe<Scalars['Int']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** The files of a print batch, relative to the data folder. */
export type PrintBatchFiles = {
  __typename?: 'PrintBatchFiles';
  manifestCsv: Scalars['String']['output'];
  manifestJson: Scalars['String']['output'];
  pdf: Scalars['String']['output'];
};

/** One letter of a print batch, in print order (a manifest line). */
export type PrintLetter = {
  __typename?: 'PrintLetter';
  communicationId: Scalars['ID']['output'];
  country: Scalars['String']['output'];
  customerId: Scalars['ID']['output'];
  deliveryId: Scalars['ID']['output'];
  /** Its first page in the batch PDF (from 1). */
  firstPage: Scalars['Int']['output'];
  grams: Scalars['Int']['output'];
  /** Pages of the letter. */
  pages: Scalars['Int']['output'];
  postalCode: Scalars['String']['output'];
  postalZone: Scalars['String']['output'];
  sequence: Scalars['Int']['output'];
  /** Sheets it takes (a blank back page in duplex included). */
  sheets: Scalars['Int']['output'];
  weightClass: Scalars['String']['output'];
};

/** Letters, sheets and grams of one postal zone and envelope weight class: what postage planning needs. */
export type PrintTotal = {
  __typename?: 'PrintTotal';
  grams: Scalars['Int']['output'];
  letters: Scalars['Int']['output'];
  /** DOMESTIC, EUROPE or WORLD. */
  postalZone: Scalars['String']['output'];
  sheets: Scalars['Int']['output'];
  /** W20 (up to 20 g), W50, W100, W250, W500, W1000, W2000, or OVER. */
  weightClass: Scalars['String']['output'];
};

export type Priority =
  | 'HIGH'
  | 'LOW'
  | 'NORMAL'
  | 'URGENT';

/** A product of the catalog. */
export type Product = {
  __typename?: 'Product';
  /** Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none. */
  attributes?: Maybe<Scalars['JSON']['output']>;
  category: Scalars['String']['output'];
  code: Scalars['String']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  price: Money;
};

export type ProductConnection = {
  __typename?: 'ProductConnection';
  edges: Array<ProductEdge>;
  pageInfo: PageInfo;
  /** All matches, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** Pass as `after` to continue after this edge. */
  cursor: Scalars['String']['output'];
  node: Product;
};

export type Query = {
  __typename?: 'Query';
  /** A bulk run (null when unknown or not visible to the caller). */
  batch?: Maybe<Batch>;
  /** Bulk runs, newest first (keyset-paged): every run for agent and admin, its own for a service account. */
  batches: BatchConnection;
  communication?: Maybe<Communication>;
  /** A recorded communication rendered as its render job will compose it (its reference, template version, data, agent text and plan; back-office data as it is now), writing nothing: what an approver checks before deciding. Null when there is no such communication for this principal. */
  communicationPreview?: Maybe<CommunicationPreview>;
  /** Newest first. */
  communications: CommunicationConnection;
  contract?: Maybe<Contract>;
  /** Null when the CRM has no such customer (or a portal user asks for another one). */
  customer?: Maybe<Customer>;
  /** Search by name, email, phone or id; cursor-paged. Null, with BACKOFFICE_UNAVAILABLE, when the CRM is down (the rest of the response still resolves). */
  customers?: Maybe<CustomerConnection>;
  /** Deliveries created in [from, to), by channel and status; the KPIs of the communications created in [from, to) and the interactions that occurred then. */
  deliveryStats: DeliveryStats;
  document?: Maybe<Document>;
  /** Renders every channel of the plan as sendCommunication would, writing and queueing nothing; refuses what a send refuses. */
  previewCommunication: CommunicationPreview;
  printBatch?: Maybe<PrintBatch>;
  /** Closed print batches, newest first. */
  printBatches: Array<PrintBatch>;
  product?: Maybe<Product>;
  /** Null, with BACKOFFICE_UNAVAILABLE, when the catalog is down (the rest of the response still resolves). */
  products?: Maybe<ProductConnection>;
  /** Every template at its active version. */
  templates: Array<Template>;
};


export type QueryBatchArgs = {
  id: Scalars['ID']['input'];
};


export type QueryBatchesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<BatchStatus>;
};


export type QueryCommunicationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCommunicationPreviewArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCommunicationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  customerId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<CommunicationStatus>;
};


export type QueryContractArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryDeliveryStatsArgs = {
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryDocumentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPreviewCommunicationArgs = {
  input: SendCommunicationInput;
};


export type QueryPrintBatchArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPrintBatchesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Local wall-clock times "HH:MM"; start after end spans midnight ("21:00"–"08:00"). */
export type QuietHours = {
  __typename?: 'QuietHours';
  end: Scalars['String']['output'];
  start: Scalars['String']['output'];
};

export type QuietHoursInput = {
  /** "HH:MM"; must differ from start */
  end: Scalars['String']['input'];
  /** "HH:MM", 24-hour local time */
  start: Scalars['String']['input'];
};

export type RecordInteractionInput = {
  agentId?: InputMaybe<Scalars['String']['input']>;
  channel: InteractionChannel;
  customerId: Scalars['ID']['input'];
  direction?: InputMaybe<Direction>;
  /** Same id (per caller) = the same interaction, never a second one. */
  externalId?: InputMaybe<Scalars['String']['input']>;
  /** A staff note: hidden from the customer. */
  internal?: InputMaybe<Scalars['Boolean']['input']>;
  /** Absent = now; never in the future. */
  occurredAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** At most 200 characters. */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** A communication of the same customer this contact was about. */
  relatedCommunicationId?: InputMaybe<Scalars['ID']['input']>;
  /** At most 4,000 characters. */
  summary?: InputMaybe<Scalars['String']['input']>;
};

/** One template to many customers; each gets a communication of its own, planned by the channel policy. */
export type SendBulkCommunicationInput = {
  /** Same key (per caller) = each customer reached at most once: a re-run sends only to whom earlier runs did not reach. Absent: a fresh key. */
  batchKey?: InputMaybe<Scalars['String']['input']>;
  channelPolicy?: InputMaybe<ChannelPolicy>;
  /** Required with EXPLICIT; the fallback order with PREFERRED. */
  channels?: InputMaybe<Array<Channel>>;
  /** Template variables, the same for every customer. */
  data?: InputMaybe<Scalars['JSON']['input']>;
  /** Default LOW: single sends of the front office go first. */
  priority?: InputMaybe<Priority>;
  /** Absent = now. */
  scheduledAt?: InputMaybe<Scalars['DateTime']['input']>;
  target: BulkTargetInput;
  templateKey: Scalars['String']['input'];
};

/** What to send to whom; the gateway collects the data and picks the channels. */
export type SendCommunicationInput = {
  /** Text for the template's editable slots, each slot at most once. */
  blocks?: InputMaybe<Array<EditedBlockInput>>;
  channelPolicy?: InputMaybe<ChannelPolicy>;
  /** Required with EXPLICIT; the fallback order with PREFERRED. */
  channels?: InputMaybe<Array<Channel>>;
  contractId?: InputMaybe<Scalars['ID']['input']>;
  customerId: Scalars['ID']['input'];
  /** Template variables beyond what the back-office provides. */
  data?: InputMaybe<Scalars['JSON']['input']>;
  /** Send the email's PDF attachment encrypted (AES-256), with the password from the customer field ATTACHMENT_PASSWORD_FIELD names or made for this communication and sent by SMS. Absent: as the template says (a request adds protection, it never removes the template's). */
  encryptAttachment?: InputMaybe<AttachmentPassword>;
  /** "Digital first, paper if unread": a delivery not read, clicked, downloaded or replied to within the window moves on to `then`. Absent: the template's default; null: none. */
  escalation?: InputMaybe<EscalationInput>;
  /** Same key (per caller) = same communication, never a second send. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  priority?: InputMaybe<Priority>;
  /** Absent = now. */
  scheduledAt?: InputMaybe<Scalars['DateTime']['input']>;
  templateKey: Scalars['String']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The progress of one run: its counts now, then on every change, ending when the run is over. */
  batchProgress: BatchProgress;
  /** Every change of one customer's contact history (an interaction recorded, a communication's delivery moving on), from any process. */
  contactHistoryChanged: ContactHistoryEntry;
  /** Every status change of the deliveries of one communication or one customer (at least one argument), from any process. */
  deliveryStatusChanged: Delivery;
};


export type SubscriptionBatchProgressArgs = {
  id: Scalars['ID']['input'];
};


export type SubscriptionContactHistoryChangedArgs = {
  customerId: Scalars['ID']['input'];
};


export type SubscriptionDeliveryStatusChangedArgs = {
  communicationId?: InputMaybe<Scalars['ID']['input']>;
  customerId?: InputMaybe<Scalars['ID']['input']>;
};

/** A communication template and what it can produce. */
export type Template = {
  __typename?: 'Template';
  /** Whether every communication of this template waits for a second person to approve it. */
  approvalRequired: Scalars['Boolean']['output'];
  /** Whether a communication waits for approval when its request fills an editable block. */
  approvalWhenEdited: Scalars['Boolean']['output'];
  channels: Array<Channel>;
  /** What `data` must hold. */
  dataFields: Array<TemplateField>;
  /** Slots where an agent may add text (`blocks` of sendCommunication). */
  editableBlocks: Array<Scalars['String']['output']>;
  key: Scalars['String']['output'];
  /** Languages it is written in; others fall back to English. */
  languages: Array<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  /** Whether sendCommunication needs a contractId for it. */
  requiresContract: Scalars['Boolean']['output'];
  /** The active version (the files in templates/ are version 1). */
  version: Scalars['Int']['output'];
};

/** One field a template declares for `data`: what sendCommunication checks. */
export type TemplateField = {
  __typename?: 'TemplateField';
  description?: Maybe<Scalars['String']['output']>;
  /** Arrays: the fields of each item. */
  items?: Maybe<Array<TemplateField>>;
  /** Arrays: most items accepted. */
  maxItems?: Maybe<Scalars['Int']['output']>;
  /** Strings: longest accepted length. */
  maxLength?: Maybe<Scalars['Int']['output']>;
  name: Scalars['String']['output'];
  required: Scalars['Boolean']['output'];
  /** string, number, integer, boolean, date, money or array. */
  type: Scalars['String']['output'];
};

/** KPIs of the deliveries of one template's communications. */
export type TemplateKpi = {
  __typename?: 'TemplateKpi';
  /** Deliveries of the communications created in the window, fallbacks included. */
  deliveries: Scalars['Int']['output'];
  /** Deliveries that escalated unread (Delivery.escalatedAt set; the escalation delivery points back at them), counted on the channel that went unread. */
  escalated: Scalars['Int']['output'];
  /** Deliveries made because the previous one FAILED, BOUNCED or was SKIPPED (its channel is the fallback taken); an escalation's delivery is not one: the delivery before it reached the customer. */
  fallbacks: Scalars['Int']['output'];
  /** Communications whose plan, chain or escalation held LETTER that reached the customer on a digital channel with no LETTER delivery sent or on its way, none made by an escalation, and no escalation to LETTER still pending. Per channel: counted on each digital channel that reached the customer; the overall figure counts each communication once. */
  lettersAvoided: Scalars['Int']['output'];
  /** Deliveries that reached the customer: SENT, DELIVERED or READ. */
  reached: Scalars['Int']['output'];
  /** Deliveries READ, or with any engagement of kind OPENED, CLICKED, READ, DOWNLOADED or REPLIED. */
  read: Scalars['Int']['output'];
  /** Read deliveries among those that reached the customer ÷ `reached`; null when none reached the customer. */
  readRate?: Maybe<Scalars['Float']['output']>;
  /** Deliveries the customer replied to (engagement REPLIED). */
  replies: Scalars['Int']['output'];
  templateKey: Scalars['String']['output'];
  /** Median seconds from a read delivery's first SENT or DELIVERED timeline entry to its first engagement (linear interpolation, as percentile_cont); null without such a delivery. */
  timeToReadMedianSeconds?: Maybe<Scalars['Float']['output']>;
  /** 90th percentile of the same durations; null without such a delivery. */
  timeToReadP90Seconds?: Maybe<Scalars['Float']['output']>;
};

export type CustomerViewQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CustomerViewQuery = { __typename?: 'Query', customer?: { __typename?: 'Customer', id: string, displayName: string, firstName?: string | null, lastName?: string | null, companyName?: string | null, email?: string | null, phone?: string | null, language: string, segment?: string | null, postalAddress?: { __typename?: 'PostalAddress', lines: Array<string>, postalCode: string, city: string, country: string } | null, preferences: { __typename?: 'CommunicationPreferences', preferredChannel?: Channel | null, consents: Array<Channel> }, contracts?: Array<{ __typename?: 'Contract', id: string, number: string, status: ContractStatus, startDate: string, monthlyAmount: { __typename?: 'Money', amount: string, currency: string }, product?: { __typename?: 'Product', id: string, code: string, name: string, category: string, price: { __typename?: 'Money', amount: string, currency: string } } | null }> | null } | null };

export type CustomerListQueryVariables = Exact<{
  search?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type CustomerListQuery = { __typename?: 'Query', customers?: { __typename?: 'CustomerConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'CustomerEdge', cursor: string, node: { __typename?: 'Customer', id: string, displayName: string, contracts?: Array<{ __typename?: 'Contract', id: string, status: ContractStatus, product?: { __typename?: 'Product', id: string, name: string } | null }> | null } }> } | null };


export const CustomerViewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerView"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"language"}},{"kind":"Field","name":{"kind":"Name","value":"segment"}},{"kind":"Field","name":{"kind":"Name","value":"postalAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lines"}},{"kind":"Field","name":{"kind":"Name","value":"postalCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"Field","name":{"kind":"Name","value":"preferences"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"preferredChannel"}},{"kind":"Field","name":{"kind":"Name","value":"consents"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contracts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"startDate"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyAmount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"price"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerViewQuery, CustomerViewQueryVariables>;
export const CustomerListDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"contracts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerListQuery, CustomerListQueryVariables>;