import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel } from '../src/domain';
import type { Block, DocumentModel } from '../src/render/document';
import { ComposeError, TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, giulia, homeContract, invoiceData, invoiceLines, jonas, oliver, TEMPLATES_DIR } from './render.fixtures';

/** Complete data for each template, optional fields included. */
const FULL_DATA: Record<string, Record<string, unknown>> = {
  'invoice-available': {
    ...invoiceData,
    periodStart: '2026-10-01',
    periodEnd: '2026-10-31',
    netAmount: { amount: '1028.75', currency: 'EUR' },
    taxAmount: { amount: '205.75', currency: 'EUR' },
    directDebit: true,
    lines: invoiceLines(3),
  },
  'contract-renewal': { renewalDate: '2027-03-01', newMonthlyAmount: { amount: '26.40', currency: 'EUR' }, termMonths: 12, cancellationDeadline: '2027-01-31' },
  'payment-reminder': {
    ...invoiceData,
    reminderFee: { amount: '5.00', currency: 'EUR' },
    totalDue: { amount: '1239.50', currency: 'EUR' },
    openItems: [{ invoiceNumber: 'INV-2026-000099', invoiceDate: '2026-09-01', originalDueDate: '2026-09-30', amount: { amount: '1234.50', currency: 'EUR' } }],
  },
  welcome: { portalUrl: 'https://portal.example.com', advisorName: 'Sophie Durand', advisorPhone: '+33 4 72 00 00 00' },
};

/** Every string in the model, one a line. */
const allText = (model: DocumentModel): string => {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(model);
  return out.join('\n');
};
const find = <K extends Block['kind']>(model: DocumentModel, kind: K) => model.blocks.filter((b): b is Extract<Block, { kind: K }> => b.kind === kind);
const values = (model: DocumentModel) => Object.fromEntries(find(model, 'keyValue').flatMap((b) => b.items.map((i) => [i.label, i.value])));

