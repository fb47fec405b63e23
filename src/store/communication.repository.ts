import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Page } from '../connectors/backoffice';
import { type AttachmentPassword, Channel, ChannelPolicy, CommunicationStatus, DeliveryStatus, Priority, type Escalation } from '../domain';
import { CommunicationEntity } from './communication.entity';
import { DatabaseGate, isUniqueViolation } from './database.gate';
import type { DeliveryEventEntity } from './delivery-event.entity';
import { DeliveryEntity } from './delivery.entity';
import { appendEventStatement, DeliveryLifecycle, pendingDelivery, type CancelResult, type EscalationResult, type EscalationStep, type RenderingMark, type RetryResult, type ReviewDecision, type ReviewResult, type TransitionPatch, type TransitionResult } from './delivery.lifecycle';
import { DocumentEntity } from './document.entity';
import { HistoryQueries, type DeliveryStats, type ListCommunications } from './history.queries';
import { KpiQueries, type KpiQueryOptions, type KpiRows } from './kpi.queries';
import { OutboxQueries } from './outbox.queries';
import { COMMUNICATION_COLUMNS, DELIVERY_COLUMNS, RowSql, type Statement } from './row.sql';
import { TimelineNotes, type TimelineNote } from './timeline.notes';


/** The document table's columns, as `addDocument` writes them (entity property names are the column names). */
const DOCUMENT_COLUMNS = ['id', 'communicationId', 'customerId', 'kind', 'mimeType', 'pages', 'sizeBytes', 'sha256', 'storageKey', 'createdAt', 'snapshot'] as const;
export interface CreateCommunicationInput {
  readonly callerId: string;
  /** Same (callerId, key) = same communication, never a second one. */
  readonly idempotencyKey: string | null;
  readonly customerId: string;
  readonly contractId: string | null;
  readonly templateKey: string;
  readonly channelPolicy: ChannelPolicy;
  readonly requestedChannels: readonly Channel[] | null;
  readonly data: Record<string, unknown>;
  /** Agent text by editable slot; absent or null when none. */
  readonly blocks?: Readonly<Record<string, string>> | null;
  readonly templateVersion?: number;
  /** Recorded AWAITING_APPROVAL: not to be handed to the queue until approved. */
  readonly awaitingApproval?: boolean;
  readonly priority: Priority;
  readonly scheduledAt: Date | null;
  /** "Digital first, paper if unread"; absent or null: none. */
  readonly escalation?: Escalation | null;
  /** An encrypted email attachment asked for by the request, with its password source; absent or null: as the template says. */
  readonly attachmentPassword?: AttachmentPassword | null;
  /** One delivery per plan: `chain[0]` first, the rest as its fallback chain. */
  readonly plans: readonly { readonly chain: readonly Channel[]; readonly recipient: string | null }[];
}

export interface CreateResult {
  readonly communication: CommunicationEntity;
  readonly deliveries: DeliveryEntity[];
  /** false: an earlier request with the same idempotency key made it. */
  readonly created: boolean;
}

export type NewDocument = Omit<DocumentEntity, 'id' | 'createdAt' | 'communication'>;

export interface CommunicationRepositoryOptions {
  /** Default: the system clock. */
  readonly clock?: () => Date;
}

/** The gateway's communication history: communications, deliveries, their timelines and documents. */
export class CommunicationRepository {
  private readonly gate: DatabaseGate;
  private readonly clock: () => Date;
  private readonly queries: HistoryQueries;
  private readonly kpiQueries: KpiQueries;
  private readonly lifecycle: DeliveryLifecycle;
  private readonly outbox: OutboxQueries;
  private readonly notes: TimelineNotes;
  private readonly sql: RowSql;
  private readonly statements: { readonly insertDocument: string };

  constructor(dataSource: DataSource, options: CommunicationRepositoryOptions = {}) {
    this.gate = new DatabaseGate(dataSource);
    const sql = (this.sql = new RowSql(this.gate.isSqlite));
    const columns = DOCUMENT_COLUMNS.map((name) => `"${name}"`).join(', ');
    const values = DOCUMENT_COLUMNS.map((_, i) => sql.p(i + 1)).join(', ');
    this.statements = { insertDocument: `INSERT INTO "document" (${columns}) VALUES (${values}) ON CONFLICT ("communicationId", "sha256") DO NOTHING` };
    this.clock = options.clock ?? (() => new Date());
    this.queries = new HistoryQueries(this.gate);
    this.kpiQueries = new KpiQueries(this.gate);
    this.lifecycle = new DeliveryLifecycle(this.gate, this.clock);
    this.outbox = new OutboxQueries(this.gate, this.clock);
    this.notes = new TimelineNotes(this.gate, this.clock);
  }

