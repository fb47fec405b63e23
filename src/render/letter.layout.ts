import type { Block, DocumentModel } from './document';
import { type LetterLabels, letterLabels } from './letter.labels';
import { LetterTable, type TableFonts } from './letter-table.layout';
import { LocaleFormat } from './locale.format';
import { toWinAnsi } from './win-ansi';

const MM = 72 / 25.4;

/**
 * DIN 5008 form B on A4, for C5/C6 window envelopes: the letterhead takes the
 * top 45 mm; the address field is 85 × 45 mm at 20 mm from the left and
 * 50.8 mm from the top, with the sender's return line just above it; date and
 * reference sit to the right; fold marks at 105 and 210 mm, hole mark at 148.5 mm.
 */
export const GEOMETRY = {
  marginLeft: 25 * MM,
  marginRight: 20 * MM,
  /** Where text starts on every page after the first (the first starts below the address field). */
  marginTop: 25 * MM,
  marginBottom: 22 * MM,
  addressField: { x: 20 * MM, y: 50.8 * MM, width: 85 * MM, height: 45 * MM },
  returnLine: { height: 5 * MM },
  infoBlock: { x: 125 * MM, y: 50.8 * MM, width: 65 * MM },
  bodyTop: 103 * MM,
  footerY: 284 * MM,
  headerY: 12 * MM,
  foldMarks: [105 * MM, 210 * MM],
  holeMark: 148.5 * MM,
} as const;

/** The faces a letter is set in, by PDFKit font name, and how text is brought into what they draw. */
export interface LetterFonts extends TableFonts {
  text(value: string): string;
}

/** The built-in Helvetica (referenced, not embedded), which draws WinAnsi only. */
export const STANDARD_LETTER_FONTS: LetterFonts = Object.freeze({ regular: 'Helvetica', bold: 'Helvetica-Bold', text: toWinAnsi });

const TEXT = '#1a1a1a';
const MUTED = '#5f6670';

export interface LetterLayoutOptions {
  /** Zone the letter date is shown in (default "Europe/Paris"). */
  readonly timeZone?: string;
  /** ISO country the letters are posted in: its addresses get no country line (default none: always a country line). */
  readonly homeCountry?: string;
}

