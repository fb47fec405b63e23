import { readFileSync } from 'node:fs';
import { codePointsOf } from './truetype.cmap';

/**
 * The fonts a PDF/A letter embeds (PDF/A forbids the standard fonts, which
 * are referenced, not embedded): the regular and bold faces, read once at
 * start, and the characters both can draw.
 */
export interface PdfaFonts {
  readonly regular: Buffer;
  readonly bold: Buffer;
  /** Whether both faces draw this code point with a real glyph (PDF/A forbids `.notdef`). */
  covers(codePoint: number): boolean;
}

/**
 * Liberation Sans: metrically compatible with Helvetica, so a PDF/A letter
 * breaks its lines and pages where the standard-font letter does.
 */
export const PDFA_FONT_FILES = Object.freeze({
  regular: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  bold: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
});
/** The Debian package that installs them (`scripts/setup.sh` installs it when missing). */
export const PDFA_FONT_PACKAGE = 'fonts-liberation';

/** Reads and checks the fonts; a missing file stops the start with one line naming the package. */
export function loadPdfaFonts(files: { readonly regular: string; readonly bold: string } = PDFA_FONT_FILES): PdfaFonts {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`DOCUMENT_PDFA: expected the font ${path} (Debian package ${PDFA_FONT_PACKAGE}), got ${code === 'ENOENT' ? 'no such file' : code}`);
    }
  };
  const regular = read(files.regular);
  const bold = read(files.bold);
  const inRegular = codePointsOf(regular, files.regular);
  const inBold = codePointsOf(bold, files.bold);
  return Object.freeze({ regular, bold, covers: (codePoint: number) => inRegular.has(codePoint) && inBold.has(codePoint) });
}
