import { PDFArray, PDFDict, PDFDocument, PDFName, PDFPageEmbedder, StandardFonts, type PDFContext, type PDFRef } from 'pdf-lib';

export class UnsupportedLetterError extends Error {
  constructor(reason: string) {
    super(`letter PDF: expected a letter rendered by this gateway (standard or embedded fonts, no annotations), got ${reason}`);
    this.name = 'UnsupportedLetterError';
  }
}

/** A letter ready to be copied into a batch: each page already a form XObject in the letter's own context. */
export interface LetterPdf {
  readonly context: PDFContext;
  readonly pages: readonly { readonly form: PDFRef; readonly width: number; readonly height: number }[];
  /** The embedded fonts' dictionaries (PDF/A letters), each once. */
  readonly embeddedFonts: readonly PDFDict[];
}

const STANDARD_FONTS = new Set<string>(Object.values(StandardFonts));

/**
 * A letter PDF, parsed by pdf-lib, checked to print as it was rendered: at
 * least one page, every font one of the 14 standard fonts or embedded (as
 * PDF/A letters have them), no annotations (a form XObject cannot carry them,
 * so the printed letter would miss part of itself). Encrypted files are refused
 * by pdf-lib itself. Each page becomes a form XObject (pdf-lib's page
 * embedder) here, so whatever cannot be read fails now, before the letter
 * touches a batch.
 */
export async function readLetter(bytes: Uint8Array): Promise<LetterPdf> {
  const letter = await PDFDocument.load(bytes, { updateMetadata: false });
  const pages = letter.getPages();
  const embeddedFonts = new Set<PDFDict>();
  if (pages.length === 0) throw new UnsupportedLetterError('a document without pages');
  for (const page of pages) {
    if (page.node.Annots()) throw new UnsupportedLetterError('a page with annotations');
    const fonts = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fonts?.entries() ?? []) {
      const font = letter.context.lookupMaybe(ref, PDFDict);
      if (!font) throw new UnsupportedLetterError(`a font ${name.decodeText()} that is not a dictionary`);
      const baseFont = font.lookupMaybe(PDFName.of('BaseFont'), PDFName)?.decodeText() ?? '?';
      const descendants = font.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray);
      const described = descendants ? descendants.lookupMaybe(0, PDFDict) : font;
      const descriptor = described?.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
      if (!descriptor) {
        if (descendants || !STANDARD_FONTS.has(baseFont)) throw new UnsupportedLetterError(`a font that is neither standard nor embedded (${baseFont.slice(0, 60)})`);
        continue;
      }
      if (!['FontFile', 'FontFile2', 'FontFile3'].some((key) => descriptor.has(PDFName.of(key)))) {
        throw new UnsupportedLetterError(`a font that is neither standard nor embedded (${baseFont.slice(0, 60)})`);
      }
      embeddedFonts.add(font);
    }
  }
  const forms = [];
  for (const page of pages) {
    const embedder = await PDFPageEmbedder.for(page.node);
    forms.push({ form: await embedder.embedIntoContext(letter.context), width: embedder.width, height: embedder.height });
  }
  return { context: letter.context, pages: forms, embeddedFonts: [...embeddedFonts] };
}
