import { PdfName, PdfRef, PdfString, type PdfObject, type PdfValue } from './pdf-object.parser';

/** PDFKit writes a JS string as a name verbatim (`/` + text), so only plain names can be copied (the reader checks). */
export const PLAIN_NAME = /^[A-Za-z0-9+\-_.,;:*!?'`~^@$&|=]+$/;

/** Indirect objects reached from `root`, nothing else: what has to be copied to use it in another file. */
export interface PdfGraph {
  readonly root: number;
  readonly objects: ReadonlyMap<number, PdfObject>;
  /** SHA-256 over the objects and their streams, references by position: equal content, equal key. */
  readonly key: string;
}

/**
 * Writes the objects of a graph read from another PDF into a PDFKit document,
 * children first (a PDFKit object is written the moment it is ended, so what it
 * refers to must exist by then), streams as they are (still compressed, their
 * filter kept). `rename` may change the value of a name entry on the way,
 * e.g. a font subset's tag. Returns the copy of the root.
 */
export function copyGraph(
  doc: PDFKit.PDFDocument,
  graph: PdfGraph,
  rename: (key: string, name: string) => string = (_key, name) => name,
): PDFKit.PDFKitReference {
  const copies = new Map<number, PDFKit.PDFKitReference>();
  const copy = (id: number): PDFKit.PDFKitReference => {
    const done = copies.get(id);
    if (done) return done;
    const object = graph.objects.get(id);
    if (!object) throw new Error(`pdf copy: object ${id} is not part of the graph`);
    const convert = (value: PdfValue, key: string | null): unknown => {
      if (value instanceof PdfRef) return copy(value.id);
      if (value instanceof PdfName) {
        const name = key === null ? value.name : rename(key, value.name);
        if (!PLAIN_NAME.test(name)) throw new Error(`pdf copy: expected a plain name, got ${JSON.stringify(name)}`);
        return name;
      }
      if (value instanceof PdfString) return value.bytes;
      if (Array.isArray(value)) return value.map((item) => convert(item, null));
      if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, convert(v, k)]));
      return value;
    };
    if (!(object.value instanceof Map)) throw new Error(`pdf copy: expected object ${id} to be a dictionary`);
    const data = convert(object.value, null) as Record<string, unknown>;
    // A stream's length is set by PDFKit from the bytes it writes.
    if (object.stream) delete data.Length;
    const ref = doc.ref(data);
    ref.end(object.stream ?? undefined);
    copies.set(id, ref);
    return ref;
  };
  return copy(graph.root);
}
