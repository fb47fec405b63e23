import type { ContractRecord } from '../../domain';
import { uniqueIds } from '../batch.util';
import type { CallContext, ContractRepository } from '../backoffice';
import { compileContractMapper, type ContractMapper } from '../mapping/contract.mapper';
import type { BreakerState, Resilience } from '../resilience';
import type { SourceClient } from '../sources/source';
import type { ContractsSpec } from '../spec/backoffice.schema';
import type { OperationRunner } from './operation.runner';
import { RecordCache, type RecordCacheOptions } from './record.cache';

/** Newest start first, the id breaking ties so the order is stable whatever the system returned. */
function newestFirst(a: ContractRecord, b: ContractRecord): number {
  return b.startDate.getTime() - a.startDate.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The contract system as its configuration describes it: contracts by ids and by customer ids. */
export class ConfiguredContracts implements ContractRepository {
  private readonly map: ContractMapper;

  /** For `cacheTtlMs` (off by default): contracts by id, and the contract lists by customer id. */
  private readonly byId: RecordCache<ContractRecord | null>;
  private readonly byCustomer: RecordCache<readonly ContractRecord[]>;

  constructor(
    private readonly spec: ContractsSpec,
    private readonly runner: OperationRunner,
    private readonly resilience: Resilience,
    private readonly source: SourceClient,
    options: RecordCacheOptions = { cacheTtlMs: 0 },
  ) {
    this.map = compileContractMapper(spec.contracts.map);
    this.byId = new RecordCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
    this.byCustomer = new RecordCache({ ttlMs: options.cacheTtlMs, maxEntries: options.cacheMaxEntries, now: options.now });
  }

  state(): BreakerState {
    return this.resilience.state();
  }

  async getContracts(ids: readonly string[], call?: CallContext): Promise<readonly (ContractRecord | null)[]> {
    if (ids.length === 0) return [];
    const found = await this.byId.load(
      uniqueIds(ids),
      async (missing) => new Map((await this.runner.byIds(this.spec.contracts.byIds, missing, this.map, call)).map((record) => [record.id, record])),
      null,
    );
    return ids.map((id) => found.get(id) ?? null);
  }

  async getContractsByCustomer(customerIds: readonly string[], call?: CallContext): Promise<readonly (readonly ContractRecord[])[]> {
    if (customerIds.length === 0) return [];
    const found = await this.byCustomer.load(uniqueIds(customerIds), (missing) => this.fetchByCustomer(missing, call), []);
    return customerIds.map((id) => found.get(id) ?? []);
  }

  private async fetchByCustomer(customerIds: readonly string[], call?: CallContext): Promise<Map<string, readonly ContractRecord[]>> {
    const records = await this.runner.byIds(this.spec.contracts.byCustomerIds, customerIds, this.map, call);
    const byCustomer = new Map<string, ContractRecord[]>();
    for (const contract of records) {
      const list = byCustomer.get(contract.customerId);
      if (list) list.push(contract);
      else byCustomer.set(contract.customerId, [contract]);
    }
    for (const list of byCustomer.values()) list.sort(newestFirst);
    return byCustomer;
  }

  async check(): Promise<void> {
    await this.resilience.run((signal) => this.source.check(signal), { idempotent: true });
  }

  open(): Promise<boolean> {
    return this.source.open();
  }
}
