import { Channel, type CustomerRecord } from '../domain';
import { assertNever } from '../errors';

/**
 * What the timeline shows as the recipient of a delivery on `channel`. A postal
 * recipient is summarised (postcode, city, country): the full address stays in the CRM.
 */
export function recipientOf(channel: Channel, customer: CustomerRecord): string | null {
  switch (channel) {
    case Channel.EMAIL:
      return customer.email;
    case Channel.SMS:
      return customer.phone;
    case Channel.LETTER: {
      const address = customer.postalAddress;
      return address ? `${address.postalCode} ${address.city}, ${address.country}` : null;
    }
    case Channel.PORTAL:
      return `portal:${customer.id}`;
    default:
      return assertNever(channel);
  }
}
