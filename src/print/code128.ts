/**
 * Code 128 (ISO/IEC 15417), code set B: printable ASCII. Each symbol is three
 * bars and three spaces, 11 modules wide; the stop symbol has a fourth bar (13).
 * The check symbol is (start + Σ position × value) mod 103.
 */
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
] as const;

export const START_B = 104;
export const STOP = 106;

/** Widths in modules, bar first and alternating bar/space, of `text` as Code 128 B (without quiet zones). */
export function code128(text: string): number[] {
  if (text.length === 0) throw new RangeError('code128: expected at least one character, got an empty text');
  const values = [...text].map((char) => {
    const code = char.charCodeAt(0);
    if (code < 32 || code > 126) throw new RangeError(`code128: expected printable ASCII, got U+${code.toString(16).padStart(4, '0')}`);
    return code - 32;
  });
  const check = values.reduce((sum, value, i) => sum + value * (i + 1), START_B) % 103;
  return [START_B, ...values, check, STOP].flatMap((symbol) => [...PATTERNS[symbol]].map(Number));
}

/** Total modules of a pattern (11 per symbol, 13 for the stop). */
export function modulesOf(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0);
}

/** The symbol value of one 6-width pattern (tests and scanners' checks); -1 when there is none. */
export function symbolOf(widths: readonly number[]): number {
  return PATTERNS.indexOf(widths.join('') as (typeof PATTERNS)[number]);
}
