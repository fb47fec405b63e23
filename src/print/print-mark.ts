import { beginText, endText, fill, moveText, popGraphicsState, pushGraphicsState, rectangle, setFillingGrayscaleColor, setFontAndSize, showText, type PDFOperator, type StandardFontEmbedder } from 'pdf-lib';
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

/** The font of the human-readable line: Helvetica, under `name` in the page's resources. */
export interface MarkFont {
  readonly name: string;
  readonly embedder: StandardFontEmbedder;
}

const MM = 72 / 25.4;
/** Below the body (bottom margin 22 mm) and above the footer line (284 mm) of the letter layout, from the top of the page. */
const MARK_TOP = 276.5 * MM;
const MARK_LEFT = 25 * MM;
const LABEL_SIZE = 6;

/** The barcode text: `<deliveryId>:<page>/<pages>`. */
export function markText(content: MarkContent): string {
  return `${content.deliveryId}:${content.page}/${content.pages}`;
}

/**
 * A Code 128 mark at the bottom left of a letter page, drawn with filled
 * rectangles (no image, no barcode font: any printer and any PDF reader render
 * it the same), and the same content in 6 pt next to it for people, with the
 * batch sequence. PDF coordinates: y grows upwards from the bottom of a page
 * `pageHeight` high.
 */
export function markOperators(content: MarkContent, pageHeight: number, font: MarkFont, options: MarkOptions = {}): PDFOperator[] {
  const module = options.moduleWidth ?? 0.72;
  const height = options.barHeight ?? 14;
  const widths = code128(markText(content));
  const bottom = pageHeight - MARK_TOP - height;
  const ops: PDFOperator[] = [pushGraphicsState(), setFillingGrayscaleColor(0)];
  let x = MARK_LEFT;
  widths.forEach((width, i) => {
    // Even positions are bars, odd ones spaces.
    if (i % 2 === 0) ops.push(rectangle(x, bottom, width * module, height));
    x += width * module;
  });
  ops.push(fill());
  const label = `#${String(content.sequence).padStart(6, '0')}  ${content.deliveryId}  ${content.page}/${content.pages}`;
  const textLeft = MARK_LEFT + modulesOf(widths) * module + 8;
  // Centred on the bars: the baseline sits a third of the type size below their middle.
  const baseline = bottom + height / 2 - LABEL_SIZE / 3;
  ops.push(beginText(), setFontAndSize(font.name, LABEL_SIZE), moveText(textLeft, baseline), showText(font.embedder.encodeText(label)), endText(), popGraphicsState());
  return ops;
}
