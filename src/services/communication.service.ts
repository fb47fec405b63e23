import { planDeliveries } from '../channels/channel-policy';
import type { ChannelRegistry } from '../channels/registry';
import { AttachmentPassword, Channel, ChannelPolicy, Priority, type CustomerRecord, type Escalation } from '../domain';
import { attachmentPasswordOf } from '../channels/email/attachment.password';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import type { TemplateCatalog } from '../render/template.catalog';
import type { TemplateDescriptor } from '../render/template.schema';
import { assertCanSeeCustomer } from './principal';
import type { SendCommunicationInput } from '../schema/send-communication.input';
import type { CommunicationEntity } from '../store/communication.entity';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import { checkEditedBlocks, checkEscalation, checkReviewNote, checkSchedule, checkTemplateData, MAX_DATA_BYTES, MAX_SCHEDULE_AHEAD_MS } from './request.checks';
import type { RequestContext } from './request.context';
import { statusChangeOf, type StatusFeed } from './status.feed';

/** The queue side, as the API needs it (implemented over BullMQ in src/jobs/). Each enqueue also sets the outbox mark. */
export interface JobDispatch {
  /** Hands the communication's render job to the queue (delayed until `scheduledAt`); idempotent per communication. */
  /** `deliveries`: the communication's, as just recorded (lets a single delivery skip the render job). */
  enqueueCommunication(communication: CommunicationEntity, correlationId?: string, deliveries?: readonly DeliveryEntity[]): Promise<void>;
  /** A delivery reset by retryDelivery: render what it needs and send it. */
  enqueueDelivery(delivery: DeliveryEntity, priority: Priority, correlationId?: string): Promise<void>;
  /** Drops a delayed (scheduled) render job, if any. */
  cancel(communicationId: string): Promise<unknown>;
}

export interface CommunicationServiceOptions {
  readonly repository: CommunicationRepository;
  readonly templates: TemplateCatalog;
  readonly channels: ChannelRegistry;
  readonly jobs: JobDispatch;
  readonly feed: StatusFeed;
  /** Published template versions: synced before each check, so a send uses the version active now in any process. */
  readonly versions?: { sync(): Promise<void> };
  /** Largest `data` accepted, as JSON. Default 16 KiB. */
  readonly maxDataBytes?: number;
  /** Farthest `scheduledAt` accepted. Default 366 days. */
  readonly maxScheduleAheadMs?: number;
  /** Shortest escalation window a request may ask for; default 60 s (production's floor). */
  readonly minUnreadSeconds?: number;
  /** ATTACHMENT_PASSWORD_FIELD: what `encryptAttachment: CUSTOMER_FIELD` reads; absent: such a request is refused. */
  readonly attachmentPasswordField?: string | null;
  readonly clock?: () => Date;
  readonly logger?: { warn(obj: object, msg: string): void };
}

const MAX_KEY_LENGTH = 200;

/** A request that passed every check of a send; nothing is written yet. */
export interface CheckedRequest {
  readonly template: TemplateDescriptor;
  readonly data: Record<string, unknown>;
  readonly scheduledAt: Date | null;
  readonly idempotencyKey: string | null;
  readonly customer: CustomerRecord;
  readonly policy: ChannelPolicy;
  /** Agent text by slot, normalised; null when none. */
  readonly blocks: Readonly<Record<string, string>> | null;
  /** It waits in AWAITING_APPROVAL for a second person: the template says so, always or when a block is filled. */
  readonly approvalRequired: boolean;
  /** One entry per delivery, `chain[0]` tried first. */
  readonly plan: readonly { readonly chain: readonly Channel[] }[];
  /** The request's escalation or the template's default; null: none. */
  readonly escalation: Escalation | null;
  /** The encrypted attachment the request asked for; null: as the template says. */
  readonly attachmentPassword: AttachmentPassword | null;
}

/**
 * The write side of the API: validates a request completely before anything is
 * written, records it (communication + deliveries, one transaction), then hands
 * it to the queue. A queue failure after the write is not the caller's problem:
 * the record stays unqueued and the outbox sweeper hands it over later.
 */
export class CommunicationService {
  private readonly maxDataBytes: number;
  private readonly maxAheadMs: number;
  private readonly clock: () => Date;

