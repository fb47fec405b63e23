import { randomBytes } from 'node:crypto';
import PDFDocument from 'pdfkit';
import type { DocumentModel } from './document';
import { GEOMETRY, LetterLayout, STANDARD_LETTER_FONTS, type LetterFonts, type LetterLayoutOptions } from './letter.layout';
import type { PdfaFonts } from './pdfa.fonts';
import { toFontText } from './win-ansi';

export interface PdfOptions extends LetterLayoutOptions {
  /** PDF/A-2b with these embedded fonts (`DOCUMENT_PDFA`); default null: PDF 1.3 with the standard fonts. */
  readonly pdfa?: PdfaFonts | null;
  /** Encrypted with AES-256 (PDF 1.7 extension level 3), opened with this password; not PDF/A (which forbids encryption), same fonts. */
  readonly userPassword?: string | null;
}

/** PDFKit names of the embedded faces. */
const EMBEDDED = { regular: 'Letter', bold: 'Letter-Bold' } as const;

/**
 * The letter form of a document: an A4 PDF in DIN 5008 form B geometry. By
 * default PDF 1.3 with the built-in Helvetica fonts; with PDF/A fonts
 * (`options.pdfa`, from `DOCUMENT_PDFA`) a PDF/A-2b file: PDF 1.7, fonts
 * embedded (subsets), XMP metadata, an sRGB output intent. Either way the same
 * model gives the same bytes (creation date = document date, file id derived
 * from it, font subsets named from their order), so the archive's sha256
 * identifies the content.
 */
export function renderPdf(model: DocumentModel, options: PdfOptions = {}): Promise<{ pdf: Buffer; pages: number }> {
  const pdfa = options.pdfa ?? null;
  return new Promise((resolve, reject) => {
    const info = {
      Title: model.title,
      Author: model.sender.name,
      Subject: model.templateKey,
      Creator: 'ccm-gateway',
      Producer: 'ccm-gateway (PDFKit)',
      CreationDate: model.date,
    };
    const encrypted = options.userPassword ? encryption(options.userPassword) : null;
    const doc = new PDFDocument({
      size: 'A4',
      bufferPages: true,
      margins: { top: GEOMETRY.marginTop, bottom: GEOMETRY.marginBottom, left: GEOMETRY.marginLeft, right: GEOMETRY.marginRight },
      lang: model.language,
      displayTitle: true,
      // PDF/A: ModDate would need its XMP twin, which PDFKit does not write; it equals CreationDate anyway.
      ...(encrypted
        ? { ...encrypted, info: { ...info, ModDate: model.date } }
        : pdfa
          ? { pdfVersion: '1.7' as const, subset: 'PDF/A-2b' as const, info: xmpSafe(info) }
          : { info: { ...info, ModDate: model.date } }),
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('error', reject);
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), pages }));
    let pages = 0;
    try {
      new LetterLayout(doc, model, options, pdfa ? embed(doc, pdfa) : STANDARD_LETTER_FONTS).draw();
      pages = doc.bufferedPageRange().count;
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/**
 * AES-256 (PDFKit: PDF 1.7 extension level 3). The owner password is random
 * and thrown away: nobody can lift the restrictions; the customer's password
 * opens, prints and copies text for reading aloud, nothing more.
 */
function encryption(userPassword: string) {
  return {
    pdfVersion: '1.7ext3' as const,
    userPassword,
    ownerPassword: randomBytes(24).toString('base64url'),
    permissions: { printing: 'highResolution' as const, modifying: false, copying: false, annotating: false, fillingForms: false, contentAccessibility: true, documentAssembly: false },
  };
}

function embed(doc: PDFKit.PDFDocument, fonts: PdfaFonts): LetterFonts {
  doc.registerFont(EMBEDDED.regular, fonts.regular);
  doc.registerFont(EMBEDDED.bold, fonts.bold);
  return { ...EMBEDDED, text: (value) => toFontText(value, fonts.covers) };
}

/**
 * PDFKit copies the Info strings into the XMP packet without XML escaping, so
 * a title like "Terms & Conditions" would break the metadata (and PDF/A). A
 * string object answers each side in its own syntax: PDFKit writes the Info
 * dictionary from `valueOf()` (the text as it is) and the XMP by
 * interpolation, which calls `toString()` (escaped): both say the same.
 */
class XmlEscapedText extends String {
  override toString(): string {
    return this.valueOf().replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }
}

function xmpSafe<T extends Record<string, unknown>>(info: T): T {
  return Object.fromEntries(Object.entries(info).map(([key, value]) => [key, typeof value === 'string' ? new XmlEscapedText(value) : value])) as T;
}
