import PDFDocument from 'pdfkit';
import type { DocumentModel } from './document';
import { GEOMETRY, LetterLayout, type LetterLayoutOptions } from './letter.layout';

export type PdfOptions = LetterLayoutOptions;

/**
 * The letter form of a document: an A4 PDF in DIN 5008 form B geometry, with
 * the built-in Helvetica fonts only. The same model gives the same bytes
 * (creation date = document date, file id derived from it), so the archive's
 * sha256 identifies the content.
 */
export function renderPdf(model: DocumentModel, options: PdfOptions = {}): Promise<{ pdf: Buffer; pages: number }> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      bufferPages: true,
      margins: { top: GEOMETRY.marginTop, bottom: GEOMETRY.marginBottom, left: GEOMETRY.marginLeft, right: GEOMETRY.marginRight },
      lang: model.language,
      displayTitle: true,
      info: {
        Title: model.title,
        Author: model.sender.name,
        Subject: model.templateKey,
        Creator: 'ccm-gateway',
        Producer: 'ccm-gateway (PDFKit)',
        CreationDate: model.date,
        ModDate: model.date,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('error', reject);
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), pages }));
    let pages = 0;
    try {
      new LetterLayout(doc, model, options).draw();
      pages = doc.bufferedPageRange().count;
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
