import type { BackofficeData } from '../backoffice/wire.types';

/** A customer and one of their active contracts, for templates that need a contract. */
export interface Recipient {
  readonly customerId: string;
  readonly contractId: string;
}

export interface Recipients {
  /** Mobile number and SMS consent: EXPLICIT SMS is accepted for them. */
  readonly sms: readonly Recipient[];
  /** Email address, email consent and a postal address (for the letterhead of the PDF). */
  readonly email: readonly Recipient[];
  /** Portal consent (every customer has a portal account): EXPLICIT PORTAL is accepted for them. */
  readonly portal: readonly Recipient[];
}

/**
 * Picks, from the simulated back-office's own records, customers the channel
 * policy will accept, so every request of a run is valid and the runs spread
 * over many customers (as real traffic does) instead of hammering one.
 */
export function pickRecipients(data: BackofficeData): Recipients {
  const activeContract = new Map<string, string>();
  for (const row of data.contracts) {
    if (row.STAT_CD === 'A' && !activeContract.has(row.CUST_REF)) activeContract.set(row.CUST_REF, row.CNTR_ID);
  }
  const sms: Recipient[] = [];
  const email: Recipient[] = [];
  const portal: Recipient[] = [];
  for (const customer of data.customers) {
    const contractId = activeContract.get(customer.customerId);
    if (!contractId) continue;
    const { contact, communication, address } = customer;
    if (contact.mobile && communication.consents.sms) sms.push({ customerId: customer.customerId, contractId });
    if (contact.email && communication.consents.email && address) email.push({ customerId: customer.customerId, contractId });
    if (communication.consents.portal) portal.push({ customerId: customer.customerId, contractId });
  }
  if (sms.length === 0 || email.length === 0) {
    throw new Error(`recipients: expected customers with an active contract reachable by SMS and by email, got ${sms.length} and ${email.length}`);
  }
  return { sms, email, portal };
}
