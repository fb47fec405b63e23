import { deflateSync } from 'node:zlib';
import {
  drawObject, PDFArray, PDFDict, PDFHexString, PDFName, PDFObjectCopier, PDFRef, PDFString,
  popGraphicsState, pushGraphicsState, StandardFontEmbedder, StandardFonts, type PDFOperator,
} from 'pdf-lib';
import type { LetterPdf } from './letter-pdf.reader';
import { PdfFileWriter } from './pdf-file.writer';
import { markOperators, type MarkFont, type MarkOptions } from './print-mark';

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

const SUBSET_TAG = /^[A-Z]{6}\+/;

/**
 * The print-ready PDF of one batch, with pdf-lib, written to a file letter by
 * letter (`PdfFileWriter`: memory does not grow with the batch). Each letter
 * page is placed whole as a form XObject (pdf-lib's page embedder: the
 * archived letter exactly as rendered, its fonts and resources copied with
 * it) with its Code 128 mark on top; a letter always starts on a new sheet.
 */
export class PrintBatchPdf {
  private readonly writer: PdfFileWriter;
  /** The page tree root, written last, when all its kids are known. */
  private readonly pagesRef: PDFRef;
  private readonly kids: PDFRef[] = [];
  private readonly markFont: MarkFont & { readonly ref: PDFRef };
  private subsets = 0;

  constructor(path: string, private readonly options: PrintPdfOptions) {
    this.writer = new PdfFileWriter(path);
    const context = this.writer.context;
    this.pagesRef = context.nextRef();
    const embedder = StandardFontEmbedder.for(StandardFonts.Helvetica as string as Parameters<typeof StandardFontEmbedder.for>[0]);
    // One Helvetica for the marks of the whole batch.
    this.markFont = { name: 'Mark', embedder, ref: embedder.embedIntoContext(context) };
  }

  get pages(): number {
    return this.kids.length;
  }

  /** Appends a letter (from `readLetter`); nothing is added when it fails. */
  async addLetter(deliveryId: string, sequence: number, letter: LetterPdf): Promise<PlacedLetter> {
    const context = this.writer.context;
    const firstPage = this.kids.length + 1;
    const forms = letter.pages;
    for (const font of letter.embeddedFonts) this.retag(font, subsetTag(this.subsets++));
    // One copier for the letter: fonts its pages share are copied once.
    const copier = PDFObjectCopier.for(letter.context, context);
    const pages = forms.map((form, i) => {
      const formRef = context.register(copier.copy(letter.context.lookup(form.form)!));
      const marks = markOperators({ deliveryId, page: i + 1, pages: forms.length, sequence }, form.height, this.markFont, this.options.mark);
      return this.page(form.width, form.height, [pushGraphicsState(), drawObject('Letter'), popGraphicsState(), ...marks], formRef);
    });
    const blank = this.options.duplex && forms.length % 2 === 1;
    if (blank) pages.push(this.page(forms[forms.length - 1].width, forms[forms.length - 1].height, null, null));
    this.kids.push(...pages);
    await this.writer.flush([this.pagesRef]);
    return { firstPage, pages: forms.length, blank };
  }

  /** Ends the document; resolves once the file is complete. */
  async finish(): Promise<{ sha256: string; bytes: number; pages: number }> {
    const context = this.writer.context;
    context.assign(this.pagesRef, context.obj({ Type: 'Pages', Kids: this.kids, Count: this.kids.length }));
    const root = context.register(context.obj({ Type: 'Catalog', Pages: this.pagesRef }));
    const date = PDFString.fromDate(this.options.date);
    const info = context.register(context.obj({
      Title: PDFHexString.fromText(this.options.title),
      Creator: PDFHexString.fromText('ccm-gateway'),
      Producer: PDFHexString.fromText('ccm-gateway (pdf-lib)'),
      CreationDate: date,
      ModDate: date,
    }));
    return { ...(await this.writer.finish(root, info)), pages: this.kids.length };
  }

  private page(width: number, height: number, operators: PDFOperator[] | null, formRef: PDFRef | null): PDFRef {
    const context = this.writer.context;
    const resources = formRef ? { XObject: { Letter: formRef }, Font: { [this.markFont.name]: this.markFont.ref } } : {};
    return context.register(context.obj({
      Type: 'Page',
      Parent: this.pagesRef,
      MediaBox: [0, 0, width, height],
      Resources: resources,
      // zlib rather than pdf-lib's JavaScript deflate: the marks are most of what a batch compresses.
      ...(operators ? { Contents: context.register(context.stream(deflateSync(operators.join('\n')), { Filter: 'FlateDecode' })) } : {}),
    }));
  }

  /**
   * Every letter names its font subsets with the same tags (the renderer
   * derives them from the font's order in the letter), so two letters'
   * different subsets of one font would share a name, which some printers'
   * font caches take for the same font; each font gets the next tag of this
   * file instead (AAAAAA+, AAAAAB+, …), in the letter before it is copied.
   */
  private retag(font: PDFDict, tag: string): void {
    const rename = (dict: PDFDict | undefined, key: string): void => {
      const name = dict?.lookupMaybe(PDFName.of(key), PDFName)?.decodeText();
      if (dict && name && SUBSET_TAG.test(name)) dict.set(PDFName.of(key), PDFName.of(`${tag}+${name.slice(7)}`));
    };
    rename(font, 'BaseFont');
    rename(font.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict), 'FontName');
    const descendants = font.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray);
    for (let i = 0; i < (descendants?.size() ?? 0); i += 1) {
      const descendant = descendants?.lookupMaybe(i, PDFDict);
      rename(descendant, 'BaseFont');
      rename(descendant?.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict), 'FontName');
    }
  }
}

/** The n-th subset tag: six capitals, counting in base 26 from AAAAAA. */
function subsetTag(n: number): string {
  let tag = '';
  for (let i = 0, rest = n; i < 6; i += 1, rest = Math.floor(rest / 26)) tag = String.fromCharCode(65 + (rest % 26)) + tag;
  return tag;
}
