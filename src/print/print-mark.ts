import type PDFDocument from 'pdfkit';
import { code128, modulesOf } from './code128';

export interface MarkOptions {
  /** Width of one module in points; default 0.72 (0.254 mm, what office laser printers resolve well). */
  readonly moduleWidth?: number;
  /** Bar height in points; default 14 (about 5 mm). */
  readonly barHeight?: number;
}

/** What a letter page's mark carries: the delivery, the page of the letter, its place in the batch. */
export interface MarkContent {
  readonly deliveryId: string;
  readonly page: number;
  readonly pages: number;
  readonly sequence: number;
}

const MM = 72 / 25.4;
/** Below the body (bottom margin 22 mm) and above the footer line (284 mm) of the letter layout. */
const MARK_TOP = 276.5 * MM;
const MARK_LEFT = 25 * MM;

/** The barcode text: `<deliveryId>:<page>/<pages>`. */
export function markText(content: MarkContent): string {
  return `${content.deliveryId}:${content.page}/${content.pages}`;
}

/**
 * A Code 128 mark at the bottom left of a letter page, drawn with rectangles
 * (no image, no font: any printer and any PDF reader render it the same), and
 * the same content in 6 pt next to it for people, with the batch sequence.
 */
export function drawMark(doc: PDFKit.PDFDocument | InstanceType<typeof PDFDocument>, content: MarkContent, options: MarkOptions = {}): void {
  const module = options.moduleWidth ?? 0.72;
  const height = options.barHeight ?? 14;
  const widths = code128(markText(content));
  let x = MARK_LEFT;
  doc.save();
  widths.forEach((width, i) => {
    // Even positions are bars, odd ones spaces.
    if (i % 2 === 0) doc.rect(x, MARK_TOP, width * module, height);
    x += width * module;
  });
  doc.fillColor('black').fill();
  const label = `#${String(content.sequence).padStart(6, '0')}  ${content.deliveryId}  ${content.page}/${content.pages}`;
  const textLeft = MARK_LEFT + modulesOf(widths) * module + 8;
  doc.font('Helvetica').fontSize(6).fillColor('black').text(label, textLeft, MARK_TOP + height / 2 - 3, { lineBreak: false });
  doc.restore();
}
