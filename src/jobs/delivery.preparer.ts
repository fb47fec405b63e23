import { Channel } from '../domain';
import { assertNever } from '../errors';
import type { DocumentModel } from '../render/document';
import { renderEmail } from '../render/email.renderer';
import { renderPdf } from '../render/pdf.renderer';
import type { RenderContext } from '../render/render-context';
import { renderSms } from '../render/sms.renderer';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentEntity } from '../store/document.entity';
import type { DeliveryArtifact } from './artifact.store';
import type { PipelineDeps } from './pipeline.deps';
import { loadRenderContext } from './render-context.loader';

/** The communication's document model and what it was composed from. */
export interface Composed {
  readonly ctx: RenderContext;
  readonly model: DocumentModel;
}

export type Prepared =
  | { readonly ok: true; readonly artifact: DeliveryArtifact; readonly documentId: string | null; readonly detail: string }
  /** This channel cannot be served for this customer (no address, no text): a permanent failure. */
  | { readonly ok: false; readonly reason: string };

/** Fresh data, one model (ComposeError when the data cannot make one). */
export async function composeCommunication(deps: Pick<PipelineDeps, 'backoffice' | 'sender' | 'templates'>, communication: CommunicationEntity): Promise<Composed> {
  const ctx = await loadRenderContext(deps.backoffice, deps.sender, communication);
  return { ctx, model: deps.templates.compose(communication.templateKey, ctx) };
}

/**
 * Each delivery's form, derived from the one model at the very end. The PDF
 * is rendered and archived at most once for all of them (email attachment,
 * letter, portal); the archive gives the same document back for the same bytes.
 */
export async function prepareDeliveries(
  deps: Pick<PipelineDeps, 'archive' | 'letters'>,
  communication: CommunicationEntity,
  composed: Composed,
  deliveries: readonly DeliveryEntity[],
): Promise<Prepared[]> {
  const { model, ctx } = composed;
  let pdf: Promise<DocumentEntity> | null = null;
  const archived = (): Promise<DocumentEntity> =>
    (pdf ??= (deps.letters ? deps.letters.render(model) : renderPdf(model)).then(({ pdf: bytes, pages }) =>
      deps.archive.put(bytes, { communicationId: communication.id, customerId: communication.customerId, kind: communication.templateKey, mimeType: 'application/pdf', pages }),
    ));
  const pagesOf = (document: DocumentEntity): string => `${document.pages ?? '?'} page${document.pages === 1 ? '' : 's'}`;

  const prepare = async (delivery: DeliveryEntity): Promise<Prepared> => {
    const channel = delivery.channel;
    switch (channel) {
      case Channel.EMAIL: {
        const to = delivery.recipient ?? ctx.customer.email;
        if (!to) return { ok: false, reason: 'no email address for this customer' };
        const email = renderEmail(model);
        const document = model.email.attachPdf ? await archived() : null;
        const artifact: DeliveryArtifact = {
          channel,
          to,
          ...email,
          attachmentName: document ? `${model.templateKey}-${model.reference}.pdf` : null,
          documentId: document?.id ?? null,
        };
        return { ok: true, artifact, documentId: document?.id ?? null, detail: document ? `email rendered, PDF attached (${pagesOf(document)})` : 'email rendered' };
      }
      case Channel.SMS: {
        const to = delivery.recipient ?? ctx.customer.phone;
        if (!to) return { ok: false, reason: 'no mobile number for this customer' };
        const sms = renderSms(model);
        if (!sms.body) return { ok: false, reason: `template ${model.templateKey} has no SMS text` };
        return { ok: true, artifact: { channel, to, body: sms.body, segments: sms.segments }, documentId: null, detail: `SMS rendered (${sms.segments} × ${sms.encoding})` };
      }
      case Channel.LETTER: {
        const address = model.recipient.address;
        if (!address) return { ok: false, reason: 'no postal address for this customer' };
        const document = await archived();
        const artifact: DeliveryArtifact = { channel, name: model.recipient.name, address, documentId: document.id };
        return { ok: true, artifact, documentId: document.id, detail: `letter rendered (${pagesOf(document)})` };
      }
      case Channel.PORTAL: {
        const document = await archived();
        const artifact: DeliveryArtifact = { channel, notification: model.portal.notification, documentId: document.id };
        return { ok: true, artifact, documentId: document.id, detail: `document archived for the portal (${pagesOf(document)})` };
      }
      default:
        return assertNever(channel);
    }
  };
  // One at a time: rendering is CPU work, nothing is gained by interleaving it.
  const results: Prepared[] = [];
  for (const delivery of deliveries) results.push(await prepare(delivery));
  return results;
}
