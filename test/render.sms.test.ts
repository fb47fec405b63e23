import type { DocumentModel } from '../src/render/document';
import { smsLength, truncateToSegments } from '../src/channels/sms/sms-segments';
import { renderSms } from '../src/channels/sms/sms.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { context, invoiceData, jonas, TEMPLATES_DIR } from './render.fixtures';

const model = (sms: string): DocumentModel => ({
  templateKey: 'test',
  language: 'en',
  title: 'Test',
  reference: 'REF-1',
  date: new Date('2026-11-22T00:00:00Z'),
  sender: { name: 'Sender', addressLines: [], returnLine: 'Sender' },
  recipient: { name: 'Someone', address: null },
  salutation: '',
  blocks: [],
  closing: '',
  signature: '',
  sms,
  email: { subject: '', intro: '', attachPdf: false },
  portal: { notification: '' },
  whatsapp: null,
});

describe('smsLength (GSM 03.38)', () => {
  it('counts the GSM-7 basic set one septet a character, 160 in one message and 153 a part', () => {
    expect(smsLength('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsLength('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(smsLength('a'.repeat(307))).toEqual({ encoding: 'GSM-7', units: 307, segments: 3 });
    expect(smsLength('a'.repeat(459)).segments).toBe(3);
    expect(smsLength('a'.repeat(460)).segments).toBe(4);
  });

  it('keeps accented letters, Greek capitals and symbols of the basic set in GSM-7', () => {
    const text = 'Réf. à payer: 12£ ¥ §1 ¿Qué? Ñu Øre Åse ÄÖÜ äöü ß É ΔΦΓΛΩΠΨΣΘΞ @_!"#¤%&\'()*+,-./:;<=>?¡\n';
    expect(smsLength(text)).toMatchObject({ encoding: 'GSM-7', units: [...text].length });
  });

  it('counts extension-table characters as two septets', () => {
    for (const ch of ['€', '[', ']', '{', '}', '\\', '~', '^', '|', '\f']) {
      expect(smsLength(ch)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    }
    expect(smsLength('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('€'.repeat(81))).toEqual({ encoding: 'GSM-7', units: 162, segments: 2 });
    expect(smsLength(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  it('never splits an escape sequence across two parts', () => {
    // 152 + 2 + 152 = 306 septets would fill two parts exactly, but the € cannot straddle them.
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
    expect(smsLength(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  it('switches the whole body to UCS-2 for one character outside GSM-7: 70 alone, 67 a part', () => {
    expect(smsLength('ç')).toEqual({ encoding: 'UCS-2', units: 1, segments: 1 });
    expect(smsLength('ê'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('ê'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsLength('ê'.repeat(134))).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(smsLength('ê'.repeat(135))).toEqual({ encoding: 'UCS-2', units: 135, segments: 3 });
    expect(smsLength(`${'a'.repeat(100)}ç`)).toEqual({ encoding: 'UCS-2', units: 101, segments: 2 });
    expect(smsLength('Привет').encoding).toBe('UCS-2');
    expect(smsLength('a\u2019b').encoding).toBe('UCS-2');
  });

  it('counts an emoji (a surrogate pair) as two UCS-2 units and keeps it within one part', () => {
    expect(smsLength('😀')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
    expect(smsLength('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', units: 72, segments: 2 });
    expect(smsLength(`${'a'.repeat(66)}😀${'a'.repeat(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(smsLength(`${'a'.repeat(65)}😀${'a'.repeat(67)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(smsLength('👍🏽').units).toBe(4);
  });
});

describe('truncateToSegments', () => {
  it('leaves a text that fits alone', () => {
    expect(truncateToSegments('a'.repeat(459), 3)).toBe('a'.repeat(459));
  });

  it('cuts GSM-7 text with "..." after a whole word, filling the parts', () => {
    const cut = truncateToSegments('word '.repeat(200), 3);
    expect(cut.endsWith('word...')).toBe(true);
    expect(smsLength(cut)).toMatchObject({ encoding: 'GSM-7', segments: 3 });
    expect(smsLength(cut).units).toBeGreaterThan(440);
    expect(truncateToSegments('a'.repeat(161), 1)).toBe(`${'a'.repeat(157)}...`);
    expect(truncateToSegments(`${'a'.repeat(150)} bbbbbbbbbbbbbbbbbbbb`, 1)).toBe(`${'a'.repeat(150)}...`);
  });

  it('cuts UCS-2 text with "…" and never halves an emoji', () => {
    const cut = truncateToSegments('😀'.repeat(200), 2);
    expect(cut).toBe(`${'😀'.repeat(66)}…`);
    expect(smsLength(cut)).toEqual({ encoding: 'UCS-2', units: 133, segments: 2 });
  });

  it('refuses a bound below one part', () => {
    expect(() => truncateToSegments('abc', 0)).toThrow('maxSegments: expected an integer >= 1, got 0');
  });
});

describe('renderSms', () => {
  it('bounds the body to maxSegments (default 3) and reports what it sends', () => {
    const long = renderSms(model('Your invoice is ready. '.repeat(40)));
    expect(long.segments).toBe(3);
    expect(long.encoding).toBe('GSM-7');
    expect(long.body.endsWith('...')).toBe(true);
    expect(smsLength(long.body)).toEqual({ encoding: 'GSM-7', units: expect.any(Number), segments: 3 });

    const one = renderSms(model('Ça coûte cher. '.repeat(20)), { maxSegments: 1 });
    expect(one).toEqual({ body: expect.stringMatching(/…$/), encoding: 'UCS-2', segments: 1 });
    expect(one.body.length).toBeLessThanOrEqual(70);
  });

  it('replaces typographic spaces, quotes and dashes so amounts and apostrophes stay GSM-7', () => {
    const sms = renderSms(model('Votre facture de 1\u202f234,50\u00a0€ est disponible \u2013 l\u2019échéance est le 15\u00a0décembre.\n'));
    expect(sms).toEqual({ body: "Votre facture de 1 234,50 € est disponible - l'échéance est le 15 décembre.", encoding: 'GSM-7', segments: 1 });
  });

  it('sends a composed German invoice notice as one GSM-7 message', () => {
    const catalog = TemplateCatalog.load(TEMPLATES_DIR);
    const sms = renderSms(catalog.compose('invoice-available', context({ customer: jonas, data: invoiceData })));
    expect(sms.body).toBe(
      'Helvetia Assurances: Ihre Rechnung INV-2026-000123 über 1.234,50 € liegt vor, fällig am 15. Dezember 2026. Ref. CCM-7F3A9C',
    );
    expect(sms).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
