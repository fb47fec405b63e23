/**
 * The built-in PDF fonts (Helvetica) encode text as WinAnsi (Windows-1252):
 * Latin-1 plus a few typographic characters. PDFKit writes anything else as
 * garbage, so text is brought into that set first: typographic spaces and
 * dashes get their plain equivalents, accented letters outside the set lose
 * the accent (ő → o), and what is left becomes "?".
 */
const EXTRA = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c,
  0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

/** Intl puts U+202F between thousands in French and U+2009 in some locales. */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\u2000': ' ', '\u2001': ' ', '\u2002': ' ', '\u2003': ' ', '\u2004': ' ', '\u2005': ' ', '\u2006': ' ', '\u2007': ' ',
  '\u2008': ' ', '\u2009': ' ', '\u200a': ' ', '\u202f': '\u00a0', '\u205f': ' ', '\u3000': ' ',
  '\u200b': '', '\u200c': '', '\u200d': '', '\u2060': '', '\ufeff': '',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2015': '\u2014', '\u2212': '-',
  '\u2032': "'", '\u2033': '"', '\u2043': '-', '\u2044': '/',
  '\u2190': '<-', '\u2192': '->', '\u2264': '<=', '\u2265': '>=', '\u2260': '!=',
  // Letters with a stroke have no decomposition to fall back on.
  '\u0141': 'L', '\u0142': 'l', '\u0110': 'D', '\u0111': 'd', '\u0126': 'H', '\u0127': 'h', '\u0131': 'i', '\u0166': 'T', '\u0167': 't',
};

function encodable(cp: number): boolean {
  return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff) || EXTRA.has(cp);
}

export function toWinAnsi(text: string): string {
  return toDrawable(text, encodable);
}

/**
 * The same for an embedded font (PDF/A letters): what the font draws stays as
 * written — ő, ł, Cyrillic or Greek when the font has them — and what it
 * lacks gets the same replacements as above, since a PDF/A file may not show
 * a missing glyph. Composed first (NFC), so "e" + combining acute is "é".
 */
export function toFontText(text: string, covers: (codePoint: number) => boolean): string {
  return toDrawable(text.normalize('NFC'), (cp) => cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0) && covers(cp));
}

function toDrawable(text: string, drawable: (codePoint: number) => boolean): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0) as number;
    if (drawable(cp) || ch === '\n') {
      out += ch;
      continue;
    }
    const replacement = REPLACEMENTS[ch];
    if (replacement !== undefined && [...replacement].every((c) => drawable(c.codePointAt(0) as number))) {
      out += replacement;
      continue;
    }
    if (ch === '\t') out += ' ';
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += base !== '' && [...base].every((c) => drawable(c.codePointAt(0) as number)) ? base : '?';
  }
  return out;
}
