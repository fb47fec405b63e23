import { inflateSync } from 'node:zlib';
import { PdfName, PdfRef, readObjects, type PdfDict, type PdfObject, type PdfValue } from './pdf-object.parser';

/** A standard (not embedded) font a page uses, under its resource name. */
export interface PageFont {
  readonly baseFont: string;
  readonly subtype: string;
  readonly encoding: string | null;
}

/** One page of a letter, ready to be placed on a page of a print batch. */
export interface LetterPage {
  readonly width: number;
  readonly height: number;
  /** The page's content stream(s), decoded and joined. */
  readonly content: Buffer;
  readonly fonts: ReadonlyMap<string, PageFont>;
  /** Graphics states (opacity), by resource name: plain numbers, names and booleans only. */
  readonly graphicsStates: ReadonlyMap<string, Readonly<Record<string, number | string | boolean>>>;
}

export class UnsupportedLetterError extends Error {
  constructor(reason: string) {
    super(`letter PDF: expected a letter rendered by this gateway (standard fonts, no images), got ${reason}`);
    this.name = 'UnsupportedLetterError';
  }
}

/**
 * The pages of a letter PDF in page order. Reads what PDFKit writes for the
 * letter layout — text and vector graphics with the 14 standard fonts — and
 * refuses anything else (images, embedded fonts, annotations) instead of
 * printing a letter that is missing part of itself.
 */
export function readLetterPages(pdf: Buffer): LetterPage[] {
  const objects = readObjects(pdf);
  const resolve = (value: PdfValue | undefined): PdfValue | undefined => (value instanceof PdfRef ? objects.get(value.id)?.value : value);
  const dict = (value: PdfValue | undefined, what: string): PdfDict => {
    const found = resolve(value);
    if (!(found instanceof Map)) throw new UnsupportedLetterError(`no ${what} dictionary`);
    return found;
  };
  const catalog = [...objects.values()].find((o) => o.value instanceof Map && nameOf(o.value.get('Type')) === 'Catalog');
  if (!catalog) throw new UnsupportedLetterError('no document catalog');
  const pages: LetterPage[] = [];
  const walk = (node: PdfDict): void => {
    if (nameOf(node.get('Type')) === 'Pages') {
      const kids = resolve(node.get('Kids'));
      if (!Array.isArray(kids)) throw new UnsupportedLetterError('a page tree node without kids');
      for (const kid of kids) walk(dict(kid, 'page'));
      return;
    }
    pages.push(readPage(node, objects, resolve, dict));
  };
  walk(dict((catalog.value as PdfDict).get('Pages'), 'page tree'));
  return pages;
}

function readPage(
  page: PdfDict,
  objects: Map<number, PdfObject>,
  resolve: (value: PdfValue | undefined) => PdfValue | undefined,
  dict: (value: PdfValue | undefined, what: string) => PdfDict,
): LetterPage {
  if (page.has('Annots')) throw new UnsupportedLetterError('a page with annotations');
  const box = resolve(page.get('MediaBox'));
  if (!Array.isArray(box) || box.length !== 4 || box.some((n) => typeof n !== 'number')) throw new UnsupportedLetterError('a page without a media box');
  const [x0, y0, x1, y1] = box as number[];
  const contents = resolve(page.get('Contents'));
  const refs = Array.isArray(contents) ? contents : [page.get('Contents')];
  const parts = refs.map((ref) => {
    const object = ref instanceof PdfRef ? objects.get(ref.id) : undefined;
    if (!object?.stream || !(object.value instanceof Map)) throw new UnsupportedLetterError('a page without a content stream');
    const filter = resolve(object.value.get('Filter'));
    if (filter === undefined || filter === null) return object.stream;
    if (nameOf(filter) === 'FlateDecode') return inflateSync(object.stream);
    throw new UnsupportedLetterError(`a content stream with filter ${JSON.stringify(filter)}`);
  });
  const resources = dict(page.get('Resources'), 'resources');
  for (const key of ['XObject', 'Pattern', 'Shading']) {
    const entry = resolve(resources.get(key));
    if (entry instanceof Map && entry.size > 0) throw new UnsupportedLetterError(`a page with ${key} resources`);
  }
  const fonts = new Map<string, PageFont>();
  const fontDict = resolve(resources.get('Font'));
  if (fontDict instanceof Map) {
    for (const [name, ref] of fontDict) {
      const font = dict(ref, `font ${name}`);
      if (font.has('FontDescriptor') || font.has('DescendantFonts')) throw new UnsupportedLetterError(`an embedded font (${name})`);
      fonts.set(name, { baseFont: nameOf(font.get('BaseFont')) ?? 'Helvetica', subtype: nameOf(font.get('Subtype')) ?? 'Type1', encoding: nameOf(resolve(font.get('Encoding'))) });
    }
  }
  const graphicsStates = new Map<string, Record<string, number | string | boolean>>();
  const states = resolve(resources.get('ExtGState'));
  if (states instanceof Map) {
    for (const [name, ref] of states) {
      const plain: Record<string, number | string | boolean> = {};
      for (const [key, value] of dict(ref, `graphics state ${name}`)) {
        if (typeof value === 'number' || typeof value === 'boolean') plain[key] = value;
        else if (value instanceof PdfName) plain[key] = value.name;
        else throw new UnsupportedLetterError(`a graphics state with a ${key} entry`);
      }
      graphicsStates.set(name, plain);
    }
  }
  return { width: x1 - x0, height: y1 - y0, content: Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from('\n'), part]))), fonts, graphicsStates };
}

function nameOf(value: PdfValue | undefined): string | null {
  return value instanceof PdfName ? value.name : null;
}