  /** The communication, one PENDING delivery per plan and their first timeline entries, in one transaction. */
  async create(input: CreateCommunicationInput): Promise<CreateResult> {
    if (input.plans.length === 0 || input.plans.some((plan) => plan.chain.length === 0)) {
      throw new Error(`plans: expected at least one plan, each with a non-empty chain, got ${JSON.stringify(input.plans.map((p) => p.chain))}`);
    }
    const key = input.idempotencyKey;
    const earlier = key === null ? null : await this.findIdempotent(input.callerId, key);
    if (earlier) return earlier;
    try {
      return await this.gate.write((manager) => this.insert(manager, input));
    } catch (error) {
      // Two requests with one key raced: the loser's insert hit the unique index after the winner committed.
      const winner = key !== null && isUniqueViolation(error) ? await this.findIdempotent(input.callerId, key) : null;
      if (winner) return winner;
      throw error;
    }
  }

  /**
   * Many communications at once, as `create` records each one (same rows, same
   * first timeline entries, same idempotency): one look-up of the keys already
   * used, then one transaction with multi-row INSERTs per table, in slices.
   * Results in input order. Should a slice hit the unique index (another writer
   * recorded one of its keys meanwhile), that slice is recorded again one by
   * one through `create`, which finds the winners.
   */
  async createMany(inputs: readonly CreateCommunicationInput[]): Promise<CreateResult[]> {
    for (const input of inputs) {
      if (input.plans.length === 0 || input.plans.some((plan) => plan.chain.length === 0)) {
        throw new Error(`plans: expected at least one plan, each with a non-empty chain, got ${JSON.stringify(input.plans.map((p) => p.chain))}`);
      }
    }
    const results: (CreateResult | undefined)[] = new Array(inputs.length);
    const earlier = await this.findIdempotentMany(inputs);
    const fresh: number[] = [];
    inputs.forEach((input, i) => {
      const found = input.idempotencyKey === null ? undefined : earlier.get(idempotencyOf(input.callerId, input.idempotencyKey));
      if (found) results[i] = found;
      else fresh.push(i);
    });
    for (let from = 0; from < fresh.length; from += CREATE_SLICE) {
      const slice = fresh.slice(from, from + CREATE_SLICE);
      // The same key twice in one call is one communication: the later ones go through `create`, which finds the first.
      const seen = new Set<string>();
      const first = slice.filter((i) => {
        const key = inputs[i].idempotencyKey;
        if (key === null) return true;
        const k = idempotencyOf(inputs[i].callerId, key);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      try {
        const created = await this.gate.write((manager) => this.insertMany(manager, first.map((i) => inputs[i])));
        first.forEach((i, n) => (results[i] = created[n]));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      for (const i of slice) results[i] ??= await this.create(inputs[i]);
    }
    return results as CreateResult[];
  }

  /** Outbox: the render job was handed to the queue; also covers the deliveries it will handle. True when this call marked it. */
  markQueued(communicationId: string): Promise<boolean> {
    return this.outbox.markQueued(communicationId);
  }
  /** Outbox: a fallback or retried delivery was handed to the queue. */
  markDeliveryQueued(deliveryId: string): Promise<boolean> {
    return this.outbox.markDeliveryQueued(deliveryId);
  }
  /** Sweeper: communications never handed to the queue (not cancelled, awaiting approval or rejected), created at least `olderThanMs` ago, oldest first. */
  findUnqueued(olderThanMs: number, limit: number): Promise<CommunicationEntity[]> {
    return this.outbox.findUnqueued(olderThanMs, limit);
  }
  /** Sweeper: PENDING deliveries added after their communication was queued (fallbacks, retries) and never queued. */
  findUnqueuedDeliveries(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    return this.outbox.findUnqueuedDeliveries(olderThanMs, limit);
  }
  /** Sweeper: failed chain ends with channels left whose fallback was never created (a crash in between). */
  findStalledFallbacks(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    return this.outbox.findStalledFallbacks(olderThanMs, limit);
  }

  /** Sweeper: escalation deadlines overdue by `overdueMs` (their job was lost or failed). */
  findDueEscalations(overdueMs: number, limit: number): Promise<DeliveryEntity[]> {
    return this.outbox.findDueEscalations(overdueMs, limit);
  }

  /** Recovery: handed-over deliveries still PENDING, RENDERED or SENDING and untouched for `olderThanMs` (their job may be lost). */
  findStaleDeliveries(olderThanMs: number, limit: number): Promise<DeliveryEntity[]> {
    return this.outbox.findStaleDeliveries(olderThanMs, limit);
  }

  /** Inserts the index row of an archived document; the same bytes for the same communication give the same row. */
  /**
   * The archive's row of a document, once per (communication, content): a
   * render that runs again finds the row the first one wrote. One INSERT that
   * yields to the existing row (both databases have `ON CONFLICT DO NOTHING`),
   * which is read only then.
   */
  async addDocument(input: NewDocument): Promise<DocumentEntity> {
    const document = Object.assign(new DocumentEntity(), { ...input, id: randomUUID(), createdAt: this.clock() });
    const row = DOCUMENT_COLUMNS.map((name) => this.sql.value(document[name] ?? null));
    const inserted = await this.gate.write((manager) => this.sql.changes(manager, this.statements.insertDocument, row));
    if (inserted > 0) return document;
    const winner = await this.gate.read((m) => m.findOneBy(DocumentEntity, { communicationId: input.communicationId, sha256: input.sha256 }));
    if (!winner) throw new Error(`document of communication ${input.communicationId}: expected the row the insert yielded to, found none`);
    return winner;
  }

  get(id: string): Promise<CommunicationEntity | null> {
    return this.queries.get(CommunicationEntity, id);
  }
  /** A delivery and its communication in one read; null when there is no such delivery. */
  getDeliveryAndCommunication(deliveryId: string): Promise<{ delivery: DeliveryEntity; communication: CommunicationEntity } | null> {
    return this.queries.deliveryAndOwner(deliveryId);
  }
  /** Key order, null where there is no such communication. */
  getMany(ids: readonly string[]): Promise<(CommunicationEntity | null)[]> {
    return this.queries.getMany(CommunicationEntity, ids);
  }
  list(request: ListCommunications): Promise<Page<CommunicationEntity>> {
    return this.queries.list(request);
  }
  deliveriesOf(communicationIds: readonly string[]): Promise<DeliveryEntity[][]> {
    return this.queries.deliveriesOf(communicationIds);
  }
  getDelivery(id: string): Promise<DeliveryEntity | null> {
    return this.queries.get(DeliveryEntity, id);
  }
  getDeliveries(ids: readonly string[]): Promise<(DeliveryEntity | null)[]> {
    return this.queries.getMany(DeliveryEntity, ids);
  }
  eventsOf(deliveryIds: readonly string[]): Promise<DeliveryEventEntity[][]> {
    return this.queries.eventsOf(deliveryIds);
  }
  documentsOf(communicationIds: readonly string[]): Promise<DocumentEntity[][]> {
    return this.queries.documentsOf(communicationIds);
  }
  documentsOfCustomer(request: { readonly customerId: string; readonly first: number; readonly after?: string | null }): Promise<Page<DocumentEntity>> {
    return this.queries.documentsOfCustomer(request);
  }
  getDocument(id: string): Promise<DocumentEntity | null> {
    return this.queries.get(DocumentEntity, id);
  }
  /** The document's render snapshot: undefined without such a document, null when it has none (kept before snapshots, or purged). */
  async documentSnapshot(id: string): Promise<string | null | undefined> {
    const row = await this.gate.read((m) => m.createQueryBuilder(DocumentEntity, 'd').select('d.snapshot', 'snapshot').where('d.id = :id', { id }).getRawOne<{ snapshot: string | null }>());
    return row === undefined ? undefined : row.snapshot;
  }
  getDocuments(ids: readonly string[]): Promise<(DocumentEntity | null)[]> {
    return this.queries.getMany(DocumentEntity, ids);
  }
  findByProviderMessageId(providerMessageId: string): Promise<DeliveryEntity | null> {
    return this.queries.findByProviderMessageId(providerMessageId);
  }
  stats(from: Date, to: Date): Promise<DeliveryStats> {
    return this.queries.stats(from, to);
  }
  /** The cross-channel KPIs of the communications created in [from, to) and the interactions that occurred then. */
  kpis(from: Date, to: Date, options?: KpiQueryOptions): Promise<KpiRows> {
    return this.kpiQueries.read(from, to, options);
  }

  transition(deliveryId: string, to: DeliveryStatus, patch?: TransitionPatch): Promise<TransitionResult> {
    return this.lifecycle.transition(deliveryId, to, patch);
  }
  /** A due escalation deadline: the escalation delivery, once (see `DeliveryLifecycle.escalate`). */
  escalate(deliveryId: string, step: EscalationStep): Promise<EscalationResult> {
    return this.lifecycle.escalate(deliveryId, step);
  }
  /** The next delivery of the chain; `recipient` is its address, resolved by the caller at fallback time. */
  addFallbackDelivery(fromDeliveryId: string, options: { readonly recipient?: string | null } = {}): Promise<DeliveryEntity | null> {
    return this.lifecycle.addFallbackDelivery(fromDeliveryId, options.recipient ?? null);
  }
  cancel(communicationId: string): Promise<CancelResult> {
    return this.lifecycle.cancel(communicationId);
  }
  resetForRetry(deliveryId: string): Promise<RetryResult> {
    return this.lifecycle.resetForRetry(deliveryId);
  }
  /** AWAITING_APPROVAL → QUEUED (or SCHEDULED), recording who and when; the caller hands it to the queue. */
  approve(communicationId: string, decision: ReviewDecision): Promise<ReviewResult> {
    return this.lifecycle.review(communicationId, 'approve', decision);
  }
  /** AWAITING_APPROVAL → REJECTED, its deliveries CANCELLED with the reason on their timelines. */
  reject(communicationId: string, decision: ReviewDecision): Promise<ReviewResult> {
    return this.lifecycle.review(communicationId, 'reject', decision);
  }
  /** Timeline entries without a status change (e.g. "printed in batch …"); once per (delivery, detail). Returns how many were written. */
  noteDeliveries(notes: readonly TimelineNote[]): Promise<number> {
    return this.notes.add(notes);
  }
  markRendering(communicationId: string): Promise<RenderingMark | null> {
    return this.lifecycle.markRendering(communicationId);
  }

  private findIdempotent(callerId: string, idempotencyKey: string): Promise<CreateResult | null> {
    return this.gate.read(async (manager) => {
      const communication = await manager.findOneBy(CommunicationEntity, { callerId, idempotencyKey });
      if (!communication) return null;
      const deliveries = await manager.find(DeliveryEntity, { where: { communicationId: communication.id }, order: { ordinal: 'ASC' } });
      return { communication, deliveries, created: false };
    });
  }

  /** `findIdempotent` for many keys: two statements per slice of keys, whatever their number. */
  private async findIdempotentMany(inputs: readonly CreateCommunicationInput[]): Promise<Map<string, CreateResult>> {
    const found = new Map<string, CreateResult>();
    const byCaller = new Map<string, string[]>();
    for (const input of inputs) {
      if (input.idempotencyKey === null) continue;
      const keys = byCaller.get(input.callerId) ?? [];
      keys.push(input.idempotencyKey);
      byCaller.set(input.callerId, keys);
    }
    for (const [callerId, keys] of byCaller) {
      for (let i = 0; i < keys.length; i += 500) {
        const slice = [...new Set(keys.slice(i, i + 500))];
        const communications = await this.gate.read((manager) => manager.find(CommunicationEntity, { where: { callerId, idempotencyKey: In(slice) } }));
        if (communications.length === 0) continue;
        const deliveries = await this.queries.deliveriesOf(communications.map((c) => c.id));
        communications.forEach((communication, n) => found.set(idempotencyOf(callerId, communication.idempotencyKey!), { communication, deliveries: deliveries[n], created: false }));
      }
    }
    return found;
  }

  /** One INSERT of many whole rows (one statement text per table and row count, so prepared once per size on SQLite). */
  private async insertRows(manager: EntityManager, table: string, columns: string, rows: readonly (CommunicationEntity | DeliveryEntity)[]): Promise<void> {
    if (rows.length === 0) return;
    const names = columns.split(', ').map((c) => c.slice(1, -1));
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const start = values.length;
      for (const name of names) values.push(this.sql.value((row as unknown as Record<string, unknown>)[name]));
      tuples.push(`(${names.map((_, i) => this.sql.p(start + i + 1)).join(', ')})`);
    }
    await this.sql.changes(manager, `INSERT INTO "${table}" (${columns}) VALUES ${tuples.join(', ')}`, values);
  }

  /** One INSERT of a whole row (property names are the column names), text fixed per table, so prepared once on SQLite. */
  private insertStatement(table: string, columns: string, row: CommunicationEntity | DeliveryEntity): Statement {
    const names = columns.split(', ').map((c) => c.slice(1, -1));
    const values = names.map((name) => this.sql.value((row as unknown as Record<string, unknown>)[name]));
    return { sql: `INSERT INTO "${table}" (${columns}) VALUES (${names.map((_, i) => this.sql.p(i + 1)).join(', ')})`, params: values };
  }

  /** The rows of one communication as one write (one round trip on PostgreSQL). */
  private async insert(manager: EntityManager, input: CreateCommunicationInput): Promise<CreateResult> {
    const built = this.build(input, this.clock());
    const { communication, deliveries } = built;
    const writes = [this.insertStatement('communication', COMMUNICATION_COLUMNS, communication)];
    for (const [n, delivery] of deliveries.entries()) {
      writes.push(this.insertStatement('delivery', DELIVERY_COLUMNS, delivery));
      writes.push(appendEventStatement(this.sql, delivery.id, DeliveryStatus.PENDING, built.details[n], communication.createdAt, { first: true }));
    }
    await this.sql.writeAll(manager, writes);
    return { communication, deliveries, created: true };
  }

  /** `insert` for many inputs: one multi-row INSERT per table (the first timeline entries too), in one transaction of the caller's. */
  private async insertMany(manager: EntityManager, inputs: readonly CreateCommunicationInput[]): Promise<CreateResult[]> {
    const now = this.clock();
    const built = inputs.map((input) => this.build(input, now));
    await this.insertRows(manager, 'communication', COMMUNICATION_COLUMNS, built.map((b) => b.communication));
    await this.insertRows(manager, 'delivery', DELIVERY_COLUMNS, built.flatMap((b) => b.deliveries));
    const at = this.sql.value(now);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const b of built) {
      b.deliveries.forEach((delivery, n) => {
        const start = values.length;
        values.push(randomUUID(), delivery.id, at, DeliveryStatus.PENDING, b.details[n]);
        tuples.push(`(${this.sql.p(start + 1)}, ${this.sql.p(start + 2)}, 1, ${this.sql.p(start + 3)}, ${this.sql.p(start + 4)}, ${this.sql.p(start + 5)})`);
      });
    }
    // The first entry of a new delivery's timeline, as `appendEvent(…, { first: true })` writes it.
    await this.sql.changes(manager, `INSERT INTO "delivery_event" ("id", "deliveryId", "seq", "at", "status", "detail") VALUES ${tuples.join(', ')}`, values);
    return built.map(({ communication, deliveries }) => ({ communication, deliveries, created: true }));
  }

  /** The rows `create` writes for one input, and each delivery's first timeline detail. */
  private build(input: CreateCommunicationInput, now: Date): { communication: CommunicationEntity; deliveries: DeliveryEntity[]; details: string[] } {
    const scheduled = input.scheduledAt !== null && input.scheduledAt.getTime() > now.getTime();
    const communication = Object.assign(new CommunicationEntity(), {
      id: randomUUID(),
      callerId: input.callerId,
      idempotencyKey: input.idempotencyKey,
      customerId: input.customerId,
      contractId: input.contractId,
      templateKey: input.templateKey,
      channelPolicy: input.channelPolicy,
      requestedChannels: input.requestedChannels ? [...input.requestedChannels] : null,
      data: input.data,
      blocks: input.blocks ? { ...input.blocks } : null,
      templateVersion: input.templateVersion ?? 1,
      priority: input.priority,
      status: input.awaitingApproval ? CommunicationStatus.AWAITING_APPROVAL : scheduled ? CommunicationStatus.SCHEDULED : CommunicationStatus.QUEUED,
      approvedBy: null,
      approvedAt: null,
      attachmentPassword: input.attachmentPassword ?? null,
      escalation: input.escalation ? { unreadAfterSeconds: input.escalation.unreadAfterSeconds, then: [...input.escalation.then] } : null,
      createdAt: now,
      scheduledAt: input.scheduledAt,
      queuedAt: null,
      updatedAt: now,
      version: 1,
    });
    const deliveries = input.plans.map((plan, ordinal) =>
      pendingDelivery({ communicationId: communication.id, customerId: input.customerId, ordinal, previousDeliveryId: null }, plan.chain, plan.recipient, now),
    );
    const details = deliveries.map((delivery) => {
      const chain = [delivery.channel, ...delivery.fallbackChannels].join('→');
      return [`chain ${chain}`, scheduled ? `scheduled for ${input.scheduledAt!.toISOString()}` : null, input.awaitingApproval ? 'awaiting approval' : null].filter(Boolean).join(', ');
    });
    return { communication, deliveries, details };
  }
}

/** Communications per multi-row transaction of `createMany` (about 20 parameters per row, well under every driver's limit). */
const CREATE_SLICE = 100;

const idempotencyOf = (callerId: string, key: string): string => `${callerId}\u0000${key}`;
