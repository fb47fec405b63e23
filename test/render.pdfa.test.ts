import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomerRecord } from '../src/domain';
import type { DocumentModel } from '../src/render/document';
import { loadPdfaFonts, PDFA_FONT_FILES, type PdfaFonts } from '../src/render/pdfa.fonts';
import { renderPdf } from '../src/render/pdf.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { codePointsOf, FontFileError } from '../src/render/truetype.cmap';
import { toFontText, toWinAnsi } from '../src/render/win-ansi';
import { claire, context, invoiceData, invoiceLines, oliver, sender, TEMPLATES_DIR } from './render.fixtures';

/** Each check reads the file back with poppler, as an archive's intake check would. */
describe('PDF/A-2b letters (DOCUMENT_PDFA)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-pdfa-'));
  let fonts: PdfaFonts;
  let catalog: TemplateCatalog;
  let n = 0;
  const file = (pdf: Buffer): string => {
    const path = join(dir, `letter-${(n += 1)}.pdf`);
    writeFileSync(path, pdf);
    return path;
  };
  const run = (tool: string, pdf: Buffer, ...args: string[]): string => execFileSync(tool, [...args, file(pdf), ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
  // Not WinAnsi: Ł, ł, ę, ő; an ampersand and angle brackets for the XMP.
  const lukasz: CustomerRecord = { ...claire, id: 'C0000042', firstName: 'Łukasz', lastName: 'Wałęsa-Őrsi' };
  const invoice = (catalog: TemplateCatalog, customer = lukasz, lines = 3): DocumentModel =>
    catalog.compose('invoice-available', context({ customer, data: { ...invoiceData, lines: invoiceLines(lines) }, sender: { ...sender, name: 'Martin & Fils <Assurances>' } }));

  beforeAll(() => {
    fonts = loadPdfaFonts();
    catalog = TemplateCatalog.load(TEMPLATES_DIR);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('declares PDF/A-2b in XMP metadata that agrees with the document information', async () => {
    const { pdf } = await renderPdf(invoice(catalog), { pdfa: fonts });
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.7');
    const xmp = run('pdfinfo', pdf, '-meta');
    expect(xmp).toMatch(/<pdfaid:part>2<\/pdfaid:part>/);
    expect(xmp).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    // Escaped in the XML, as written in the information dictionary.
    expect(xmp).toContain('<rdf:li>Martin &#38; Fils &#60;Assurances&#62;</rdf:li>');
    expect(xmp).not.toMatch(/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)|<Assurances>/);
    expect(xmp).toContain('<xmp:CreateDate>2026-11-22T09:30:00Z</xmp:CreateDate>');
    const info = run('pdfinfo', pdf);
    expect(info).toMatch(/^Author:\s+Martin & Fils <Assurances>$/m);
    expect(info).toMatch(/^Title:\s+Facture INV-2026-000123$/m);
    expect(info).toMatch(/^CreationDate:/m);
    expect(info).not.toMatch(/^ModDate:/m);
    expect(info).toMatch(/^PDF version:\s+1\.7$/m);
  });

  it('embeds every font it uses and keeps the text extractable, letters outside WinAnsi included', async () => {
    const { pdf, pages } = await renderPdf(invoice(catalog, lukasz, 90), { pdfa: fonts });
    expect(pages).toBeGreaterThan(1);
    const rows = run('pdffonts', pdf).trim().split('\n').slice(2);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row).toMatch(/^[A-Z]{6}\+LiberationSans(-Bold)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s/);
    }
    const text = run('pdftotext', pdf, '-layout', '-enc', 'UTF-8');
    for (const part of ['Łukasz Wałęsa-Őrsi', 'Bonjour Łukasz Wałęsa-Őrsi,', 'HB-2021-004711', 'INV-2026-000123', 'Home Basic', 'Martin & Fils <Assurances>', `Page ${pages} sur ${pages}`]) expect(text).toContain(part);
    expect(text).toMatch(/1\s234,50\s€/u);
    // The standard fonts can only approximate the same name.
    expect(run('pdftotext', (await renderPdf(invoice(catalog))).pdf, '-enc', 'UTF-8')).toContain('Lukasz Walesa-Orsi');
  });

  it('wraps every line where the standard-font letter does (Helvetica-compatible widths)', async () => {
    // Page decorations repeat per page; a long table may move a row to the next page (the line height differs by under 1 %).
    const decoration = /^(Page \d+ of \d+|Martin & Fils <Assurances> · Invoice .*|Description Quantity Unit price Amount)$/;
    const lines = (pdf: Buffer): string[] =>
      run('pdftotext', pdf, '-layout', '-enc', 'UTF-8').split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l !== '' && !decoration.test(l));
    for (const rows of [3, 40, 120]) {
      const [a, b] = await Promise.all([renderPdf(invoice(catalog, oliver, rows), { pdfa: fonts }), renderPdf(invoice(catalog, oliver, rows))]);
      expect(Math.abs(a.pages - b.pages)).toBeLessThanOrEqual(1);
      expect(lines(a.pdf)).toEqual(lines(b.pdf));
    }
  });

  it('gives the same bytes for the same model, and stays PDF 1.3 with standard fonts without DOCUMENT_PDFA', async () => {
    const model = invoice(catalog);
    const [a, b] = await Promise.all([renderPdf(model, { pdfa: fonts }), renderPdf(model, { pdfa: fonts })]);
    expect(a.pdf.equals(b.pdf)).toBe(true);
    const plain = await renderPdf(model);
    expect(plain.pdf.subarray(0, 8).toString()).toBe('%PDF-1.3');
    expect(run('pdffonts', plain.pdf)).toMatch(/Helvetica\s+Type 1\s+WinAnsi\s+no\s+no\s+no/);
  });

  it('keeps what the font draws, replaces what it lacks, never leaves a missing glyph', () => {
    const covers = fonts.covers;
    expect(toFontText('Łódź, Dvořák, Ελλάδα, Москва', covers)).toBe('Łódź, Dvořák, Ελλάδα, Москва');
    expect(toWinAnsi('Łódź, Dvořák')).toBe('Lódz, Dvorák');
    // Narrow no-break space (French amounts) is not in Liberation Sans: a no-break space instead.
    expect(covers(0x202f)).toBe(false);
    expect(toFontText('1\u202f234,50\u00a0€', covers)).toBe('1\u00a0234,50\u00a0€');
    // Decomposed input is composed first; what has no glyph and no fallback becomes "?"; controls go.
    expect(toFontText('Zoe\u0308 \u2603 \u6f22\u0007!', covers)).toBe('Zoë ? ?!');
    for (const ch of toFontText('Zoe\u0308 \u2603 \u6f22 \u2009\u2011\u2212', covers)) expect(covers(ch.codePointAt(0) as number)).toBe(true);
  });

  it('reads the fonts once at start and names the Debian package when one is missing', () => {
    expect(() => loadPdfaFonts({ regular: join(dir, 'missing.ttf'), bold: PDFA_FONT_FILES.bold })).toThrow(
      new Error(`DOCUMENT_PDFA: expected the font ${join(dir, 'missing.ttf')} (Debian package fonts-liberation), got no such file`),
    );
    const notAFont = join(dir, 'not-a-font.ttf');
    writeFileSync(notAFont, 'hello, this is not a font at all');
    expect(() => loadPdfaFonts({ regular: notAFont, bold: PDFA_FONT_FILES.bold })).toThrow(FontFileError);
    const points = codePointsOf(fonts.regular);
    expect(points.has(0x41)).toBe(true);
    expect(points.has(0x0151)).toBe(true);
    expect(points.has(0xffff)).toBe(false);
  });
});