/** Draws a document model onto a PDFKit document (pages buffered) as a business letter. */
export class LetterLayout {
  private readonly labels: LetterLabels;
  private readonly format: LocaleFormat;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly model: DocumentModel,
    private readonly options: LetterLayoutOptions = {},
    private readonly fonts: LetterFonts = STANDARD_LETTER_FONTS,
  ) {
    this.labels = letterLabels(model.language);
    this.format = new LocaleFormat(model.language, model.recipient.address?.country ?? null, options.timeZone);
  }

  get left(): number {
    return GEOMETRY.marginLeft;
  }

  get width(): number {
    return this.doc.page.width - GEOMETRY.marginLeft - GEOMETRY.marginRight;
  }

  /** Starts a new page when `height` does not fit above the bottom margin. */
  ensureSpace(height: number): void {
    if (this.doc.y + height >= this.doc.page.maxY()) this.doc.addPage();
  }

  draw(): void {
    const { doc, model } = this;
    this.letterhead();
    this.addressField();
    this.infoBlock();
    doc.y = GEOMETRY.bodyTop;
    this.text(model.title, { font: this.fonts.bold, size: 12, after: 12 });
    this.text(model.salutation, { after: 8 });
    for (const block of model.blocks) this.block(block);
    const closing = this.height(model.closing, this.fonts.regular, 10) + 34 + this.height(model.signature, this.fonts.regular, 10);
    this.ensureSpace(closing);
    doc.y += 4;
    this.text(model.closing, { after: 28 });
    this.text(model.signature, { after: 0 });
    this.decoratePages();
  }

  private block(block: Block): void {
    switch (block.kind) {
      case 'heading': {
        const size = block.level === 1 ? 12 : 10.5;
        this.ensureSpace(this.height(block.text, this.fonts.bold, size) + 40);
        this.doc.y += 4;
        this.text(block.text, { font: this.fonts.bold, size, after: 5 });
        return;
      }
      case 'paragraph':
        this.ensureSpace(26);
        this.text(block.text, { after: 8 });
        return;
      case 'keyValue':
        this.keyValue(block.items);
        return;
      case 'table':
        new LetterTable(this.doc, this, block.columns, this.fonts).draw(block.columns.map((c) => this.fonts.text(c.header)), block.rows.map((row) => row.map((cell) => this.fonts.text(cell))));
        this.doc.y += 10;
        return;
      case 'totals':
        this.totals(block.items);
        return;
    }
  }

  private keyValue(items: readonly { readonly label: string; readonly value: string }[]): void {
    const { doc } = this;
    const labelWidth = 48 * MM;
    const valueWidth = this.width - labelWidth;
    for (const item of items) {
      const label = this.fonts.text(item.label);
      const value = this.fonts.text(item.value);
      const h = Math.max(this.height(label, this.fonts.regular, 9.5, labelWidth - 6), this.height(value, this.fonts.bold, 9.5, valueWidth));
      this.ensureSpace(h);
      const y = doc.y;
      doc.font(this.fonts.regular).fontSize(9.5).fillColor(MUTED).text(label, this.left, y, { width: labelWidth - 6, lineGap: 1.5 });
      doc.font(this.fonts.bold).fillColor(TEXT).text(value, this.left + labelWidth, y, { width: valueWidth, lineGap: 1.5 });
      doc.y = y + h + 2.5;
    }
    doc.y += 6;
  }

  private totals(items: readonly { readonly label: string; readonly value: string; readonly emphasis?: boolean }[]): void {
    const { doc } = this;
    const valueWidth = 38 * MM;
    const labelWidth = 70 * MM;
    const x = this.left + this.width - valueWidth - labelWidth;
    this.ensureSpace(items.length * 16 + 6);
    doc.y += 2;
    for (const item of items) {
      const font = item.emphasis ? this.fonts.bold : this.fonts.regular;
      const y = doc.y;
      if (item.emphasis) {
        doc.save().moveTo(x, y - 2).lineTo(x + labelWidth + valueWidth, y - 2).lineWidth(0.8).strokeColor(TEXT).stroke().restore();
        doc.y = y + 2;
      }
      const top = doc.y;
      doc.font(font).fontSize(item.emphasis ? 10.5 : 9.5).fillColor(TEXT);
      doc.text(this.fonts.text(item.label), x, top, { width: labelWidth - 8, align: 'right' });
      const afterLabel = doc.y;
      doc.text(this.fonts.text(item.value), x + labelWidth, top, { width: valueWidth, align: 'right' });
      doc.y = Math.max(afterLabel, doc.y) + 3;
    }
    doc.y += 8;
  }

  private letterhead(): void {
    const { doc, model } = this;
    doc.font(this.fonts.bold).fontSize(16).fillColor(TEXT).text(this.fonts.text(model.sender.name), this.left, 15 * MM, { width: this.width, lineBreak: false });
    doc.font(this.fonts.regular).fontSize(8).fillColor(MUTED).text(this.fonts.text(model.sender.addressLines.join('  ·  ')), this.left, 23 * MM, { width: this.width, lineBreak: false });
    doc.save().moveTo(this.left, 30 * MM).lineTo(this.left + this.width, 30 * MM).lineWidth(0.6).strokeColor('#9aa3ad').stroke();
    for (const y of GEOMETRY.foldMarks) doc.moveTo(3 * MM, y).lineTo(8 * MM, y).stroke();
    doc.moveTo(3 * MM, GEOMETRY.holeMark).lineTo(10 * MM, GEOMETRY.holeMark).stroke().restore();
  }

  private addressField(): void {
    const { doc, model } = this;
    const field = GEOMETRY.addressField;
    const returnLine = this.fit(this.fonts.text(model.sender.returnLine), this.fonts.regular, 7, field.width);
    doc.font(this.fonts.regular).fontSize(7).fillColor(MUTED).text(returnLine, field.x, field.y - GEOMETRY.returnLine.height + 1.5 * MM, { lineBreak: false, underline: true });
    const lines = recipientLines(model, this.options.homeCountry ?? null).map((line) => this.fit(this.fonts.text(line), this.fonts.regular, 10, field.width));
    doc.font(this.fonts.regular).fontSize(10).fillColor(TEXT);
    let y = field.y + 1 * MM;
    for (const line of lines.slice(0, 9)) {
      doc.text(line, field.x, y, { lineBreak: false });
      y += 12;
    }
  }

  private infoBlock(): void {
    const { doc, model, labels } = this;
    const { x, y, width } = GEOMETRY.infoBlock;
    const rows: [string, string][] = [[labels.date, this.format.date(model.date)], [labels.reference, model.reference]];
    rows.forEach(([label, value], i) => {
      doc.font(this.fonts.regular).fontSize(8).fillColor(MUTED).text(this.fonts.text(label), x, y + i * 24, { lineBreak: false });
      doc.font(this.fonts.regular).fontSize(9.5).fillColor(TEXT).text(this.fit(this.fonts.text(value), this.fonts.regular, 9.5, width), x, y + i * 24 + 9, { lineBreak: false });
    });
  }

  /** Page numbers everywhere, a short running header from page 2, drawn once the page count is known. */
  private decoratePages(): void {
    const { doc, model } = this;
    const { start, count } = doc.bufferedPageRange();
    const header = this.fonts.text(`${model.sender.name}  ·  ${model.title}  ·  ${model.reference}`);
    for (let i = 0; i < count; i += 1) {
      doc.switchToPage(start + i);
      // Writing below the bottom margin would otherwise start another page.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(this.fonts.regular).fontSize(8).fillColor(MUTED);
      doc.text(this.fonts.text(this.labels.page(i + 1, count)), this.left, GEOMETRY.footerY, { width: this.width, align: 'right', lineBreak: false });
      if (i > 0) doc.text(this.fit(header, this.fonts.regular, 8, this.width), this.left, GEOMETRY.headerY, { lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
  }

  private text(value: string, o: { font?: string; size?: number; after: number }): void {
    this.doc.font(o.font ?? this.fonts.regular).fontSize(o.size ?? 10).fillColor(TEXT).text(this.fonts.text(value), this.left, this.doc.y, { width: this.width, lineGap: 1.5 });
    this.doc.y += o.after;
  }

  private height(value: string, font: string, size: number, width = this.width): number {
    return this.doc.font(font).fontSize(size).heightOfString(this.fonts.text(value), { width, lineGap: 1.5 });
  }

  /** One line that fits `width`, shortened with an ellipsis when it would not. */
  private fit(value: string, font: string, size: number, width: number): string {
    const doc = this.doc.font(font).fontSize(size);
    if (doc.widthOfString(value) <= width) return value;
    let text = value;
    while (text.length > 1 && doc.widthOfString(`${text}…`) > width) text = text.slice(0, -1);
    return `${text.trimEnd()}…`;
  }
}

/** The recipient block: name, street lines, postcode and town (UK: town, then postcode), country. */
function recipientLines(model: DocumentModel, homeCountry: string | null): string[] {
  const address = model.recipient.address;
  if (!address) return [model.recipient.name];
  const town = address.country === 'GB' ? [address.city.toUpperCase(), address.postalCode] : [`${address.postalCode} ${address.city}`.trim()];
  if (address.country === homeCountry) return [model.recipient.name, ...address.lines, ...town];
  let country = address.country;
  try {
    country = new Intl.DisplayNames(['en'], { type: 'region' }).of(address.country) ?? address.country;
  } catch {
    // Not a region code Intl knows: print it as it is.
  }
  return [model.recipient.name, ...address.lines, ...town, country.toUpperCase()];
}
