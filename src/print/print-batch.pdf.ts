import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { EmbeddedFont, LetterPage } from './letter-pdf.reader';
import { copyGraph } from './pdf-object.copier';
import { drawMark, type MarkOptions } from './print-mark';

export interface PrintPdfOptions {
  /** Printed on both sides: a letter with an odd page count gets a blank back page. */
  readonly duplex: boolean;
  readonly title: string;
  readonly date: Date;
  readonly mark?: MarkOptions;
}

export interface PlacedLetter {
  /** 1-based page of the batch PDF where the letter starts. */
  readonly firstPage: number;
  readonly pages: number;
  /** A blank back page was added after it. */
  readonly blank: boolean;
}

/**
 * The print-ready PDF of one batch, written to a file as it is built (pages are
 * not buffered: memory does not grow with the batch). Each letter page is
 * placed whole as a form XObject — the archived letter exactly as rendered —
 * with its Code 128 mark on top; a letter always starts on a new sheet.
 * Standard fonts are shared by the whole batch; a letter's embedded fonts
 * (PDF/A letters: subsets of the glyphs that letter uses) are copied with it,
 * once per distinct font, each under a subset tag of its own in this file.
 */
export class PrintBatchPdf {
  private readonly doc: PDFKit.PDFDocument;
  private readonly done: Promise<{ sha256: string; bytes: number }>;
  private readonly fonts = new Map<string, PDFKit.PDFKitReference>();
  private readonly embeddedFonts = new Map<string, PDFKit.PDFKitReference>();
  private pageCount = 0;
  private formCount = 0;

  constructor(path: string, private readonly options: PrintPdfOptions) {
    this.doc = new PDFDocument({
      autoFirstPage: false,
      margin: 0,
      info: { Title: options.title, Creator: 'ccm-gateway', Producer: 'ccm-gateway (PDFKit)', CreationDate: options.date, ModDate: options.date },
    });
    const hash = createHash('sha256');
    const out = createWriteStream(path, { flags: 'wx' });
    let bytes = 0;
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      this.doc.on('error', reject);
      out.on('error', reject);
      out.on('finish', () => resolve({ sha256: hash.digest('hex'), bytes }));
    });
    this.doc.pipe(out);
  }

  get pages(): number {
    return this.pageCount;
  }

  addLetter(deliveryId: string, sequence: number, pages: readonly LetterPage[]): PlacedLetter {
    const firstPage = this.pageCount + 1;
    pages.forEach((page, i) => {
      this.doc.addPage({ size: [page.width, page.height], margin: 0 });
      this.pageCount += 1;
      const name = `L${++this.formCount}`;
      (this.doc.page as unknown as { xobjects: Record<string, PDFKit.PDFKitReference> }).xobjects[name] = this.formOf(page);
      // PDFKit flips the y axis of every page; the form is in plain PDF coordinates, so flip back around it.
      this.doc.addContent(`q 1 0 0 -1 0 ${page.height} cm /${name} Do Q`);
      drawMark(this.doc, { deliveryId, page: i + 1, pages: pages.length, sequence }, this.options.mark);
    });
    const blank = this.options.duplex && pages.length % 2 === 1;
    if (blank) {
      const last = pages[pages.length - 1];
      this.doc.addPage({ size: [last.width, last.height], margin: 0 });
      this.pageCount += 1;
    }
    return { firstPage, pages: pages.length, blank };
  }

  /** Ends the document; resolves once the file is complete. */
  async finish(): Promise<{ sha256: string; bytes: number; pages: number }> {
    this.doc.end();
    return { ...(await this.done), pages: this.pageCount };
  }

  private formOf(page: LetterPage): PDFKit.PDFKitReference {
    const Font: Record<string, PDFKit.PDFKitReference> = {};
    for (const [name, font] of page.fonts) Font[name] = font.kind === 'standard' ? this.font(font.baseFont, font.subtype, font.encoding) : this.embedded(font);
    const ExtGState: Record<string, PDFKit.PDFKitReference> = {};
    for (const [name, state] of page.graphicsStates) {
      const ref = this.doc.ref({ ...state });
      ref.end(undefined);
      ExtGState[name] = ref;
    }
    const form = this.doc.ref({
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, page.width, page.height],
      Resources: { ProcSet: ['PDF', 'Text'], Font, ExtGState },
    });
    form.end(page.content);
    return form;
  }

  /**
   * One copy per distinct embedded font. Every letter names its subsets with
   * the same tags (PDFKit derives them from the font's order in the letter),
   * so two letters' different subsets of one font would share a name, which
   * some printers' font caches take for the same font; each copy gets the
   * next tag of this file instead (AAAAAA+, AAAAAB+, …).
   */
  private embedded(font: EmbeddedFont): PDFKit.PDFKitReference {
    let ref = this.embeddedFonts.get(font.graph.key);
    if (!ref) {
      const tag = subsetTag(this.embeddedFonts.size);
      ref = copyGraph(this.doc, font.graph, (key, name) => ((key === 'BaseFont' || key === 'FontName') && /^[A-Z]{6}\+/.test(name) ? `${tag}+${name.slice(7)}` : name));
      this.embeddedFonts.set(font.graph.key, ref);
    }
    return ref;
  }

  /** One font object per standard font and encoding for the whole batch. */
  private font(baseFont: string, subtype: string, encoding: string | null): PDFKit.PDFKitReference {
    const key = `${baseFont}|${subtype}|${encoding ?? ''}`;
    let ref = this.fonts.get(key);
    if (!ref) {
      ref = this.doc.ref({ Type: 'Font', Subtype: subtype, BaseFont: baseFont, ...(encoding ? { Encoding: encoding } : {}) });
      ref.end(undefined);
      this.fonts.set(key, ref);
    }
    return ref;
  }
}

/** The n-th subset tag: six capitals, counting in base 26 from AAAAAA. */
function subsetTag(n: number): string {
  let tag = '';
  for (let i = 0, rest = n; i < 6; i += 1, rest = Math.floor(rest / 26)) tag = String.fromCharCode(65 + (rest % 26)) + tag;
  return tag;
}
