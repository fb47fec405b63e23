import { Channel } from '../domain';
import type { ChannelProvider, OutboundMessage, SendResult } from './channel';

/**
 * The portal shows a customer the documents archived for them, read straight
 * from the gateway's store; by the time a delivery reaches this provider the
 * document is archived, so there is nothing left to transmit. Delivery is
 * final at once, and the provider id names the document the customer will find.
 */
export class PortalInboxProvider implements ChannelProvider {
  readonly channel = Channel.PORTAL;

  async send(message: OutboundMessage): Promise<SendResult> {
    const portal = message.portal;
    if (!portal) throw new Error(`delivery ${message.deliveryId}: expected a portal part, got none`);
    return { providerMessageId: `portal:${portal.documentId}`, final: true, detail: 'available in the customer portal' };
  }
}