describe('TemplateCatalog with the shipped templates', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);

  it('lists every template with its channels and languages', () => {
    const byKey = Object.fromEntries(catalog.list().map((t) => [t.key, t]));
    expect(Object.keys(byKey).sort()).toEqual(['contract-renewal', 'invoice-available', 'payment-reminder', 'welcome']);
    for (const t of catalog.list()) expect([...t.languages].sort()).toEqual(['de', 'en', 'fr']);
    expect(byKey['invoice-available']).toMatchObject({ channels: [Channel.EMAIL, Channel.SMS, Channel.LETTER, Channel.PORTAL, Channel.WHATSAPP, Channel.WEBHOOK], requiresContract: true, attachPdf: true });
    expect(byKey.welcome).toMatchObject({ channels: [Channel.EMAIL, Channel.LETTER, Channel.PORTAL], requiresContract: false, attachPdf: false });
    expect(catalog.get('welcome')?.name).toBe('Welcome');
    expect(catalog.get('nope')).toBeUndefined();
  });

  describe.each(Object.keys(FULL_DATA))('%s', (key) => {
    it.each([
      ['fr', claire],
      ['de', jonas],
      ['en', oliver],
    ] as const)('composes in %s with every placeholder filled', (language, customer) => {
      const model = catalog.compose(key, context({ customer, data: FULL_DATA[key] }));
      expect(model.language).toBe(language);
      expect(model.templateKey).toBe(key);
      expect(allText(model)).not.toMatch(/\{\{|\}\}/);
      for (const part of [model.title, model.salutation, model.closing, model.signature, model.email.subject, model.email.intro, model.portal.notification]) {
        expect(part.trim()).not.toBe('');
      }
      expect(model.salutation).toContain(`${customer.firstName} ${customer.lastName}`);
      expect(model.sms === '').toBe(!catalog.get(key)?.channels.includes(Channel.SMS));
      expect(model.blocks.length).toBeGreaterThan(2);
      expect(model.recipient).toEqual({ name: `${customer.firstName} ${customer.lastName}`, address: customer.postalAddress });
      expect(model).toMatchObject({ reference: 'CCM-7F3A9C', date: new Date('2026-11-22T09:30:00Z'), sender: { name: 'Helvetia Assurances' } });
    });
  });

  it('formats money and dates the way each language writes them', () => {
    const fr = catalog.compose('invoice-available', context({ customer: claire, data: invoiceData }));
    const de = catalog.compose('invoice-available', context({ customer: jonas, data: invoiceData }));
    const en = catalog.compose('invoice-available', context({ customer: oliver, data: invoiceData }));
    expect(fr.portal.notification).toBe('La facture INV-2026-000123 (1\u202f234,50\u00a0€, échéance le 15 décembre 2026) est disponible.');
    expect(de.portal.notification).toBe('Rechnung INV-2026-000123 (1.234,50\u00a0€, fällig am 15. Dezember 2026) liegt vor.');
    expect(en.portal.notification).toBe('Invoice INV-2026-000123 (€1,234.50, due 15 December 2026) is available.');
    expect(values(de)).toMatchObject({ Rechnungsdatum: '22. November 2026', Vertrag: 'HB-2021-004711', Produkt: 'Home Basic' });
    const reminder = catalog.compose('payment-reminder', context({ customer: jonas, data: FULL_DATA['payment-reminder'] }));
    expect(find(reminder, 'table')[0]?.rows).toEqual([['INV-2026-000099', '01.09.2026', '30.09.2026', '1.234,50\u00a0€']]);
    const renewal = catalog.compose('contract-renewal', context({ customer: jonas, data: { renewalDate: '2027-03-01' } }));
    expect(values(renewal)).toMatchObject({ Vertragsbeginn: '1. März 2021', 'Verlängerung am': '1. März 2027' });
    // An optional amount that is absent reads as the template's default.
    expect(find(renewal, 'table')[0]?.rows).toEqual([
      ['Bisher', '24,90\u00a0€'],
      ['Ab 1. März 2027', 'unverändert'],
    ]);
  });

  it('falls back to English for a language the template lacks, and reads a regional tag by its language', () => {
    const italian = catalog.compose('welcome', context({ customer: giulia }));
    expect(italian.language).toBe('en');
    expect(italian.salutation).toBe('Dear Giulia Rossi,');
    // English words, Swiss formats (the customer lives in CH).
    expect(values(italian)['Monthly amount']).toBe('€24.90');
    const swissFrench = catalog.compose('welcome', context({ customer: { ...claire, language: 'fr-CH' } }));
    expect(swissFrench.language).toBe('fr');
  });

  it('leaves out what optional data does not provide', () => {
    const model = catalog.compose('invoice-available', context({ data: invoiceData }));
    expect(find(model, 'table')).toEqual([]);
    expect(model.blocks.map((b) => (b.kind === 'heading' ? b.text : null))).not.toContain('Détail de la facture');
    expect(values(model)).not.toHaveProperty('Période de facturation');
    expect(find(model, 'totals')[0]?.items).toEqual([{ label: 'Montant à payer', value: '1\u202f234,50\u00a0€', emphasis: true }]);
    const paragraphs = find(model, 'paragraph').map((p) => p.text);
    expect(paragraphs.some((p) => p.startsWith('Merci de régler'))).toBe(true);
    expect(paragraphs.some((p) => p.startsWith('Le montant de'))).toBe(false);

    const welcome = catalog.compose('welcome', context({ contract: null, product: null }));
    expect(values(welcome)).toEqual({ 'Numéro client': 'C0000001' });
  });

  it('shows values as text and never expands placeholders found in data', () => {
    const model = catalog.compose('invoice-available', context({ data: { ...invoiceData, invoiceNumber: '{{customer.email}}' } }));
    expect(model.title).toBe('Facture {{customer.email}}');
    expect(allText(model)).not.toContain('claire.martin@example.com');
  });

  it('checks request data against what the template declares', () => {
    expect(catalog.validateData('invoice-available', invoiceData)).toBeNull();
    expect(catalog.validateData('welcome', undefined)).toBeNull();
    expect(catalog.validateData('welcome', { unrelated: 1 })).toBeNull();
    expect(catalog.validateData('invoice-available', {})).toBe('data.invoiceNumber: expected a string of at most 40 characters, got nothing');
    expect(catalog.validateData('invoice-available', { ...invoiceData, amountDue: 1234.5 })).toBe(
      'data.amountDue: expected money as {"amount": "<decimal string>", "currency": "<ISO 4217 code>"}, got a number (1234.5)',
    );
    expect(catalog.validateData('invoice-available', { ...invoiceData, amountDue: { amount: '12.5', currency: 'euro' } })).toMatch(/^data\.amountDue: expected money/);
    expect(catalog.validateData('invoice-available', { ...invoiceData, dueDate: '2026-02-30' })).toMatch(/^data\.dueDate: expected an ISO-8601 date .*, got a string \("2026-02-30"\)$/);
    expect(catalog.validateData('invoice-available', { ...invoiceData, invoiceNumber: 'X'.repeat(41) })).toMatch(/^data\.invoiceNumber: expected a string of at most 40 characters/);
    expect(catalog.validateData('invoice-available', { ...invoiceData, lines: [invoiceLines(1)[0], { description: 'no amount' }] })).toBe(
      'data.lines[1].amount: expected money as {"amount": "<decimal string>", "currency": "<ISO 4217 code>"}, got nothing',
    );
    expect(catalog.validateData('contract-renewal', { renewalDate: '2027-03-01', termMonths: 12.5 })).toBe('data.termMonths: expected an integer, got a number (12.5)');
    expect(catalog.validateData('welcome', 'hello')).toBe('data: expected a JSON object, got a string ("hello")');
    expect(catalog.validateData('no-such-template', {})).toBe(
      'templateKey: expected one of contract-renewal, invoice-available, payment-reminder, welcome, got "no-such-template"',
    );
  });

  it('refuses to compose without required data or a required contract', () => {
    expect(() => catalog.compose('invoice-available', context({ data: {} }))).toThrow(
      new ComposeError('template invoice-available: data.invoiceNumber: expected a string of at most 40 characters, got nothing'),
    );
    expect(() => catalog.compose('contract-renewal', context({ contract: null, data: { renewalDate: '2027-03-01' } }))).toThrow(
      'template contract-renewal: expected a contract, got none',
    );
    expect(() => catalog.compose('nope', context())).toThrow(ComposeError);
    expect(catalog.compose('welcome', context({ contract: homeContract })).templateKey).toBe('welcome');
  });
});

