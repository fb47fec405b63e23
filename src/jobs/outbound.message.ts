import type { OutboundMessage } from '../channels/channel';
import { Channel } from '../domain';
import { assertNever } from '../errors';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentArchive } from '../store/document.archive';
import type { DeliveryArtifact } from './artifact.store';

/**
 * The provider's message from the rendered artifact; the PDF comes from the
 * archive (checked against its recorded sha256), so what is sent is what is archived.
 */
export async function outboundMessageOf(archive: DocumentArchive, delivery: DeliveryEntity, artifact: DeliveryArtifact): Promise<OutboundMessage> {
  const base = { deliveryId: delivery.id, communicationId: delivery.communicationId, customerId: delivery.customerId };
  const pdf = async (documentId: string) => {
    const found = await archive.read(documentId);
    if (!found) throw new Error(`document ${documentId}: expected it in the archive, got nothing`);
    return found;
  };
  switch (artifact.channel) {
    case Channel.EMAIL: {
      const attachments =
        artifact.attachmentName && artifact.documentId
          ? [{ filename: artifact.attachmentName, content: (await pdf(artifact.documentId)).bytes, contentType: 'application/pdf' }]
          : [];
      const { to, subject, html, text } = artifact;
      return { ...base, email: { to, subject, html, text, attachments } };
    }
    case Channel.SMS:
      return { ...base, sms: { to: artifact.to, body: artifact.body } };
    case Channel.LETTER: {
      const { entity, bytes } = await pdf(artifact.documentId);
      return { ...base, letter: { name: artifact.name, address: artifact.address, pdf: bytes, pages: entity.pages ?? 1 } };
    }
    case Channel.PORTAL:
      return { ...base, portal: { documentId: artifact.documentId, notification: artifact.notification } };
    default:
      return assertNever(artifact);
  }
}
