import { renderEmail } from '../src/channels/email/email.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, invoiceData, invoiceLines, TEMPLATES_DIR } from './render.fixtures';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</td></tr></table><a href="javascript:alert(1)">click</a>',
  '&lt;b&gt;already escaped&lt;/b&gt;',
  '<!-- comment --> `backtick`',
];

/** The markup alone: tag names, attributes and their order, with every text node dropped. */
const tags = (html: string): string[] => html.match(/<[^>]*>/g) ?? [];

describe('renderEmail', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);
  const compose = (customer: typeof claire, data: Record<string, unknown>) =>
    catalog.compose('invoice-available', context({ customer, data: { ...invoiceData, ...data } }));

  it('renders the whole document: title, salutation, intro, details, table, totals, closing and reference', () => {
    const email = renderEmail(compose(claire, { lines: invoiceLines(2), netAmount: { amount: '1028.75', currency: 'EUR' }, taxAmount: { amount: '205.75', currency: 'EUR' } }));
    expect(email.subject).toBe('Votre facture INV-2026-000123 est disponible');
    expect(email.html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(email.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(email.html).toContain('max-width:600px');
    for (const part of ['Facture INV-2026-000123', 'Bonjour Claire Martin,', 'Numéro de facture', 'Désignation', 'Montant à payer', 'Référence: CCM-7F3A9C']) {
      expect(email.html).toContain(part);
    }
    expect(email.html).toMatch(/Consommation période 1 — relevé n° 1000/);
    expect(email.html).not.toMatch(/<link|<style|<script|class=/);
    expect(email.text).toContain('Bonjour Claire Martin,');
    expect(email.text).toMatch(/Désignation +Quantité +Prix unitaire +Montant\n/);
    expect(email.text).toMatch(/ {17}-{10}\nMontant à payer  1\s234,50\s€\n/u);
    expect(email.text).toContain('Référence: CCM-7F3A9C');
    expect(email.text).not.toMatch(/<[a-z]/i);
    expect(email.html).toContain('Le service clients<br>Helvetia Assurances');
  });

  it.each(HOSTILE)('escapes hostile data everywhere it appears: %s', (payload) => {
    const benign = renderEmail(compose(claire, { invoiceNumber: 'INV-1', lines: [{ description: 'Line', amount: { amount: '1.00', currency: 'EUR' } }] }));
    const hostile = renderEmail(
      compose({ ...claire, firstName: payload, lastName: payload }, { invoiceNumber: payload.slice(0, 40), lines: [{ description: payload, amount: { amount: '1.00', currency: 'EUR' } }] }),
    );
    // Same markup with hostile values as with plain ones: the data added no tag and no attribute.
    expect(tags(hostile.html)).toEqual(tags(benign.html));
    expect(hostile.html).not.toMatch(/<script|<img|<svg|<a |<!-- comment/i);
    expect(hostile.html).toContain(payload.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`));
    // The plain-text part carries the value as written: it is never interpreted.
    expect(hostile.text).toContain(payload);
  });

  it('keeps the subject on one line whatever the data holds', () => {
    const email = renderEmail(compose(claire, { invoiceNumber: 'X\r\nBcc: victim@example.com' }));
    expect(email.subject).toBe('Votre facture X Bcc: victim@example.com est disponible');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('lays a wide table out as one labelled line per cell in the text part', () => {
    const description = 'A very long description of a line item that does not fit in a padded column at all';
    const email = renderEmail(compose(claire, { lines: [{ description, quantity: 2, amount: { amount: '10.00', currency: 'EUR' } }] }));
    expect(email.text).toContain(`Désignation: ${description}\nQuantité: 2\nMontant: 10,00\u00a0€`);
  });
});
