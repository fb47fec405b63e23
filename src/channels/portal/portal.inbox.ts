import { Channel } from '../../domain';
import { contentFor, type ChannelProvider, type RenderedMessage, type SendResult } from '../channel';

export interface PortalContent {
  readonly documentId: string;
  readonly notification: string;
}

/**
 * The portal shows a customer the documents archived for them, read straight
 * from the gateway's store; by the time a delivery reaches this provider the
 * document is archived, so there is nothing left to transmit. Delivery is
 * final at once, and the provider id names the document the customer will find.
 */
export class PortalInboxProvider implements ChannelProvider<PortalContent> {
  readonly channel = Channel.PORTAL;

  async send(message: RenderedMessage<PortalContent>): Promise<SendResult> {
    const portal = contentFor(message, Channel.PORTAL, 'a portal');
    return { providerMessageId: `portal:${portal.documentId}`, final: true, detail: 'available in the customer portal' };
  }
}
