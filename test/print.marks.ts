import { inflateSync } from 'node:zlib';
import { START_B, STOP, symbolOf } from '../src/print/code128';
import { PdfName, PdfRef, readObjects, type PdfDict, type PdfValue } from './support/pdf-objects';

/** The decoded content stream of every page of a PDF, in page order. */
export function pageContents(pdf: Buffer): string[] {
  const objects = readObjects(pdf);
  const get = (v: PdfValue | undefined): PdfValue | undefined => (v instanceof PdfRef ? objects.get(v.id)?.value : v);
  const catalog = [...objects.values()].find((o) => o.value instanceof Map && (o.value.get('Type') as PdfName | undefined)?.name === 'Catalog');
  const out: string[] = [];
  const walk = (node: PdfDict): void => {
    const kids = get(node.get('Kids'));
    if (Array.isArray(kids)) {
      for (const kid of kids) walk(get(kid) as PdfDict);
      return;
    }
    const contents = node.get('Contents');
    const object = contents instanceof PdfRef ? objects.get(contents.id) : undefined;
    out.push(object?.stream ? inflateSync(object.stream).toString('latin1') : '');
  };
  walk(get((catalog?.value as PdfDict).get('Pages')) as PdfDict);
  return out;
}

/**
 * Reads the Code 128 B marks of a page back from its drawing operators, the way
 * a scanner reads bars: the filled rectangles of one bar height, left to right,
 * bars and the gaps between them in modules, decoded and checked (check symbol
 * and stop). Empty when the page has no mark.
 */
export function decodeMarks(content: string, moduleWidth = 0.72, barHeight = 14): string[] {
  const rects = [...content.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }))
    .filter((r) => Math.abs(r.h - barHeight) < 0.01);
  const rows = new Map<number, typeof rects>();
  for (const r of rects) rows.set(r.y, [...(rows.get(r.y) ?? []), r]);
  return [...rows.values()].map((bars) => {
    bars.sort((a, b) => a.x - b.x);
    const widths: number[] = [];
    bars.forEach((bar, i) => {
      if (i > 0) widths.push(Math.round((bar.x - (bars[i - 1].x + bars[i - 1].w)) / moduleWidth));
      widths.push(Math.round(bar.w / moduleWidth));
    });
    // Start, data and check symbols are 6 widths each; the stop symbol ends it with 7.
    const body = widths.length - 7;
    if (body % 6 !== 0 || widths.slice(body).join('') !== '2331112') throw new Error('mark: expected whole symbols and the stop symbol at the end');
    const symbols: number[] = [];
    for (let i = 0; i < body; i += 6) symbols.push(symbolOf(widths.slice(i, i + 6)));
    if (symbols[0] !== START_B) throw new Error(`mark: expected start B, got ${symbols[0]}`);
    const data = symbols.slice(1, -1);
    const check = symbols[symbols.length - 1];
    const sum = data.reduce((s, v, i) => s + v * (i + 1), START_B) % 103;
    if (data.some((v) => v < 0 || v === STOP) || sum !== check) throw new Error(`mark: check symbol ${check} does not match ${sum}`);
    return String.fromCharCode(...data.map((v) => v + 32));
  });
}
