/**
 * Postage planning: sheets, weight and weight class of one letter, and the
 * postal zone of its address. The values come from the configuration
 * (`PRINT_HOME_COUNTRY`, `PRINT_SHEET_GRAMS`, `PRINT_ENVELOPE_GRAMS`), where
 * their defaults are: FR, 5 g (A4, 80 g/m²), 5 g (DL/C5 window envelope).
 */
export interface PostageOptions {
  /** ISO 3166 alpha-2 of the country letters are posted in. */
  readonly homeCountry: string;
  /** One A4 sheet, in grams. */
  readonly sheetGrams: number;
  /** One window envelope, in grams. */
  readonly envelopeGrams: number;
}

export type PostalZone = 'DOMESTIC' | 'EUROPE' | 'WORLD';

/** EU and EEA members, Switzerland and the UK: the "Europe" tariff zone of most European posts. */
const EUROPE = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH GB'.split(' '),
);

/** Upper bounds in grams of the weight classes posts price letters by. */
const CLASSES = [20, 50, 100, 250, 500, 1000, 2000] as const;

export function sheetsOf(pages: number, duplex: boolean): number {
  return duplex ? Math.ceil(pages / 2) : pages;
}

export function gramsOf(sheets: number, options: Pick<PostageOptions, 'sheetGrams' | 'envelopeGrams'>): number {
  return sheets * options.sheetGrams + options.envelopeGrams;
}

/** "W20" up to 20 g, "W50", …, "W2000"; "OVER" beyond (a parcel, not a letter). */
export function weightClassOf(grams: number): string {
  const bound = CLASSES.find((limit) => grams <= limit);
  return bound === undefined ? 'OVER' : `W${bound}`;
}

export function postalZoneOf(country: string, options: Pick<PostageOptions, 'homeCountry'>): PostalZone {
  const code = country.toUpperCase();
  if (code === options.homeCountry.toUpperCase()) return 'DOMESTIC';
  return EUROPE.has(code) ? 'EUROPE' : 'WORLD';
}
