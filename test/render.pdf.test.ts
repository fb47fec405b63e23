import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentModel } from '../src/render/document';
import { renderPdf } from '../src/render/pdf.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, invoiceData, invoiceLines, jonas, oliver, TEMPLATES_DIR } from './render.fixtures';

const MM = 72 / 25.4;

/** Reads PDFs back with poppler's command-line tools, as a print service or an archive check would. */
class Poppler {
  private readonly dir = mkdtempSync(join(tmpdir(), 'ccm-pdf-'));
  private n = 0;

  file(pdf: Buffer): string {
    const path = join(this.dir, `letter-${(this.n += 1)}.pdf`);
    writeFileSync(path, pdf);
    return path;
  }

  text(pdf: Buffer, page?: number): string {
    const range = page ? ['-f', String(page), '-l', String(page)] : [];
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', ...range, this.file(pdf), '-'], { encoding: 'utf8' });
  }

  info(pdf: Buffer): Record<string, string> {
    const out = execFileSync('pdfinfo', [this.file(pdf)], { encoding: 'utf8' });
    return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  }

  /** Every word of page 1 with its box, in points from the top left corner. */
  words(pdf: Buffer): { text: string; x: number; y: number; bottom: number }[] {
    const html = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', this.file(pdf), '-'], { encoding: 'utf8' });
    return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      bottom: Number(m[3]),
      text: m[4] ?? '',
    }));
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('renderPdf', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);
  const poppler = new Poppler();
  afterAll(() => poppler.close());

  const invoice = (customer = claire, data: Record<string, unknown> = {}): DocumentModel =>
    catalog.compose('invoice-available', context({ customer, data: { ...invoiceData, ...data } }));

  it('renders a one-page A4 letter with the name, address, contract and amounts', async () => {
    const { pdf, pages } = await renderPdf(invoice(claire, { lines: invoiceLines(3) }));
    expect(pages).toBe(1);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const info = poppler.info(pdf);
    expect(info).toMatchObject({ Pages: '1', Title: 'Facture INV-2026-000123', Author: 'Helvetia Assurances' });
    expect(info['Page size']).toMatch(/^595\.2\d? x 841\.8\d? pts \(A4\)/);
    const text = poppler.text(pdf);
    for (const part of ['Claire Martin', '12 rue des Lilas', '69003 Lyon', 'FRANCE', 'HB-2021-004711', 'Home Basic', 'Bonjour Claire Martin,', 'Référence', 'CCM-7F3A9C', '22 novembre 2026', '15 décembre 2026', 'Désignation', 'Montant à payer', 'Page 1 sur 1']) {
      expect(text).toContain(part);
    }
    expect(text).toMatch(/1\s234,50\s€/u);
    expect(text).toContain('Consommation période 3 — relevé n° 1002');
  });

  it('places sender line and address in the window of a DIN C5/C6 envelope, date and reference to the right', async () => {
    const words = poppler.words((await renderPdf(invoice())).pdf);
    const field = { left: 20 * MM, top: 50.8 * MM, right: 105 * MM, bottom: 95.8 * MM };
    const inField = (w: { x: number; y: number; bottom: number }) => w.x >= field.left - 0.5 && w.x < field.right && w.y >= field.top && w.bottom <= field.bottom;
    for (const name of ['Claire', 'Martin', 'Lilas', '69003', 'Lyon', 'FRANCE']) {
      const word = words.find((w) => w.text === name && inField(w));
      expect(word).toBeDefined();
    }
    expect(words.find((w) => w.text === 'Claire' && inField(w))?.x).toBeCloseTo(field.left, 0);
    // The return line sits in the 5 mm just above the address, inside the window's width.
    const returnLine = words.filter((w) => w.y >= field.top - 5 * MM && w.bottom <= field.top);
    expect(returnLine.map((w) => w.text).join(' ')).toBe('Helvetia Assurances · 5 place de la Bourse · 69002 Lyon');
    expect(Math.min(...returnLine.map((w) => w.x))).toBeCloseTo(field.left, 0);
    const reference = words.find((w) => w.text === 'CCM-7F3A9C');
    expect(reference?.x).toBeCloseTo(125 * MM, 0);
    expect(reference?.y).toBeGreaterThan(field.top);
    expect(reference?.bottom).toBeLessThan(field.bottom);
    // The body starts below the address field.
    expect(words.find((w) => w.text === 'Bonjour')?.y).toBeGreaterThan(field.bottom);
  });

  it('flows a long table over several pages, repeating its header and numbering every page', async () => {
    const { pdf, pages } = await renderPdf(invoice(oliver, { lines: invoiceLines(120) }));
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(poppler.info(pdf).Pages).toBe(String(pages));
    for (let page = 1; page <= pages; page += 1) {
      const text = poppler.text(pdf, page);
      expect(text).toContain(`Page ${page} of ${pages}`);
      if (page <= pages - 1) expect(text).toMatch(/Description +Quantity +Unit price +Amount/);
      if (page > 1) expect(text).toContain('Helvetia Assurances · Invoice INV-2026-000123 · CCM-7F3A9C');
    }
    const all = poppler.text(pdf);
    expect(all.match(/Consommation période \d+ — relevé/g)).toHaveLength(120);
    expect(all).toContain('Consommation période 120 — relevé n° 1119');
    expect(all).toContain('Dear Oliver Bennett,');
    // British order: post town, then postcode, each on its own line, then the country.
    const lines = all.split('\n').map((l) => l.trim());
    expect(lines.indexOf('LONDON')).toBeGreaterThan(lines.indexOf('10 Downing Street'));
    expect(lines.indexOf('SW1A 2AA')).toBeGreaterThan(lines.indexOf('LONDON'));
    expect(lines.indexOf('UNITED KINGDOM')).toBeGreaterThan(lines.indexOf('SW1A 2AA'));
    // Closing and signature stay together at the end.
    expect(poppler.text(pdf, pages)).toMatch(/Yours sincerely,[\s\S]*Customer Service\s+Helvetia Assurances/);
  });

  it('writes German letters with German page numbers', async () => {
    const text = poppler.text((await renderPdf(invoice(jonas))).pdf);
    for (const part of ['Guten Tag Jonas Müller,', 'Hauptstraße 5', '80331 München', 'GERMANY', 'Datum', '22. November 2026', 'Seite 1 von 1', 'Mit freundlichen Grüßen']) {
      expect(text).toContain(part);
    }
  });

  it('gives identical bytes for identical input, and different bytes for a different date', async () => {
    const model = invoice(claire, { lines: invoiceLines(40) });
    const [a, b] = await Promise.all([renderPdf(model), renderPdf(model)]);
    expect(sha256(a.pdf)).toBe(sha256(b.pdf));
    const later = await renderPdf({ ...model, date: new Date('2026-11-23T09:30:00Z') });
    expect(sha256(later.pdf)).not.toBe(sha256(a.pdf));
    expect(poppler.info(a.pdf).CreationDate).toMatch(/Nov 22 09:30:00 2026/);
  });

  it('replaces what the built-in fonts cannot encode instead of failing', async () => {
    const customer = { ...claire, firstName: 'Łukasz', lastName: 'Żółć' };
    const { pdf } = await renderPdf(invoice(customer, { lines: [{ description: 'Énergie ☀ 😀 日本 – “œuvre”', amount: { amount: '1.00', currency: 'EUR' } }] }));
    const text = poppler.text(pdf);
    expect(text).toContain('Lukasz Zólc');
    expect(text).toContain('Énergie ? ? ?? – “œuvre”');
  });

  it('renders a page in well under the time budget', async () => {
    const model = invoice(claire, { lines: invoiceLines(150) });
    await renderPdf(model);
    const started = performance.now();
    let pages = 0;
    for (let i = 0; i < 5; i += 1) pages += (await renderPdf(model)).pages;
    // About 10 ms a page on a quiet machine; the bound leaves room for a busy one.
    expect((performance.now() - started) / pages).toBeLessThan(80);
  });
});
