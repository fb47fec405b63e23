import type { PrintBatchEntity, PrintTotal } from '../store/print-batch.entity';
import type { PrintLetterEntity } from '../store/print-letter.entity';

export const MANIFEST_COLUMNS = ['sequence', 'deliveryId', 'communicationId', 'customerId', 'pages', 'sheets', 'firstPage', 'weightClass', 'grams', 'postalZone', 'country', 'postalCode'] as const;

/** RFC 4180: quoted when a field holds a comma, quote or line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per letter in print order, header first, CRLF line ends. */
export function manifestCsv(letters: readonly PrintLetterEntity[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const letter of letters) lines.push(MANIFEST_COLUMNS.map((column) => csvField(letter[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Totals per postal zone and weight class, in a stable order. */
export function totalsOf(letters: readonly PrintLetterEntity[]): PrintTotal[] {
  const byKey = new Map<string, { postalZone: string; weightClass: string; letters: number; sheets: number; grams: number }>();
  for (const letter of letters) {
    const key = `${letter.postalZone}|${letter.weightClass}`;
    const total = byKey.get(key) ?? { postalZone: letter.postalZone, weightClass: letter.weightClass, letters: 0, sheets: 0, grams: 0 };
    total.letters += 1;
    total.sheets += letter.sheets;
    total.grams += letter.grams;
    byKey.set(key, total);
  }
  return [...byKey.values()].sort((a, b) => a.postalZone.localeCompare(b.postalZone) || Number(a.weightClass.slice(1)) - Number(b.weightClass.slice(1)));
}

/** The JSON manifest: the batch's totals for postage planning, then every letter. */
export function manifestJson(batch: PrintBatchEntity, letters: readonly PrintLetterEntity[]): string {
  const { id, createdAt, duplex, pages, blankPages, sheets, grams, sha256, totals } = batch;
  return `${JSON.stringify(
    {
      printBatchId: id,
      createdAt: createdAt.toISOString(),
      duplex,
      pdf: { file: 'batch.pdf', sha256, pages, blankPages },
      totals: { letters: letters.length, sheets, grams, byZoneAndWeight: totals },
      letters: letters.map((letter) => Object.fromEntries(MANIFEST_COLUMNS.map((column) => [column, letter[column]]))),
    },
    null,
    2,
  )}\n`;
}
