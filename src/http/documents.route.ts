import type { FastifyInstance } from 'fastify';
import type { DocumentArchive } from '../store/document.archive';

export interface DocumentsRouteHooks {
  /** A download through a link made for the customer's portal session (`reader=portal`). */
  readonly onPortalDownload?: (documentId: string) => Promise<void>;
}

/**
 * `GET /documents/:id?expires=…&sig=…`: the link from `Document.downloadUrl`
 * is the credential, so a customer can open it from an email. A tampered or
 * expired link gets 403 and no hint about whether the document exists.
 */
export function registerDocumentsRoute(app: FastifyInstance, archive: DocumentArchive, hooks: DocumentsRouteHooks = {}): void {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string; reader?: string } }>('/documents/:id', async (request, reply) => {
    const { id } = request.params;
    const { expires, sig, reader } = request.query;
    if (!expires || !sig) return reply.code(403).send({ error: 'FORBIDDEN', message: 'expected a signed link (expires and sig)' });
    const check = archive.verify(id, expires, sig, new Date(), reader);
    if (check !== 'ok') return reply.code(403).send({ error: 'FORBIDDEN', message: check === 'expired' ? 'this link has expired' : 'this link is not valid' });
    const found = await archive.open(id);
    if (!found) return reply.code(404).send({ error: 'NOT_FOUND', message: 'document not found' });
    const { entity, stream } = found;
    // A link made for the portal user's session (signed as such): its download is the customer reading it.
    if (reader === 'portal' && request.method === 'GET' && hooks.onPortalDownload) await hooks.onPortalDownload(entity.id);
    return reply
      .header('content-type', entity.mimeType)
      .header('content-length', String(entity.sizeBytes))
      .header('content-disposition', `inline; filename="${entity.kind}-${entity.id.slice(0, 8)}.pdf"`)
      .header('etag', `"${entity.sha256}"`)
      .header('cache-control', 'private, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(stream);
  });
}
