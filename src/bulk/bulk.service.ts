import { randomUUID } from 'node:crypto';
import { planDeliveries } from '../channels/channel-policy';
import type { ChannelRegistry } from '../channels/registry';
import type { Backoffice, Page } from '../connectors/backoffice';
import { ChannelPolicy, Priority, type CustomerRecord } from '../domain';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { checkSchedule, checkTemplateData } from '../services/request.checks';
import type { TemplateCatalog } from '../render/template.catalog';
import type { Principal } from '../services/principal';
import type { SendBulkCommunicationInput } from '../schema/bulk.input';
import type { BatchMemberEntity } from '../store/batch-member.entity';
import type { BatchEntity, BatchTarget } from '../store/batch.entity';
import { BatchStatus, isTerminalBatch } from '../store/batch-status';
import type { BatchEvents } from './batch.events';
import type { BatchProgressQueries, BatchProgressSnapshot } from '../store/batch-progress.queries';
import type { BatchRepository } from '../store/batch.repository';
import type { BulkQueue } from './bulk.queue';
import { progressStream } from './progress.stream';

export interface BulkServiceOptions {
  readonly store: BatchRepository;
  readonly progress: BatchProgressQueries;
  readonly queue: BulkQueue;
  readonly events: BatchEvents;
  readonly templates: TemplateCatalog;
  /** Published template versions, synced before use so a run takes the version active now; absent: the files only. */
  readonly templateVersions?: { sync(): Promise<void> };
  readonly channels: ChannelRegistry;
  readonly backoffice: Backoffice;
  readonly logger?: { warn(obj: object, msg: string): void };
  readonly clock?: () => Date;
  /** Largest list of customer ids. Default 100_000. */
  readonly maxTargets?: number;
  /** Listed ids per stored chunk (and per expand job). Default 500. */
  readonly chunkSize?: number;
  /** Largest `data`, as JSON. Default 16 KiB. */
  readonly maxDataBytes?: number;
}

const MAX_KEY_LENGTH = 100;
const MAX_ID_LENGTH = 99;
const SENDERS = new Set(['agent', 'service', 'admin']);
/** A customer every channel can reach: planning for it finds only what is wrong with the request itself. */
/**
 * A customer reachable on every channel: the policy run against it tells
 * whether the request could ever plan a delivery, before any target is read.
 */
function probeCustomer(channels: ChannelRegistry): CustomerRecord {
  return {
    id: 'probe', kind: 'person', firstName: null, lastName: null, companyName: null, email: 'probe@example.invalid', phone: '+10000000000',
    language: 'en', segment: null, postalAddress: { lines: ['-'], postalCode: '-', city: '-', country: 'FR' }, preferredChannel: null,
    consents: channels.ids, webhookUrl: 'https://probe.example.invalid/documents',
  };
}

/**
 * Bulk sends, API side: validates the whole request before anything is written,
 * records the run (and a listed target in chunks), and hands the first chunk to
 * the bulk queue; the workers do the rest. Agents and admins see every batch,
 * a service its own, a portal user none.
 */
export class BulkService {
  private readonly clock: () => Date;
  private readonly cache = new Map<string, { at: number; snapshot: Promise<BatchProgressSnapshot> }>();

