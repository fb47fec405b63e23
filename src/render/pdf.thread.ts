import { parentPort, workerData } from 'node:worker_threads';
import type { RenderThreadData, RenderThreadReply, RenderThreadRequest } from './pdf.renderers';
import { loadPdfaFonts } from './pdfa.fonts';
import { renderPdf } from './pdf.renderer';

/** Entry of a letter render thread (`LetterThreadPool`): models in, PDF bytes out. */
const data = workerData as RenderThreadData;
const pdfa = data.pdfa ? loadPdfaFonts() : null;

parentPort?.on('message', (request: RenderThreadRequest) => {
  renderPdf(request.model, { ...data.layout, pdfa, userPassword: request.userPassword ?? null }).then(
    ({ pdf, pages }) => parentPort?.postMessage({ id: request.id, pdf, pages } satisfies RenderThreadReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies RenderThreadReply),
  );
});
