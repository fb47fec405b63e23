import type { Money } from '../domain';

/** Calendar dates are stored as UTC midnight; every zone our customers live in shows the same day. */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

/**
 * Money, dates and numbers in the customer's language and country (`fr` + `CH`
 * formats like `fr-CH`), through Intl. The Intl objects are built once per
 * instance because building them costs more than using them.
 */
export class LocaleFormat {
  readonly locale: string;
  private readonly longDate: Intl.DateTimeFormat;
  private readonly shortDate: Intl.DateTimeFormat;
  private readonly numbers: Intl.NumberFormat;
  private readonly currencies = new Map<string, Intl.NumberFormat>();

  constructor(language: string, country: string | null = null, timeZone: string = DEFAULT_TIME_ZONE) {
    this.locale = pickLocale(language, country);
    this.longDate = new Intl.DateTimeFormat(this.locale, { dateStyle: 'long', timeZone });
    // dateStyle "short" gives two-digit years in some locales (de: 01.09.26); tables want all four.
    this.shortDate = new Intl.DateTimeFormat(this.locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone });
    this.numbers = new Intl.NumberFormat(this.locale, { maximumFractionDigits: 6 });
  }

  /** `{ amount: "1234.5", currency: "EUR" }` → "1 234,50 €"; the decimal string is never turned into a float first. */
  money(value: Money): string {
    if (!DECIMAL.test(value.amount)) return `${value.amount} ${value.currency}`;
    let format = this.currencies.get(value.currency);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, { style: 'currency', currency: value.currency });
      this.currencies.set(value.currency, format);
    }
    // Intl parses decimal strings exactly; the cast only satisfies the older lib typing.
    return format.format(value.amount as unknown as number);
  }

  date(value: Date, style: 'long' | 'short' = 'long'): string {
    if (Number.isNaN(value.getTime())) return '';
    return (style === 'long' ? this.longDate : this.shortDate).format(value);
  }

  number(value: number): string {
    return Number.isFinite(value) ? this.numbers.format(value) : '';
  }
}

/** `language-COUNTRY` when Intl knows the pair, else the bare language, else English. */
function pickLocale(language: string, country: string | null): string {
  const candidates = country ? [`${language}-${country.toUpperCase()}`, language] : [language];
  for (const candidate of candidates) {
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf(candidate).length > 0) return candidate;
    } catch {
      // A malformed tag is not a locale; try the next candidate.
    }
  }
  return 'en';
}