  constructor(private readonly options: BulkServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async send(input: SendBulkCommunicationInput, principal: Principal): Promise<BatchEntity> {
    if (!SENDERS.has(principal.role)) throw new AppError(ErrorCode.FORBIDDEN, `sendBulkCommunication: expected an agent, service or admin principal, got ${principal.role}`);
    const { templates } = this.options;
    // A store that cannot answer now fails the batch's own write next; until then the versions known here serve.
    await this.options.templateVersions?.sync().catch((error: unknown) => this.options.logger?.warn({ err: (error as Error).message }, 'template versions not synced'));
    const template = templates.get(input.templateKey);
    if (!template) throw badInput(`templateKey: expected one of ${templates.list().map((t) => t.key).join(', ')}, got ${JSON.stringify(input.templateKey)}`, 'templateKey');
    // Four-eyes approval is per communication; a run of thousands is not reviewed letter by letter.
    if (template.approvalRequired) throw badInput(`templateKey: template ${template.key} needs approval of each communication; send it with sendCommunication`, 'templateKey');
    const data = checkTemplateData(input.data, this.options.maxDataBytes);
    const dataError = templates.validateData(template.key, data);
    if (dataError) throw badInput(`data: ${dataError}`, 'data');
    const policy = input.channelPolicy ?? ChannelPolicy.PREFERRED;
    const channels = input.channels ?? null;
    const probe = planDeliveries({ policy, channels, customer: probeCustomer(this.options.channels), templateChannels: template.channels, registry: this.options.channels });
    if (!probe.ok) throw badInput(probe.error.replace('for this customer', 'for this template'), 'channels');
    const scheduledAt = checkSchedule(input.scheduledAt ?? null, this.clock());
    const batchKey = input.batchKey ?? randomUUID();
    if (batchKey.length === 0 || batchKey.length > MAX_KEY_LENGTH) throw badInput(`batchKey: expected 1 to ${MAX_KEY_LENGTH} characters, got ${batchKey.length}`, 'batchKey');
    const { target, list } = await this.checkTarget(input);

    const { batch, created } = await this.options.store.createRun(
      { callerId: principal.subject, batchKey, templateKey: template.key, channelPolicy: policy, requestedChannels: channels, data, priority: input.priority ?? Priority.LOW, scheduledAt, target },
      list,
    );
    if (created) {
      // Not fatal: the batch monitor hands the next chunk of an EXPANDING batch over again.
      await this.options.queue.expand(batch.id, 0).catch((error: unknown) => this.options.logger?.warn({ err: error, batchId: batch.id }, 'bulk queue unavailable; the batch monitor will start the batch'));
    }
    return batch;
  }

  async cancel(id: string, principal: Principal): Promise<BatchEntity> {
    const batch = await this.get(id, principal);
    if (!batch) throw notFound('Batch', id);
    if (batch.status === BatchStatus.CANCELLED) return batch;
    if (isTerminalBatch(batch.status)) throw new AppError(ErrorCode.CONFLICT, `cancelBatch: expected an EXPANDING or RUNNING batch, got ${batch.status}`);
    await this.options.store.setStatus(id, [BatchStatus.EXPANDING, BatchStatus.RUNNING], BatchStatus.CANCELLED);
    await this.options.queue.cancel(id);
    const after = (await this.options.store.get(id)) ?? batch;
    await this.options.events.publish(await this.progress(after)).catch(() => undefined);
    return after;
  }

  /** The runs the principal may see (as `get`: admin and agent every run, a service its own), newest first. */
  list(principal: Principal, request: { readonly status: BatchStatus | null; readonly first: number; readonly after: string | null }): Promise<Page<BatchEntity>> {
    if (principal.role !== 'admin' && principal.role !== 'agent' && principal.role !== 'service') {
      throw new AppError(ErrorCode.FORBIDDEN, `batches: expected an agent, service or admin principal, got ${principal.role}`);
    }
    return this.options.store.list({ ...request, callerId: principal.role === 'service' ? principal.subject : null });
  }

  /** Null when there is no such batch or the principal may not see it. */
  async get(id: string, principal: Principal): Promise<BatchEntity | null> {
    const batch = await this.options.store.get(id);
    return batch && canSeeBatch(principal, batch) ? batch : null;
  }

  /** Cached for half a second: a progress bar polling every 100 ms costs two grouped queries per 500 ms. */
  progress(batch: BatchEntity): Promise<BatchProgressSnapshot> {
    const now = Date.now();
    // The row's version in the key: counts recorded since (a chunk, a status change) are never hidden.
    const key = `${batch.id}.${batch.version}`;
    const cached = this.cache.get(key);
    if (cached && now - cached.at < 500) return cached.snapshot;
    const snapshot = this.options.progress.snapshot(batch);
    this.cache.set(key, { at: now, snapshot });
    snapshot.catch(() => this.cache.delete(key));
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    return snapshot;
  }

  rejections(batch: BatchEntity, first: number, after: string | null): Promise<BatchMemberEntity[]> {
    return this.options.store.rejections(batch.id, after, first);
  }

  /** For `batchProgress(id)`: NOT_FOUND at once when the principal may not see the batch. */
  async watch(id: string, principal: Principal): Promise<AsyncIterableIterator<BatchProgressSnapshot>> {
    const batch = await this.get(id, principal);
    if (!batch) throw notFound('Batch', id);
    return progressStream(this.options.events, id, async () => {
      await this.options.events.ready();
      const fresh = await this.options.store.get(id);
      return this.options.progress.snapshot(fresh ?? batch);
    });
  }

  private async checkTarget(input: SendBulkCommunicationInput): Promise<{ target: BatchTarget; list: { chunks: string[][]; total: number } | null }> {
    const t = input.target;
    const listed = t.customerIds ?? null;
    const filtered = Boolean(t.productCode || t.contractStatus || t.segment);
    if (listed === null && !filtered && !t.allCustomers) {
      throw badInput('target: expected customerIds, a selection (productCode, contractStatus, segment) or allCustomers: true, got none', 'target');
    }
    if (listed !== null && t.allCustomers) throw badInput('target: expected customerIds or allCustomers, got both', 'target');
    let list: { chunks: string[][]; total: number } | null = null;
    if (listed !== null) {
      const max = this.options.maxTargets ?? 100_000;
      if (listed.length === 0 || listed.length > max) throw badInput(`target.customerIds: expected 1 to ${max} ids, got ${listed.length}`, 'target.customerIds');
      const bad = listed.find((id) => id.length === 0 || id.length > MAX_ID_LENGTH);
      if (bad !== undefined) throw badInput(`target.customerIds: expected ids of 1 to ${MAX_ID_LENGTH} characters, got one of ${bad.length}`, 'target.customerIds');
      const unique = [...new Set(listed)];
      const size = this.options.chunkSize ?? 500;
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += size) chunks.push(unique.slice(i, i + size));
      list = { chunks, total: unique.length };
    }
    const productIds = t.productCode ? await this.productIdsOf(t.productCode) : null;
    return {
      target: { kind: listed ? 'list' : 'selection', productCode: t.productCode ?? null, productIds, contractStatus: t.contractStatus ?? null, segment: t.segment ?? null },
      list,
    };
  }

  /** The catalog, page by page: every product with that code (normally one). */
  private async productIdsOf(code: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page = await this.options.backoffice.catalog.listProducts({ first: 200, after });
      for (const product of page.items) if (product.code === code) ids.push(product.id);
      after = page.nextCursor;
    } while (after);
    if (ids.length === 0) throw badInput(`target.productCode: no product with code ${JSON.stringify(code)} in the catalog`, 'target.productCode');
    return ids;
  }
}

export function canSeeBatch(principal: Principal, batch: BatchEntity): boolean {
  if (principal.role === 'admin' || principal.role === 'agent') return true;
  return principal.role === 'service' && principal.subject === batch.callerId;
}
