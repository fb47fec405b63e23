/** The few words the renderers print themselves (the rest comes from the template). */
export interface LetterLabels {
  readonly date: string;
  readonly reference: string;
  page(index: number, count: number): string;
}

const LABELS: Readonly<Record<string, LetterLabels>> = {
  en: { date: 'Date', reference: 'Reference', page: (i, n) => `Page ${i} of ${n}` },
  fr: { date: 'Date', reference: 'Référence', page: (i, n) => `Page ${i} sur ${n}` },
  de: { date: 'Datum', reference: 'Referenz', page: (i, n) => `Seite ${i} von ${n}` },
};

/** Labels in the document's language; English for a language without its own. */
export function letterLabels(language: string): LetterLabels {
  return LABELS[language] ?? (LABELS.en as LetterLabels);
}
