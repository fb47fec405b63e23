import type { FastifyInstance } from 'fastify';
import { isPrintBatchFile, PRINT_BATCH_FILES } from '../print/print-batch.links';
import type { PrintService } from '../print/print.service';
import { isStoreUnavailable } from '../services/communication.service';

/**
 * `GET /print-batches/:id/:file?expires=…&sig=…` (`batch.pdf`, `manifest.csv`,
 * `manifest.json`): the links of `PrintBatch.pdfUrl`, `manifestCsvUrl` and
 * `manifestJsonUrl`. The link is the credential, as for documents: a tampered
 * or expired link gets 403 and no hint about whether the batch exists; a
 * signed link to a batch that is not (or no longer) there gets 404. The file
 * is streamed from disk as it is read.
 */
export function registerPrintBatchesRoute(app: FastifyInstance, print: PrintService, logger: { warn(obj: object, msg: string): void }): void {
  app.get<{ Params: { id: string; file: string }; Querystring: { expires?: string; sig?: string } }>('/print-batches/:id/:file', async (request, reply) => {
    const { id, file } = request.params;
    const { expires, sig } = request.query;
    if (!isPrintBatchFile(file)) return reply.code(404).send({ error: 'NOT_FOUND', message: `expected one of ${Object.keys(PRINT_BATCH_FILES).join(', ')}, got ${JSON.stringify(file.slice(0, 40))}` });
    if (typeof expires !== 'string' || typeof sig !== 'string') return reply.code(403).send({ error: 'FORBIDDEN', message: 'expected a signed link (expires and sig)' });
    let found;
    try {
      found = await print.download(id, file, expires, sig);
    } catch (error) {
      logger.warn({ err: (error as Error).message, printBatchId: id }, 'print batch download failed');
      if (isStoreUnavailable(error)) return reply.code(503).send({ error: 'SERVICE_UNAVAILABLE', message: 'the store is unavailable; try again later' });
      return reply.code(500).send({ error: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error' });
    }
    switch (found.outcome) {
      case 'forbidden':
        return reply.code(403).send({ error: 'FORBIDDEN', message: found.reason === 'expired' ? 'this link has expired' : 'this link is not valid' });
      case 'not-found':
        return reply.code(404).send({ error: 'NOT_FOUND', message: found.what === 'batch' ? 'print batch not found' : 'this file of the print batch is no longer there' });
      case 'ok': {
        const { contentType, suffix } = PRINT_BATCH_FILES[file];
        if (file === 'batch.pdf') reply.header('etag', `"${found.batch.sha256}"`);
        return reply
          .header('content-type', contentType)
          .header('content-length', String(found.size))
          .header('content-disposition', `attachment; filename="print-batch-${found.batch.id}${suffix}"`)
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .send(found.stream);
      }
    }
  });
}
