import type { Backoffice } from '../connectors/backoffice';
import type { ContractRecord, CustomerRecord } from '../domain';
import type { BatchEntity } from '../store/batch.entity';
import type { BatchRepository } from '../store/batch.repository';

/** A customer the batch will write to, with the contract the communication is about (if any). */
export interface Target {
  readonly customer: CustomerRecord;
  readonly contract: ContractRecord | null;
}

export interface TargetPage {
  readonly targets: readonly Target[];
  /** Listed customers that cannot be written to; a selection simply leaves non-matching customers out. */
  readonly rejected: readonly { readonly customerId: string; readonly reason: string }[];
  readonly cursor: string | null;
  readonly last: boolean;
}

export interface TargetReaderOptions {
  /** Customers per CRM page for a selection; the CRM serves at most 200. Default 200. */
  readonly pageSize?: number;
  /** Whether the template needs a contract. */
  readonly requiresContract: boolean;
}

/**
 * One chunk of a batch's targets, read through the connectors: a stored chunk
 * of the list (looked up in one CRM batch call), or the next CRM page of a
 * selection. Contracts are read for the page's customers in one call when the
 * template or the selection needs them; the chosen contract is the newest one
 * that matches (ACTIVE first when no status was asked for).
 */
export async function readTargets(backoffice: Backoffice, store: BatchRepository, batch: BatchEntity, chunk: number, options: TargetReaderOptions): Promise<TargetPage> {
  const { target } = batch;
  let customers: (CustomerRecord | null)[];
  let ids: readonly string[];
  let cursor: string | null = null;
  let last: boolean;
  if (target.kind === 'list') {
    ids = (await store.listChunk(batch.id, chunk)) ?? [];
    customers = ids.length > 0 ? [...(await backoffice.crm.getCustomers(ids))] : [];
    last = (await store.listChunk(batch.id, chunk + 1)) === null;
  } else {
    const page = await backoffice.crm.searchCustomers({ first: options.pageSize ?? 200, after: batch.cursor, search: null });
    customers = [...page.items];
    ids = page.items.map((c) => c.id);
    cursor = page.nextCursor;
    last = page.nextCursor === null;
  }

  const listed = target.kind === 'list';
  const rejected: { customerId: string; reason: string }[] = [];
  const found: CustomerRecord[] = [];
  customers.forEach((customer, i) => {
    if (!customer) rejected.push({ customerId: ids[i], reason: 'no such customer in the CRM' });
    else if (target.segment && customer.segment !== target.segment) {
      if (listed) rejected.push({ customerId: customer.id, reason: `segment is not ${target.segment}` });
    } else found.push(customer);
  });

  const needContracts = options.requiresContract || target.productIds !== null || target.contractStatus !== null;
  if (!needContracts) return { targets: found.map((customer) => ({ customer, contract: null })), rejected, cursor, last };
  const contracts = found.length > 0 ? await backoffice.contracts.getContractsByCustomer(found.map((c) => c.id)) : [];
  const products = target.productIds ? new Set(target.productIds) : null;
  const targets: Target[] = [];
  found.forEach((customer, i) => {
    const matching = contracts[i].filter((c) => (!products || products.has(c.productId)) && (!target.contractStatus || c.status === target.contractStatus));
    const contract = target.contractStatus ? matching[0] : (matching.find((c) => c.status === 'ACTIVE') ?? matching[0]);
    if (contract) targets.push({ customer, contract });
    else if (listed) rejected.push({ customerId: customer.id, reason: 'no contract matching the selection' });
  });
  return { targets, rejected, cursor, last };
}