  constructor(private readonly options: CommunicationServiceOptions) {
    this.maxDataBytes = options.maxDataBytes ?? MAX_DATA_BYTES;
    this.maxAheadMs = options.maxScheduleAheadMs ?? MAX_SCHEDULE_AHEAD_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  async send(input: SendCommunicationInput, ctx: RequestContext): Promise<CommunicationEntity> {
    const { repository } = this.options;
    const { template, data, scheduledAt, idempotencyKey, customer, policy, plan, blocks, approvalRequired, escalation, attachmentPassword } = await this.check(input, ctx);

    const result = await this.stored(() => repository.create({
      callerId: ctx.principal.subject,
      idempotencyKey,
      customerId: customer.id,
      contractId: input.contractId ?? null,
      templateKey: template.key,
      channelPolicy: policy,
      requestedChannels: input.channels ?? null,
      data,
      blocks,
      templateVersion: template.version,
      awaitingApproval: approvalRequired,
      priority: input.priority ?? Priority.NORMAL,
      scheduledAt,
      escalation,
      attachmentPassword,
      plans: plan.map((p) => ({ chain: p.chain, recipient: this.options.channels.recipientOf(p.chain[0], customer) })),
    }));
    if (!result.created) return result.communication;
    await Promise.all(result.deliveries.map((d) => this.announce(d, result.communication)));
    // Waiting for approval: nothing goes to the queue (nor does the outbox sweeper take it) until approveCommunication.
    if (!approvalRequired) await this.handOver(result.communication, ctx.requestId, result.deliveries);
    return result.communication;
  }

  /**
   * Everything a send checks before it writes, in the same order (so a preview
   * refuses exactly what a send would): template, data, schedule, key, contract,
   * the customer's visibility and record, and the channel plan.
   */
  async check(input: SendCommunicationInput, ctx: RequestContext): Promise<CheckedRequest> {
    const { templates } = this.options;
    await this.stored(async () => this.options.versions?.sync());
    const template = templates.get(input.templateKey);
    if (!template) throw badInput(`templateKey: expected one of ${templates.list().map((t) => t.key).join(', ')}, got ${JSON.stringify(input.templateKey)}`, 'templateKey');
    const data = checkTemplateData(input.data, this.maxDataBytes);
    const dataError = templates.validateData(template.key, data);
    if (dataError) throw badInput(`data: ${dataError}`, 'data');
    const scheduledAt = checkSchedule(input.scheduledAt ?? null, this.clock(), this.maxAheadMs);
    const idempotencyKey = input.idempotencyKey ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH)) {
      throw badInput(`idempotencyKey: expected 1 to ${MAX_KEY_LENGTH} characters, got ${idempotencyKey.length}`, 'idempotencyKey');
    }
    if (template.requiresContract && !input.contractId) throw badInput(`contractId: template ${template.key} needs a contract, got none`, 'contractId');
    const blocks = checkEditedBlocks(input.blocks ?? null, template.editableBlocks);

    assertCanSeeCustomer(ctx.principal, input.customerId, 'Customer', input.customerId);
    const customer = await ctx.loaders.customer.load(input.customerId);
    if (!customer) throw notFound('Customer', input.customerId);
    if (input.contractId) await this.checkContract(input.contractId, customer, ctx);

