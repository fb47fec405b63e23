import { Channel } from '../../domain';
import { pagesText, type ChannelModule } from '../channel.module';
import { PortalInboxProvider, type PortalContent } from './portal.inbox';

/** The customer portal: the archived PDF is the delivery; every customer has a portal account. */
export function portalChannel(): ChannelModule<PortalContent> {
  return {
    id: Channel.PORTAL,
    key: 'portal',
    medium: 'digital',
    interruptive: false,
    consent: 'required',
    address: (customer) => `portal:${customer.id}`,
    missingAddress: 'needs a portal account and the customer has none',
    templateTexts: ['portalNotification'],
    async render({ model, archivedPdf }) {
      const pdf = await archivedPdf();
      return { ok: true, content: { documentId: pdf.id, notification: model.portal.notification }, documentId: pdf.id, detail: `document archived for the portal (${pagesText(pdf.pages)})` };
    },
    createProvider: () => new PortalInboxProvider(),
  };
}
