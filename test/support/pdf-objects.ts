/**
 * Just enough of the PDF object syntax (ISO 32000-1, 7.3) to read back the
 * PDFs this gateway writes: numbers, names, strings, arrays, dictionaries,
 * references, and indirect objects with their streams, read in file order.
 * A test oracle independent of pdf-lib, which writes the print batches.
 */
export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(readonly id: number, readonly gen: number) {}
}
export class PdfString {
  constructor(readonly bytes: Buffer) {}
}
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;
export type PdfDict = Map<string, PdfValue>;

export interface PdfObject {
  readonly value: PdfValue;
  /** Raw (still encoded) stream bytes, when the object is a stream. */
  readonly stream: Buffer | null;
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));

export class PdfSyntaxError extends Error {
  constructor(message: string, offset: number) {
    super(`pdf: ${message} at byte ${offset}`);
    this.name = 'PdfSyntaxError';
  }
}

/** Every indirect object of a classic (xref-table) PDF, by object number. */
export function readObjects(bytes: Buffer): Map<number, PdfObject> {
  const reader = new Reader(bytes);
  const objects = new Map<number, PdfObject>();
  reader.skipSpace();
  for (;;) {
    reader.skipSpace();
    if (reader.done() || reader.peekWord() === 'xref' || reader.peekWord() === 'trailer' || reader.peekWord() === 'startxref') break;
    const id = reader.number();
    reader.number();
    reader.expectWord('obj');
    const value = reader.value();
    reader.skipSpace();
    let stream: Buffer | null = null;
    if (reader.peekWord() === 'stream') {
      const length = value instanceof Map ? value.get('Length') : undefined;
      if (typeof length !== 'number') throw new PdfSyntaxError('expected a direct /Length before a stream', reader.pos);
      stream = reader.streamBytes(length);
      reader.skipSpace();
      reader.expectWord('endstream');
    }
    reader.skipSpace();
    reader.expectWord('endobj');
    objects.set(id, { value, stream });
  }
  return objects;
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Buffer) {}

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  skipSpace(): void {
    while (!this.done()) {
      const c = this.bytes[this.pos];
      if (WHITESPACE.has(c)) this.pos += 1;
      else if (c === 0x25) while (!this.done() && this.bytes[this.pos] !== 0x0a && this.bytes[this.pos] !== 0x0d) this.pos += 1; // % comment
      else break;
    }
  }

  peekWord(): string {
    let end = this.pos;
    while (end < this.bytes.length && !WHITESPACE.has(this.bytes[end]) && !DELIMITERS.has(this.bytes[end])) end += 1;
    return this.bytes.toString('latin1', this.pos, end);
  }

  expectWord(word: string): void {
    this.skipSpace();
    const got = this.peekWord();
    if (got !== word) throw new PdfSyntaxError(`expected "${word}", got "${got.slice(0, 20)}"`, this.pos);
    this.pos += word.length;
  }

  number(): number {
    this.skipSpace();
    const word = this.peekWord();
    const value = Number(word);
    if (word === '' || !Number.isFinite(value)) throw new PdfSyntaxError(`expected a number, got "${word.slice(0, 20)}"`, this.pos);
    this.pos += word.length;
    return value;
  }

  streamBytes(length: number): Buffer {
    this.pos += 'stream'.length;
    if (this.bytes[this.pos] === 0x0d) this.pos += 1;
    if (this.bytes[this.pos] === 0x0a) this.pos += 1;
    const data = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return data;
  }

  value(): PdfValue {
    this.skipSpace();
    const c = this.bytes[this.pos];
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literalString();
    if (c === 0x5b) {
      this.pos += 1;
      const items: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.bytes[this.pos] === 0x5d) {
          this.pos += 1;
          return items;
        }
        items.push(this.value());
      }
    }
    if (c === 0x3c && this.bytes[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipSpace();
        if (this.bytes[this.pos] === 0x3e && this.bytes[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return dict;
        }
        const key = this.value();
        if (!(key instanceof PdfName)) throw new PdfSyntaxError('expected a name as dictionary key', this.pos);
        dict.set(key.name, this.value());
      }
    }
    if (c === 0x3c) return this.hexString();
    const word = this.peekWord();
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return word === 'null' ? null : word === 'true';
    }
    const first = this.number();
    // `n g R` is a reference: look ahead without consuming when it is not.
    const mark = this.pos;
    this.skipSpace();
    const second = this.peekWord();
    if (/^\d+$/.test(second)) {
      this.pos += second.length;
      this.skipSpace();
      if (this.peekWord() === 'R') {
        this.pos += 1;
        return new PdfRef(first, Number(second));
      }
    }
    this.pos = mark;
    return first;
  }

  private name(): PdfName {
    this.pos += 1;
    const word = this.peekWord();
    this.pos += word.length;
    return new PdfName(word.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
  }

  private literalString(): PdfString {
    this.pos += 1;
    const out: number[] = [];
    let depth = 1;
    while (!this.done()) {
      const c = this.bytes[this.pos++];
      if (c === 0x5c) {
        const n = this.bytes[this.pos++];
        const simple: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c };
        if (simple[n] !== undefined) out.push(simple[n]);
        else if (n >= 0x30 && n <= 0x37) {
          let octal = n - 0x30;
          for (let i = 0; i < 2 && this.bytes[this.pos] >= 0x30 && this.bytes[this.pos] <= 0x37; i++) octal = octal * 8 + (this.bytes[this.pos++] - 0x30);
          out.push(octal & 0xff);
        } else if (n !== 0x0a && n !== 0x0d) out.push(n);
      } else if (c === 0x28) {
        depth += 1;
        out.push(c);
      } else if (c === 0x29) {
        depth -= 1;
        if (depth === 0) return new PdfString(Buffer.from(out));
        out.push(c);
      } else out.push(c);
    }
    throw new PdfSyntaxError('unterminated string', this.pos);
  }

  private hexString(): PdfString {
    const end = this.bytes.indexOf(0x3e, this.pos);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string', this.pos);
    const hex = this.bytes.toString('latin1', this.pos + 1, end).replace(/\s+/g, '');
    this.pos = end + 1;
    return new PdfString(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
  }
}
