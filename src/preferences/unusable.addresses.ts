import type { CustomerDirectory } from '../connectors/backoffice';
import { Channel, PreferenceSource } from '../domain';
import type { DeliveryEntity } from '../store/delivery.entity';
import { addressHash, postalKey, type AddressKind } from './preference.values';
import type { PreferenceService } from './preference.service';

/** Told of each delivery that ended BOUNCED (see applyProviderOutcome). */
export interface BounceSink {
  bounced(delivery: DeliveryEntity, detail: string | null): Promise<void>;
}

export interface UnusableAddressesOptions {
  readonly preferences: PreferenceService;
  /** The CRM itself: the postal address a returned letter went to is the CRM's, whatever the overlay says. */
  readonly crm: CustomerDirectory;
  readonly logger?: { warn(obj: object, msg: string): void };
}

/**
 * Hard bounces (a DSN with action "failed") and returned mail mark the address
 * unusable in the preference overlay (source BOUNCE / RETURNED_MAIL), by its
 * hash: the next request plans without it, and a new address from the CRM is
 * usable again. Recording is best effort: a failure is logged, and the
 * delivery's own outcome and fallback stand.
 */
export class UnusableAddresses implements BounceSink {
  constructor(private readonly options: UnusableAddressesOptions) {}

  async bounced(delivery: DeliveryEntity, detail: string | null): Promise<void> {
    try {
      const mark = await this.markOf(delivery);
      if (!mark) return;
      await this.options.preferences.record(delivery.customerId, mark.by, {}, detail ? detail.slice(0, 300) : null, [{ kind: mark.kind, hash: mark.hash }]);
    } catch (error) {
      this.options.logger?.warn({ deliveryId: delivery.id, channel: delivery.channel, err: (error as Error).message }, 'unusable address not recorded');
    }
  }

  private async markOf(delivery: DeliveryEntity): Promise<{ kind: AddressKind; hash: string; by: { source: PreferenceSource; actor: string } } | null> {
    switch (delivery.channel) {
      case Channel.EMAIL:
        // The recipient is the address the message went to: a newer one in the CRM stays usable.
        return delivery.recipient ? { kind: 'email', hash: addressHash(delivery.recipient), by: { source: PreferenceSource.BOUNCE, actor: 'mail system' } } : null;
      case Channel.LETTER: {
        const [customer] = await this.options.crm.getCustomers([delivery.customerId]);
        if (!customer?.postalAddress) return null;
        return { kind: 'postal', hash: addressHash(postalKey(customer.postalAddress)), by: { source: PreferenceSource.RETURNED_MAIL, actor: 'returned mail' } };
      }
      default:
        return null;
    }
  }
}
