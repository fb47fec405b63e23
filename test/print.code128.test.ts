import { code128, modulesOf, symbolOf } from '../src/print/code128';
import { markText } from '../src/print/print-mark';
import { decodeMarks } from './print.marks';

/** Draws a pattern as a content stream would (`x y w h re`), for the decoder. */
function drawn(widths: readonly number[], module = 0.72): string {
  let x = 70;
  const ops: string[] = [];
  widths.forEach((w, i) => {
    if (i % 2 === 0) ops.push(`${x.toFixed(4)} 783.78 ${(w * module).toFixed(4)} 14 re`);
    x += w * module;
  });
  return `${ops.join('\n')}\nf`;
}

describe('Code 128 marks', () => {
  it('encodes code set B with its check symbol and reads back what it encoded', () => {
    const text = markText({ deliveryId: '8e23670c-6409-42a3-9379-e50dee88d8b1', page: 2, pages: 3, sequence: 7 });
    expect(text).toBe('8e23670c-6409-42a3-9379-e50dee88d8b1:2/3');
    const widths = code128(text);
    // Start, 40 characters, check: 11 modules each; the stop: 13.
    expect(modulesOf(widths)).toBe((1 + text.length + 1) * 11 + 13);
    expect(decodeMarks(drawn(widths))).toEqual([text]);
  });

  it('has the published patterns: start B is 211214, "A" (value 33) is 111323, the stop is 2331112', () => {
    const widths = code128('A');
    expect(widths.slice(0, 6).join('')).toBe('211214');
    expect(widths.slice(6, 12).join('')).toBe('111323');
    // Check symbol: (104 + 33 × 1) mod 103 = 34 → 131123.
    expect(widths.slice(12, 18).join('')).toBe('131123');
    expect(widths.slice(18).join('')).toBe('2331112');
    expect(symbolOf([1, 3, 1, 1, 2, 3])).toBe(34);
  });

  it('has every symbol 11 modules wide with an even number of bar modules, all distinct', () => {
    const seen = new Set<string>();
    for (let value = 0; value < 106; value += 1) {
      const char = value < 95 ? String.fromCharCode(value + 32) : null;
      if (!char) continue;
      const symbol = code128(char).slice(6, 12);
      expect(symbol.reduce((a, b) => a + b, 0)).toBe(11);
      expect((symbol[0] + symbol[2] + symbol[4]) % 2).toBe(0);
      seen.add(symbol.join(''));
    }
    expect(seen.size).toBe(95);
  });

  it('refuses what code set B cannot carry', () => {
    expect(() => code128('')).toThrow('expected at least one character');
    expect(() => code128('é')).toThrow('expected printable ASCII, got U+00e9');
  });

  it('detects a corrupted mark', () => {
    const widths = code128('ABC');
    widths[7] += 1;
    widths[8] -= 1;
    expect(() => decodeMarks(drawn(widths))).toThrow(/check symbol|start/);
  });
});
