import { createBackoffice, type ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import type { CustomerRecord, ContractRecord } from '../src/domain';
import type { Harness } from './support/gateway.harness';

/** What the bulk suites read of a batch. */
export interface BatchView {
  id: string;
  key: string;
  run: number;
  status: string;
  error: string | null;
  progress: {
    total: number | null;
    targeted: number;
    queued: number;
    duplicates: number;
    rejected: number;
    waiting: number;
    rendered: number;
    sent: number;
    delivered: number;
    failed: number;
    cancelled: number;
    settled: number;
    done: boolean;
  };
}

export const BATCH_FIELDS = 'id key run status error progress { total targeted queued duplicates rejected waiting rendered sent delivered failed cancelled settled done }';
export const SEND_BULK = `mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { ${BATCH_FIELDS} } }`;
export const BATCH = `query($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} } }`;

export async function sendBulk(h: Harness, input: Record<string, unknown>): Promise<BatchView> {
  const { body } = await h.graphql<{ sendBulkCommunication: BatchView }>(SEND_BULK, { input });
  if (!body.data?.sendBulkCommunication) throw new Error(`sendBulkCommunication: ${JSON.stringify(body.errors)}`);
  return body.data.sendBulkCommunication;
}

export async function batchOf(h: Harness, id: string): Promise<BatchView> {
  const { body } = await h.graphql<{ batch: BatchView | null }>(BATCH, { id });
  if (!body.data?.batch) throw new Error(`batch ${id}: ${JSON.stringify(body.errors)}`);
  return body.data.batch;
}

/** Polls `batch(id)` until `done` holds. */
export async function waitForBatch(h: Harness, id: string, done: (batch: BatchView) => boolean, timeoutMs = 30_000): Promise<BatchView> {
  const deadline = Date.now() + timeoutMs;
  let last = await batchOf(h, id);
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`batch ${id}: condition not reached within ${timeoutMs} ms; last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await batchOf(h, id);
  }
  return last;
}

/** The simulated back-office read directly, as the oracle of who a batch must reach. */
export async function backofficeOf(h: Harness): Promise<ConnectedBackoffice> {
  return createBackoffice({ crmUrl: h.backoffice.crmUrl, catalogUrl: h.backoffice.catalogUrl, contractsDatabaseUrl: h.backoffice.contractsDatabaseUrl, timeoutMs: 5_000, retries: 1, cacheTtlMs: 0 });
}

/** Every customer of the CRM with their contracts, page by page. */
export async function everyone(backoffice: ConnectedBackoffice): Promise<{ customer: CustomerRecord; contracts: readonly ContractRecord[] }[]> {
  const all: { customer: CustomerRecord; contracts: readonly ContractRecord[] }[] = [];
  let after: string | null = null;
  do {
    const page = await backoffice.crm.searchCustomers({ first: 200, after });
    const contracts = await backoffice.contracts.getContractsByCustomer(page.items.map((c) => c.id));
    page.items.forEach((customer, i) => all.push({ customer, contracts: contracts[i] }));
    after = page.nextCursor;
  } while (after);
  return all;
}

/** SMS is usable: a number and the consent (the channel policy's rule, restated for the oracle). */
export const smsReachable = (c: CustomerRecord): boolean => c.phone !== null && c.consents.includes('SMS' as never);