    const policy = input.channelPolicy ?? ChannelPolicy.PREFERRED;
    const plan = planDeliveries({ policy, channels: input.channels ?? null, customer, templateChannels: template.channels, registry: this.options.channels, paperRequired: template.paperRequired });
    if (!plan.ok) throw badInput(plan.error, 'channels');
    const approvalRequired = template.approvalRequired || (template.approvalWhenEdited && blocks !== null);
    const escalation = input.escalation === undefined ? template.escalation : checkEscalation(input.escalation, template, plan.plans, this.options.minUnreadSeconds ?? 60);
    const attachmentPassword = this.checkEncryption(input.encryptAttachment ?? null, template, customer);
    const source = attachmentPassword ?? (template.encryptAttachment ? template.attachmentPassword : null);
    return { template, data, scheduledAt, idempotencyKey, customer, policy, plan: this.withPasswordSms(template, source, customer, plan.plans), blocks, approvalRequired, escalation, attachmentPassword };
  }

  /**
   * A template whose encrypted attachment's password goes by SMS: an emailed
   * communication gets an SMS delivery for it when the plan has none.
   */
  private withPasswordSms(template: TemplateDescriptor, source: string | null, customer: CustomerRecord, plans: readonly { readonly chain: readonly Channel[] }[]): readonly { readonly chain: readonly Channel[] }[] {
    if (source !== AttachmentPassword.SMS) return plans;
    if (!plans.some((p) => p.chain.includes(Channel.EMAIL)) || plans.some((p) => p.chain[0] === Channel.SMS)) return plans;
    const why = this.options.channels.whyUnreachable(Channel.SMS, customer);
    if (why) throw badInput(`channels: template ${template.key} sends the attachment password by SMS, and SMS ${why}`, 'channels');
    return [...plans, { chain: [Channel.SMS] }];
  }

  /**
   * A request's `encryptAttachment`: the template must attach a PDF to an
   * email; SMS needs the template to offer SMS (the password's own channel);
   * CUSTOMER_FIELD needs ATTACHMENT_PASSWORD_FIELD and a value in this
   * customer's record — refused now rather than failed at render time.
   */
  private checkEncryption(asked: AttachmentPassword | null, template: TemplateDescriptor, customer: CustomerRecord): AttachmentPassword | null {
    if (asked === null) return null;
    if (!template.attachPdf || !template.channels.includes(Channel.EMAIL)) {
      throw badInput(`encryptAttachment: template ${template.key} attaches no PDF to an email, so there is nothing to encrypt`, 'encryptAttachment');
    }
    if (asked === AttachmentPassword.SMS && !template.channels.includes(Channel.SMS)) {
      throw badInput(`encryptAttachment: SMS sends the password by SMS, and template ${template.key} has no SMS`, 'encryptAttachment');
    }
    if (asked === AttachmentPassword.CUSTOMER_FIELD) {
      const field = this.options.attachmentPasswordField ?? null;
      if (!field) throw badInput('encryptAttachment: CUSTOMER_FIELD needs ATTACHMENT_PASSWORD_FIELD, which this gateway does not set; use SMS', 'encryptAttachment');
      if (attachmentPasswordOf(customer, field) === null) throw badInput(`encryptAttachment: CUSTOMER_FIELD: this customer has no ${field} to open the attachment with; use SMS`, 'encryptAttachment');
    }
    return asked;
  }

  async cancel(id: string, ctx: RequestContext): Promise<CommunicationEntity> {
    const { repository } = this.options;
    const existing = await this.stored(() => repository.get(id));
    if (!existing) throw notFound('Communication', id);
    assertCanSeeCustomer(ctx.principal, existing.customerId, 'Communication', id);
    const result = await this.stored(() => repository.cancel(id));
    switch (result.outcome) {
      case 'not-found':
        throw notFound('Communication', id);
      case 'conflict':
        throw new AppError(ErrorCode.CONFLICT, `cancelCommunication: ${result.reason}`);
      case 'cancelled':
        if (result.changed) {
          await this.options.jobs.cancel(id).catch((error: unknown) => this.options.logger?.warn({ err: error, communicationId: id }, 'could not drop the delayed job; the worker skips cancelled communications'));
          await Promise.all(result.deliveries.map((d) => this.announce(d, result.communication)));
        }
        return result.communication;
    }
  }

  /**
   * Four-eyes approval of a communication AWAITING_APPROVAL: by a principal
   * other than its sender (the role, approver or admin, is checked at the
   * resolver), recorded as approvedBy/approvedAt and on each delivery's
   * timeline, then handed to the queue like a fresh send.
   */
  async approve(id: string, comment: string | null, ctx: RequestContext): Promise<CommunicationEntity> {
    const note = checkReviewNote(comment ?? null, 'comment', false);
    return this.review(id, 'approve', note, ctx);
  }

  /** The reviewer refuses it: REJECTED, its deliveries CANCELLED with the reason on their timelines; nothing is sent. */
  async reject(id: string, reason: string, ctx: RequestContext): Promise<CommunicationEntity> {
    const note = checkReviewNote(reason, 'reason', true);
    return this.review(id, 'reject', note, ctx);
  }

  private async review(id: string, kind: 'approve' | 'reject', note: string | null, ctx: RequestContext): Promise<CommunicationEntity> {
    const { repository } = this.options;
    const operation = kind === 'approve' ? 'approveCommunication' : 'rejectCommunication';
    const existing = await this.stored(() => repository.get(id));
    if (!existing) throw notFound('Communication', id);
    assertCanSeeCustomer(ctx.principal, existing.customerId, 'Communication', id);
    if (existing.callerId === ctx.principal.subject) {
      throw new AppError(ErrorCode.FORBIDDEN, `${operation}: the sender of a communication cannot review it; a second person with role approver or admin must`);
    }
    const decision = { by: ctx.principal.subject, note };
    const result = await this.stored(() => (kind === 'approve' ? repository.approve(id, decision) : repository.reject(id, decision)));
    switch (result.outcome) {
      case 'not-found':
        throw notFound('Communication', id);
      case 'conflict':
        throw new AppError(ErrorCode.CONFLICT, `${operation}: ${result.reason}`);
      case 'reviewed':
        await Promise.all(result.deliveries.map((d) => this.announce(d, result.communication)));
        if (kind === 'approve') await this.handOver(result.communication, ctx.requestId, result.deliveries);
        return result.communication;
    }
  }

  async retry(deliveryId: string, ctx: RequestContext): Promise<DeliveryEntity> {
    const { repository } = this.options;
    const existing = await this.stored(() => repository.getDelivery(deliveryId));
    if (!existing) throw notFound('Delivery', deliveryId);
    assertCanSeeCustomer(ctx.principal, existing.customerId, 'Delivery', deliveryId);
    const result = await this.stored(() => repository.resetForRetry(deliveryId));
    switch (result.outcome) {
      case 'not-found':
        throw notFound('Delivery', deliveryId);
      case 'conflict':
        throw new AppError(ErrorCode.CONFLICT, `retryDelivery: ${result.reason}`);
      case 'reset':
        await this.announce(result.delivery, result.communication);
        try {
          await this.options.jobs.enqueueDelivery(result.delivery, result.communication.priority, ctx.requestId);
        } catch (error) {
          this.options.logger?.warn({ err: error, deliveryId }, 'queue unavailable; the outbox sweeper will hand the delivery over');
        }
        return result.delivery;
    }
  }

  /**
   * Store work of a request. Every write is one transaction, so a store that
   * is down leaves nothing half-written; the caller gets SERVICE_UNAVAILABLE
   * (retryable) instead of a masked internal error. Should the store fail
   * while committing, the request may have been recorded after all: a retry
   * with the same idempotencyKey then returns it instead of sending twice.
   */
  private async stored<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      this.options.logger?.warn({ err: (error as Error).message }, 'communication store unavailable');
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The communication store is unavailable; try again later (with the same idempotencyKey, a retry never sends twice)');
    }
  }

  /** `correlationId` (the request id) follows the communication into its jobs' log lines. */
  private async handOver(communication: CommunicationEntity, correlationId: string, deliveries: readonly DeliveryEntity[]): Promise<void> {
    try {
      await this.options.jobs.enqueueCommunication(communication, correlationId, deliveries);
    } catch (error) {
      this.options.logger?.warn({ err: error, communicationId: communication.id }, 'queue unavailable; the outbox sweeper will hand the communication over');
    }
  }

  private announce(delivery: DeliveryEntity, communication: CommunicationEntity): Promise<void> {
    return this.options.feed
      .publish(statusChangeOf({ delivery, communication }, delivery.error))
      .catch((error: unknown) => this.options.logger?.warn({ err: error, deliveryId: delivery.id }, 'status event not published'));
  }

  private async checkContract(contractId: string, customer: CustomerRecord, ctx: RequestContext): Promise<void> {
    const contract = await ctx.loaders.contract.load(contractId);
    if (!contract) throw badInput(`contractId: no contract ${JSON.stringify(contractId)} in the contract system`, 'contractId');
    if (contract.customerId !== customer.id) throw badInput(`contractId: contract ${JSON.stringify(contractId)} does not belong to customer ${JSON.stringify(customer.id)}`, 'contractId');
  }
}

/** Connection-level SQL error classes (PostgreSQL): connection exception, operator intervention (shutdown, cannot connect now), insufficient resources. */
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/;
/**
 * What node-postgres and its pool say when the server went away or cannot be
 * reached (they set no code), and what TypeORM says when the connection of a
 * transaction died under it (its rollback, or the transaction's next query,
 * then finds the runner released: QueryRunnerAlreadyReleasedError and
 * QueryRunnerProviderAlreadyReleasedError).
 */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|database system is (starting up|shutting down|in recovery mode)|Query runner already released|query runner was already released/i;

/** The store cannot be reached or is restarting: worth a retry, unlike a bug or a refused constraint. */
export function isStoreUnavailable(error: unknown): boolean {
  // Duck-typed: socket errors may come from another realm than this module's Error (test sandboxes, workers).
  if (error instanceof AppError || typeof error !== 'object' || error === null) return false;
  const { driverError, code, message } = error as { driverError?: { code?: unknown }; code?: unknown; message?: unknown };
  const found = String(driverError?.code ?? code ?? '');
  return UNAVAILABLE_ERRNO.has(found) || UNAVAILABLE_SQLSTATE.test(found) || UNAVAILABLE_SQLITE.test(found) || (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message));
}
