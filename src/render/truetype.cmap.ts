/** A font file that cannot be used: not a TrueType/OpenType font, or without a Unicode character map. */
export class FontFileError extends Error {
  constructor(file: string, problem: string) {
    super(`font ${file}: expected a TrueType or OpenType font with a Unicode character map, got ${problem}`);
    this.name = 'FontFileError';
  }
}

const SFNT_VERSIONS = new Set([0x00010000, 0x74727565 /* 'true' */, 0x4f54544f /* 'OTTO' */]);

/**
 * The Unicode code points a TrueType/OpenType font draws with a real glyph
 * (not glyph 0, `.notdef`), read from its `cmap` table: the full-Unicode
 * subtable (format 12) when there is one, else the BMP one (format 4) — the
 * same choice the layout engine makes, so what this says is drawable is drawn.
 */
export function codePointsOf(font: Buffer, file = 'data'): Set<number> {
  const u16 = (at: number): number => font.readUInt16BE(at);
  const u32 = (at: number): number => font.readUInt32BE(at);
  try {
    if (!SFNT_VERSIONS.has(u32(0))) throw new FontFileError(file, 'no sfnt header');
    let cmap = -1;
    for (let i = 0; i < u16(4); i += 1) {
      const record = 12 + 16 * i;
      if (font.toString('latin1', record, record + 4) === 'cmap') cmap = u32(record + 8);
    }
    if (cmap < 0) throw new FontFileError(file, 'no cmap table');
    let best: { table: number; format: number } | null = null;
    for (let i = 0; i < u16(cmap + 2); i += 1) {
      const platform = u16(cmap + 4 + 8 * i);
      const encoding = u16(cmap + 6 + 8 * i);
      const table = cmap + u32(cmap + 8 + 8 * i);
      const format = u16(table);
      const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
      if (!unicode || (format !== 4 && format !== 12)) continue;
      if (!best || (format === 12 && best.format === 4)) best = { table, format };
    }
    if (!best) throw new FontFileError(file, 'no Unicode subtable of format 4 or 12');
    return best.format === 12 ? format12(best.table, u32) : format4(best.table, u16);
  } catch (error) {
    if (error instanceof RangeError) throw new FontFileError(file, 'a truncated file');
    throw error;
  }
}

/** Segment mapping to delta values (BMP). */
function format4(table: number, u16: (at: number) => number): Set<number> {
  const found = new Set<number>();
  const segments = u16(table + 6) / 2;
  const ends = table + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s += 1) {
    const start = u16(starts + 2 * s);
    const end = u16(ends + 2 * s);
    const delta = u16(deltas + 2 * s);
    const rangeOffset = u16(rangeOffsets + 2 * s);
    for (let code = start; code <= end && code < 0xffff; code += 1) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
      else {
        const raw = u16(rangeOffsets + 2 * s + rangeOffset + 2 * (code - start));
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) found.add(code);
    }
  }
  return found;
}

/** Segmented coverage (all planes). */
function format12(table: number, u32: (at: number) => number): Set<number> {
  const found = new Set<number>();
  const groups = u32(table + 12);
  for (let g = 0; g < groups; g += 1) {
    const start = u32(table + 16 + 12 * g);
    const end = Math.min(u32(table + 20 + 12 * g), 0x10ffff);
    const firstGlyph = u32(table + 24 + 12 * g);
    for (let code = start; code <= end; code += 1) if (firstGlyph + (code - start) !== 0) found.add(code);
  }
  return found;
}
