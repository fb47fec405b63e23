const SIZE = 9;
const PAD_X = 4;
const PAD_Y = 3.5;
const RULE = '#b8bec6';
const HEADER_FILL = '#e9edf2';
const TEXT = '#1a1a1a';

/** The faces a table is set in (the letter's, see `LetterFonts`), by PDFKit font name. */
export interface TableFonts {
  readonly regular: string;
  readonly bold: string;
}

/** What a table needs from the page flow it sits in. */
export interface TableFlow {
  readonly left: number;
  readonly width: number;
  ensureSpace(height: number): void;
}

interface Column {
  readonly header: string;
  readonly align: 'left' | 'right';
  /** Relative weight of the column's width (default 1). */
  readonly width?: number;
}

interface Cell {
  readonly text: string;
  /** Width of the text on one line; null when it needs wrapping. */
  readonly lineWidth: number | null;
}

/**
 * A table with a header row, right-aligned amounts and thin rules, split
 * across pages with the header repeated on each. Cells are drawn one text run
 * each, and a cell that fits on one line (nearly all) is placed without
 * PDFKit's line wrapper: about twice as fast as `doc.table()`, whose per-cell
 * styling and double measuring dominated long invoices.
 */
export class LetterTable {
  private readonly x: number[] = [];
  private readonly widths: number[] = [];

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly flow: TableFlow,
    private readonly columns: readonly Column[],
    private readonly fonts: TableFonts,
  ) {
    const total = columns.reduce((sum, c) => sum + (c.width ?? 1), 0);
    let x = flow.left;
    for (const c of columns) {
      const width = (flow.width * (c.width ?? 1)) / total;
      this.x.push(x);
      this.widths.push(width);
      x += width;
    }
  }

  draw(header: readonly string[], rows: readonly (readonly string[])[]): void {
    const { doc } = this;
    const head = this.cells(header, this.fonts.bold);
    const headHeight = this.height(head);
    const first = rows[0] ? this.cells(rows[0], this.fonts.regular) : [];
    this.flow.ensureSpace(headHeight + this.height(first));
    this.header(head, headHeight);
    rows.forEach((row, i) => {
      const cells = i === 0 ? first : this.cells(row, this.fonts.regular);
      const height = this.height(cells);
      if (doc.y + height >= doc.page.maxY()) {
        doc.addPage();
        this.header(head, headHeight);
      }
      this.row(cells, height, this.fonts.regular);
      doc.save().moveTo(this.flow.left, doc.y).lineTo(this.flow.left + this.flow.width, doc.y).lineWidth(0.4).strokeColor(RULE).stroke().restore();
    });
  }

  private header(cells: readonly Cell[], height: number): void {
    const { doc } = this;
    doc.save().rect(this.flow.left, doc.y, this.flow.width, height).fill(HEADER_FILL).restore();
    this.row(cells, height, this.fonts.bold);
    doc.save().moveTo(this.flow.left, doc.y).lineTo(this.flow.left + this.flow.width, doc.y).lineWidth(0.8).strokeColor('#5f6670').stroke().restore();
  }

  private row(cells: readonly Cell[], height: number, font: string): void {
    const { doc } = this;
    const top = doc.y;
    doc.font(font).fontSize(SIZE).fillColor(TEXT);
    cells.forEach((cell, i) => {
      if (!cell.text) return;
      const inner = (this.widths[i] ?? 0) - 2 * PAD_X;
      const align = this.columns[i]?.align ?? 'left';
      const x = (this.x[i] ?? 0) + PAD_X;
      if (cell.lineWidth !== null) {
        doc.text(cell.text, align === 'right' ? x + inner - cell.lineWidth : x, top + PAD_Y, { lineBreak: false });
      } else {
        doc.text(cell.text, x, top + PAD_Y, { width: inner, align });
      }
    });
    doc.x = this.flow.left;
    doc.y = top + height;
  }

  private cells(texts: readonly string[], font: string): Cell[] {
    this.doc.font(font).fontSize(SIZE);
    return this.columns.map((_, i) => {
      const text = texts[i] ?? '';
      const width = this.doc.widthOfString(text);
      return { text, lineWidth: width <= (this.widths[i] ?? 0) - 2 * PAD_X && !text.includes('\n') ? width : null };
    });
  }

  private height(cells: readonly Cell[]): number {
    const { doc } = this;
    let text = doc.fontSize(SIZE).currentLineHeight();
    cells.forEach((cell, i) => {
      if (cell.lineWidth === null) text = Math.max(text, doc.heightOfString(cell.text, { width: (this.widths[i] ?? 0) - 2 * PAD_X }));
    });
    return text + 2 * PAD_Y;
  }
}