describe('TemplateCatalog.load with broken files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-templates-'));
    cpSync(join(TEMPLATES_DIR, 'welcome.json'), join(dir, 'welcome.json'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `welcome.json` changed by `edit` and returns what loading says. */
  const loadEdited = (edit: (t: any) => void, name = 'welcome.json'): string => {
    const template = JSON.parse(readFileSync(join(TEMPLATES_DIR, 'welcome.json'), 'utf8'));
    edit(template);
    rmSync(join(dir, 'welcome.json'));
    writeFileSync(join(dir, name), JSON.stringify(template));
    try {
      TemplateCatalog.load(dir);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the template to be rejected');
  };

  it('loads the untouched copy', () => {
    expect(TemplateCatalog.load(dir).list().map((t) => t.key)).toEqual(['welcome']);
  });

  it.each([
    ['a root outside the whitelist', (t: any) => (t.languages.en.blocks[0].text = 'Hello {{process.env.SECRET}}'), 'languages.en.blocks[0].text: expected a path starting with one of customer, contract, product, data, communication, sender, got "process.env.SECRET"'],
    ['a prototype walk', (t: any) => (t.languages.fr.title = '{{customer.__proto__.polluted}}'), 'languages.fr.title: expected a data path, got the reserved name "__proto__" in "customer.__proto__.polluted"'],
    ['an expression instead of a path', (t: any) => (t.languages.de.intro = '{{ customer.id + 1 }}'), 'languages.de.intro: expected a dotted path such as "data.invoiceNumber", got " customer.id + 1 "'],
    ['an undeclared data field', (t: any) => (t.languages.en.closing = 'Regards, {{data.advisorNmae}}'), 'languages.en.closing: data.advisorNmae reads a field the template does not declare (declared: portalUrl, advisorName, advisorPhone)'],
    ['an unknown formatter', (t: any) => (t.languages.en.subject = '{{customer.id | shout}}'), 'languages.en.subject: expected a formatter among money, date, shortDate, number, upper, default, got "shout"'],
    ['an unclosed placeholder', (t: any) => (t.languages.en.title = 'Welcome {{sender.name'), 'languages.en.title: expected every "{{" to close with "}}" around one path, got "Welcome {{sender.name"'],
    ['no English fallback', (t: any) => delete t.languages.en, 'languages: expected "en" (the fallback language) among fr, de'],
    ['a misspelt field', (t: any) => (t.languages.en.blocks[1].itmes = []), 'languages.en.blocks[1].itmes: unknown field (expected one of kind, items, when)'],
    ['an unknown channel', (t: any) => (t.channels = ['EMAIL', 'FAX']), 'channels[1]: expected one of EMAIL, SMS, LETTER, PORTAL, WHATSAPP, WEBHOOK, got string "FAX"'],
    ['SMS without an SMS text', (t: any) => t.channels.push('SMS'), 'languages.en.sms: expected a string, got nothing'],
    ['a block kind that does not exist', (t: any) => (t.languages.en.blocks[0].kind = 'script'), 'languages.en.blocks[0].kind: expected one of heading, paragraph, keyValue, totals, table, got string "script"'],
    ['a table without rows', (t: any) => t.languages.en.blocks.push({ kind: 'table', columns: [{ header: 'A' }] }), 'languages.en.blocks[5]: expected either "rowsFrom" (rows from an array in data) or "rows" (fixed rows)'],
    ['rows from a field that is not an array', (t: any) => t.languages.en.blocks.push({ kind: 'table', rowsFrom: 'data.portalUrl', columns: [{ header: 'A', value: '{{row.x}}' }] }), 'languages.en.blocks[5].rowsFrom: expected "data.<field>" naming a field of type array, got "data.portalUrl"'],
    ['a data field of unknown type', (t: any) => (t.data.advisorName.type = 'text'), 'data.advisorName.type: expected one of string, number, integer, boolean, date, money, array, got string "text"'],
    ['a key that is not the file name', (t: any) => (t.key = 'hello'), 'key: expected "welcome" (the file name), got "hello"'],
    ['an escalation window under a minute', (t: any) => (t.escalation = { unreadAfterSeconds: 30, then: ['LETTER'] }), 'escalation.unreadAfterSeconds: expected 60 to 7776000 seconds, got 30'],
    ['an escalation to a channel the template lacks', (t: any) => (t.escalation = { unreadAfterSeconds: 3600, then: ['SMS'] }), 'escalation.then[0]: expected one of EMAIL, LETTER, PORTAL, got string "SMS"'],
    ['an escalation to every channel', (t: any) => (t.escalation = { unreadAfterSeconds: 3600, then: ['EMAIL', 'LETTER', 'PORTAL'] }), 'escalation.then: expected a channel of the template left to escalate from, got all of them'],
    ['an escalation without its window', (t: any) => (t.escalation = { then: ['LETTER'] }), 'escalation.unreadAfterSeconds: expected a number of seconds, got none'],
  ])('rejects %s, naming the file and the field', (_, edit, message) => {
    expect(loadEdited(edit)).toBe(`${join(dir, 'welcome.json')}: ${message}`);
  });

  it('reads a default escalation, which a send without one of its own gets', () => {
    const template = JSON.parse(readFileSync(join(TEMPLATES_DIR, 'welcome.json'), 'utf8'));
    template.escalation = { unreadAfterSeconds: 7 * 86_400, then: ['LETTER'] };
    writeFileSync(join(dir, 'welcome.json'), JSON.stringify(template));
    expect(TemplateCatalog.load(dir).get('welcome')?.escalation).toEqual({ unreadAfterSeconds: 604_800, then: ['LETTER'] });
    expect(TemplateCatalog.load(TEMPLATES_DIR).get('welcome')?.escalation).toBeNull();
  });

  it('rejects a file that is not JSON', () => {
    writeFileSync(join(dir, 'welcome.json'), '{ "key": "welcome", ');
    expect(() => TemplateCatalog.load(dir)).toThrow(new RegExp(`^${join(dir, 'welcome.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\(file\\): expected valid JSON, got `));
  });

  it('rejects a folder without templates, and one that does not exist', () => {
    rmSync(join(dir, 'welcome.json'));
    expect(() => TemplateCatalog.load(dir)).toThrow(`templates: expected at least one <key>.json in ${dir}, got none`);
    expect(() => TemplateCatalog.load(join(dir, 'missing'))).toThrow(`templates: expected a readable folder at ${join(dir, 'missing')}, got ENOENT`);
  });
});
