import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { PLAIN_NAME, type PdfGraph } from './pdf-object.copier';
import { PdfName, PdfRef, PdfString, readObjects, type PdfDict, type PdfObject, type PdfValue } from './pdf-object.parser';

/** A font a page uses, under its resource name: one of the 14 standard fonts, or one embedded in the letter (PDF/A). */
export type PageFont = StandardFont | EmbeddedFont;

export interface StandardFont {
  readonly kind: 'standard';
  readonly baseFont: string;
  readonly subtype: string;
  readonly encoding: string | null;
}

export interface EmbeddedFont {
  readonly kind: 'embedded';
  readonly baseFont: string;
  /** The font dictionary and every object it reaches (descendant font, descriptor, font program, ToUnicode). */
  readonly graph: PdfGraph;
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
    super(`letter PDF: expected a letter rendered by this gateway (standard or embedded fonts, no images), got ${reason}`);
    this.name = 'UnsupportedLetterError';
  }
}

/**
 * The pages of a letter PDF in page order. Reads what PDFKit writes for the
 * letter layout — text and vector graphics with the 14 standard fonts, or with
 * embedded fonts (PDF/A letters) — and refuses anything else (images, fonts
 * neither standard nor embedded, annotations) instead of printing a letter
 * that is missing part of itself.
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
      const baseFont = nameOf(font.get('BaseFont')) ?? 'Helvetica';
      if (!font.has('FontDescriptor') && !font.has('DescendantFonts')) {
        fonts.set(name, { kind: 'standard', baseFont, subtype: nameOf(font.get('Subtype')) ?? 'Type1', encoding: nameOf(resolve(font.get('Encoding'))) });
        continue;
      }
      const descendants = resolve(font.get('DescendantFonts'));
      const described = Array.isArray(descendants) ? dict(descendants[0], `descendant font of ${name}`) : font;
      const descriptor = dict(described.get('FontDescriptor'), `font descriptor of ${name}`);
      if (!['FontFile', 'FontFile2', 'FontFile3'].some((key) => descriptor.get(key) instanceof PdfRef)) throw new UnsupportedLetterError(`a font that is neither standard nor embedded (${baseFont})`);
      if (!(ref instanceof PdfRef)) throw new UnsupportedLetterError(`a direct font dictionary (${name})`);
      fonts.set(name, { kind: 'embedded', baseFont, graph: graphOf(ref.id, objects) });
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

/** Enough for a Type0 font (font, descendant, descriptor, program, ToUnicode, CIDSet) with room to spare. */
const MAX_FONT_OBJECTS = 16;
const FONT_PARTS = new Set(['Font', 'FontDescriptor']);

/**
 * The objects a font reaches, checked to be font parts only (dictionaries and
 * streams; no page, no annotation, no cycle; names the copier can write), and
 * a content key for sharing equal fonts.
 */
function graphOf(root: number, objects: ReadonlyMap<number, PdfObject>): PdfGraph {
  const order: number[] = [];
  const found = new Map<number, PdfObject>();
  const visit = (id: number, path: readonly number[]): void => {
    if (path.includes(id)) throw new UnsupportedLetterError('a font whose objects refer back to themselves');
    if (found.has(id)) return;
    const object = objects.get(id);
    if (!object) throw new UnsupportedLetterError(`a font referring to a missing object ${id}`);
    if (!(object.value instanceof Map)) throw new UnsupportedLetterError(`a font part that is not a dictionary (object ${id})`);
    const type = nameOf(object.value.get('Type'));
    if (type !== null && !FONT_PARTS.has(type)) throw new UnsupportedLetterError(`a font referring to a ${type}`);
    const odd = namesIn(object.value).find((name) => !PLAIN_NAME.test(name));
    if (odd !== undefined) throw new UnsupportedLetterError(`a font with the name ${JSON.stringify(odd.slice(0, 40))}`);
    found.set(id, object);
    order.push(id);
    if (found.size > MAX_FONT_OBJECTS) throw new UnsupportedLetterError(`a font of more than ${MAX_FONT_OBJECTS} objects`);
    for (const ref of refsIn(object.value)) visit(ref, [...path, id]);
  };
  visit(root, []);
  const hash = createHash('sha256');
  const position = (id: number): number => order.indexOf(id);
  for (const id of order) {
    const object = found.get(id) as PdfObject;
    hash.update(canonical(object.value, position));
    hash.update(object.stream ? createHash('sha256').update(object.stream).digest('hex') : '-');
    hash.update('\n');
  }
  return { root, objects: found, key: hash.digest('hex') };
}

/** Keys and name values, at any depth. */
function namesIn(value: PdfValue): string[] {
  if (value instanceof PdfName) return [value.name];
  if (Array.isArray(value)) return value.flatMap(namesIn);
  if (value instanceof Map) return [...value].flatMap(([key, v]) => [key, ...namesIn(v)]);
  return [];
}

function refsIn(value: PdfValue): number[] {
  if (value instanceof PdfRef) return [value.id];
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value instanceof Map) return [...value.values()].flatMap(refsIn);
  return [];
}

function canonical(value: PdfValue, position: (id: number) => number): string {
  if (value instanceof PdfRef) return `@${position(value.id)}`;
  if (value instanceof PdfName) return `/${value.name}`;
  if (value instanceof PdfString) return `<${value.bytes.toString('hex')}>`;
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, position)).join(' ')}]`;
  if (value instanceof Map) return `<<${[...value].map(([k, v]) => `/${k} ${canonical(v, position)}`).join(' ')}>>`;
  return String(value);
}

function nameOf(value: PdfValue | undefined): string | null {
  return value instanceof PdfName ? value.name : null;
}
