import { deflateSync } from 'node:zlib';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, ParseSpeeds, PDFRawStream, StandardFonts, type PDFContext, type PDFPage, type PDFRef } from 'pdf-lib';

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
 * by pdf-lib itself. Each page becomes a form XObject here, so whatever
 * cannot be read fails now, before the letter touches a batch.
 */
export async function readLetter(bytes: Uint8Array): Promise<LetterPdf> {
  // Letters are small: parse in one go instead of yielding to the event loop every 100 objects.
  const letter = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
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
  const forms = pages.map((page) => formOf(letter.context, page));
  return { context: letter.context, pages: forms, embeddedFonts: [...embeddedFonts] };
}

/**
 * The page as a form XObject in the letter's context, what pdf-lib's page
 * embedder builds, except that a single Flate content stream (what the
 * renderer writes) is kept compressed as it is instead of being inflated and
 * deflated again in JavaScript (pdf-lib's embedder), which tripled the time
 * a batch took; anything else is decoded by pdf-lib and deflated by zlib.
 */
function formOf(context: PDFContext, page: PDFPage): { form: PDFRef; width: number; height: number } {
  const box = page.node.MediaBox().asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : Number.NaN));
  if (box.length !== 4 || box.some((n) => !Number.isFinite(n))) throw new UnsupportedLetterError('a page without a media box');
  const [x0, y0, x1, y1] = box;
  const contents = page.node.Contents();
  const streams = (contents instanceof PDFArray ? contents.asArray().map((ref) => context.lookup(ref)) : [contents]);
  if (streams.length === 0 || !streams.every((stream): stream is PDFRawStream => stream instanceof PDFRawStream)) throw new UnsupportedLetterError('a page without a content stream');
  const only = streams.length === 1 ? streams[0] : null;
  const flate = only !== null && only.dict.get(PDFName.of('Filter')) === PDFName.of('FlateDecode') && !only.dict.has(PDFName.of('DecodeParms'));
  const content = flate ? only.contents : deflateSync(Buffer.concat(streams.flatMap((stream) => [Buffer.from(decodePDFRawStream(stream).decode()), Buffer.from('\n')])));
  const form = context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    FormType: 1,
    BBox: [0, 0, x1 - x0, y1 - y0],
    Matrix: [1, 0, 0, 1, -x0, -y0],
    Resources: page.node.Resources() ?? {},
    Filter: 'FlateDecode',
  });
  return { form: context.register(form), width: x1 - x0, height: y1 - y0 };
}
