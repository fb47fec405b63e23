import type { FastifyInstance } from 'fastify';
import type { PreviewStore } from '../services/preview.store';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `GET /previews/:id?expires=…&sig=…`: the PDF of a `previewCommunication`,
 * while its short-lived entry lasts. Like a document link, the signed link is
 * the credential; tampered or expired → 403, gone → 404.
 */
export function registerPreviewsRoute(app: FastifyInstance, previews: PreviewStore): void {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>('/previews/:id', async (request, reply) => {
    const { id } = request.params;
    const { expires, sig } = request.query;
    if (!expires || !sig) return reply.code(403).send({ error: 'FORBIDDEN', message: 'expected a signed link (expires and sig)' });
    const check = ID.test(id) ? previews.verify(id, expires, sig) : 'invalid';
    if (check !== 'ok') return reply.code(403).send({ error: 'FORBIDDEN', message: check === 'expired' ? 'this link has expired' : 'this link is not valid' });
    const pdf = await previews.get(id);
    if (!pdf) return reply.code(404).send({ error: 'NOT_FOUND', message: 'preview not found (previews are kept for minutes only)' });
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="preview-${id.slice(0, 8)}.pdf"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(pdf);
  });
}
