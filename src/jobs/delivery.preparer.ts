import type { RenderedMessage } from '../channels/channel';
import type { DocumentModel } from '../render/document';
import { renderPdf } from '../render/pdf.renderer';
import type { RenderContext } from '../render/render-context';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentEntity } from '../store/document.entity';
import type { PipelineDeps } from './pipeline.deps';
import { loadRenderContext } from './render-context.loader';
import { encodeSnapshot } from '../render/render-snapshot';
import { attachmentPasswordOf, smsAttachmentPassword } from '../channels/email/attachment.password';
import { createHash } from 'node:crypto';

/** The communication's document model and what it was composed from. */
export interface Composed {
  readonly ctx: RenderContext;
  readonly model: DocumentModel;
}

export type Prepared =
  | { readonly ok: true; readonly message: RenderedMessage; readonly documentId: string | null; readonly detail: string }
  /** This channel cannot be served for this customer (no address, no text): a permanent failure. */
  | { readonly ok: false; readonly reason: string };

/** Fresh data, one model (ComposeError when the data cannot make one). */
export async function composeCommunication(deps: Pick<PipelineDeps, 'backoffice' | 'sender' | 'templates' | 'templateVersions' | 'currentCustomer'>, communication: CommunicationEntity): Promise<Composed> {
  // The version it was sent with, published from whichever process: compiled here first if this process lacks it.
  await deps.templateVersions?.ensure(communication.templateKey, communication.templateVersion);
  // The customer through the workers' batched, uncached read when there is one: the renders and sends of the
  // moment share one CRM call instead of one each, and each still sees the record as it is now.
  const ctx = await loadRenderContext(deps.backoffice, deps.sender, communication, deps.currentCustomer);
  return { ctx, model: deps.templates.compose(communication.templateKey, ctx, communication.templateVersion) };
}

/**
 * Each delivery's form, derived from the one model at the very end by its
 * channel's module. The PDF is rendered and archived at most once for all of
 * them (email attachment, letter, portal, webhook); the archive gives the same
 * document back for the same bytes.
 */
export async function prepareDeliveries(
  deps: Pick<PipelineDeps, 'archive' | 'letters' | 'channels' | 'attachmentPasswordField' | 'attachmentPasswordSecret' | 'links'>,
  communication: CommunicationEntity,
  composed: Composed,
  deliveries: readonly DeliveryEntity[],
): Promise<Prepared[]> {
  const { model, ctx } = composed;
  let pdf: Promise<DocumentEntity> | null = null;
  const archivedPdf = (): Promise<DocumentEntity> =>
    (pdf ??= (deps.letters ? deps.letters.render(model) : renderPdf(model)).then(({ pdf: bytes, pages }) =>
      deps.archive.put(bytes, {
        communicationId: communication.id, customerId: communication.customerId, kind: communication.templateKey, mimeType: 'application/pdf', pages,
        snapshot: encodeSnapshot({ templateKey: communication.templateKey, templateVersion: communication.templateVersion, ctx }),
      }),
    ));

  const attachmentPassword = model.email.passwordBySms
    ? deps.attachmentPasswordSecret ? smsAttachmentPassword(deps.attachmentPasswordSecret, communication.id) : null
    : attachmentPasswordOf(ctx.customer, deps.attachmentPasswordField ?? null);
  const encryptedPdf = async (userPassword: string) => {
    const { pdf: bytes } = await (deps.letters ? deps.letters.render(model, { userPassword }) : renderPdf(model, { userPassword }));
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  };

  const prepare = async (delivery: DeliveryEntity): Promise<Prepared> => {
    const module = deps.channels.get(delivery.channel);
    const target = { id: delivery.id, communicationId: delivery.communicationId, customerId: delivery.customerId, recipient: delivery.recipient };
    const rendered = await module.render({ model, customer: ctx.customer, delivery: target, archivedPdf, attachmentPassword, encryptedPdf, links: deps.links });
    if (!rendered.ok) return rendered;
    const message: RenderedMessage = { channel: delivery.channel, deliveryId: delivery.id, communicationId: delivery.communicationId, customerId: delivery.customerId, documentId: rendered.documentId, content: rendered.content };
    return { ok: true, message, documentId: rendered.documentId, detail: rendered.detail };
  };
  // One at a time: rendering is CPU work, nothing is gained by interleaving it.
  const results: Prepared[] = [];
  for (const delivery of deliveries) results.push(await prepare(delivery));
  return results;
}
