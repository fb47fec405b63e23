import type { Backoffice } from '../connectors/backoffice';
import type { AttachmentPassword, CustomerRecord } from '../domain';
import type { RenderContext, RenderSender } from '../render/render-context';
import { ComposeError } from '../render/template.catalog';
import type { CommunicationEntity } from '../store/communication.entity';

/** What customers see as the communication's reference: short, stable, derived from its id. */
export function referenceOf(communicationId: string): string {
  return `CCM-${communicationId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase()}`;
}

/**
 * Late binding: the customer, contract and product as the systems of record
 * hold them now, not as they were when the request was recorded. A failing
 * system rejects with BackofficeUnavailableError (worth retrying); a record
 * that is not there is a ComposeError (it will not appear by retrying).
 *
 * The document date is the scheduled time, else the creation time: a render
 * repeated later (a retried job, a fallback channel) gives the same letter and
 * the same PDF bytes, so the archive keeps one copy.
 */
export async function loadRenderContext(
  backoffice: Backoffice,
  sender: RenderSender,
  communication: Pick<CommunicationEntity, 'id' | 'customerId' | 'contractId' | 'data' | 'scheduledAt' | 'createdAt'> & { readonly blocks?: Readonly<Record<string, string>> | null; readonly attachmentPassword?: AttachmentPassword | null },
  /** Reads one customer now (e.g. batched with other reads of the moment, never cached); default: one CRM call. */
  customerOf?: (customerId: string) => Promise<CustomerRecord | null>,
): Promise<RenderContext> {
  const contractId = communication.contractId;
  const [[customer], [contract]] = await Promise.all([
    customerOf ? customerOf(communication.customerId).then((found) => [found]) : backoffice.crm.getCustomers([communication.customerId]),
    contractId ? backoffice.contracts.getContracts([contractId]) : Promise.resolve([null]),
  ]);
  if (!customer) throw new ComposeError(`customer ${communication.customerId}: expected a record in the CRM, got none`);
  if (contractId && !contract) throw new ComposeError(`contract ${contractId}: expected a record in the contract system, got none`);
  if (contract && contract.customerId !== customer.id) {
    throw new ComposeError(`contract ${contract.id}: expected a contract of customer ${customer.id}, got one of another customer`);
  }
  const [product] = contract ? await backoffice.catalog.getProducts([contract.productId]) : [null];
  return {
    customer,
    contract: contract ?? null,
    product: product ?? null,
    data: communication.data,
    communicationId: communication.id,
    reference: referenceOf(communication.id),
    date: communication.scheduledAt ?? communication.createdAt,
    sender,
    blocks: communication.blocks ?? null,
    attachmentPassword: communication.attachmentPassword ?? null,
  };
}
