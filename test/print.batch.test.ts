import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import type { CustomerRecord, ContractRecord } from '../src/domain';
import { backofficeOf, everyone } from './bulk.support';
import { pageContents, decodeMarks } from './print.marks';
import { CommunicationClient, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

interface PrintBatchView {
  id: string; duplex: boolean; letters: number; pages: number; blankPages: number; sheets: number; grams: number; sha256: string;
  files: { pdf: string; manifestCsv: string; manifestJson: string };
  totals: { postalZone: string; weightClass: string; letters: number; sheets: number; grams: number }[];
  entries: { sequence: number; deliveryId: string; customerId: string; pages: number; sheets: number; firstPage: number; weightClass: string; grams: number; postalZone: string; country: string; postalCode: string }[];
}
const PRINT_FIELDS = 'id duplex letters pages blankPages sheets grams sha256 files { pdf manifestCsv manifestJson } totals { postalZone weightClass letters sheets grams } entries(first: 100) { sequence deliveryId customerId pages sheets firstPage weightClass grams postalZone country postalCode }';
const CLOSE = `mutation($duplex: Boolean) { closePrintBatch(duplex: $duplex) { ${PRINT_FIELDS} } }`;
const invoice = (lines: number) => ({
  invoiceNumber: `INV-${lines}`,
  amountDue: { amount: '12.00', currency: 'EUR' },
  dueDate: '2027-02-01',
  lines: Array.from({ length: lines }, (_, i) => ({ description: `Line ${i + 1}`, amount: { amount: '1.00', currency: 'EUR' } })),
});
const pageText = (file: string, page: number): string => execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
const codeOf = (errors: GraphqlError[] | undefined): unknown => errors?.[0]?.extensions?.code;

describe('print batches and returned mail', () => {
  let h: Harness;
  let api: CommunicationClient;
  let backoffice: ConnectedBackoffice;
  let people: { customer: CustomerRecord; contracts: readonly ContractRecord[] }[];

  beforeAll(async () => {
    h = await startHarness();
    api = new CommunicationClient(h);
    backoffice = await backofficeOf(h);
    people = await everyone(backoffice);
  });
  afterAll(async () => {
    await backoffice?.close();
    await h?.close();
  });

  const closeBatch = async (duplex: boolean): Promise<PrintBatchView | null> => {
    const { body } = await h.graphql<{ closePrintBatch: PrintBatchView | null }>(CLOSE, { duplex });
    if (!body.data) throw new Error(`closePrintBatch: ${JSON.stringify(body.errors)}`);
    return body.data.closePrintBatch;
  };
  const sendLetter = async (customer: CustomerRecord, contract: ContractRecord, lines: number): Promise<string> => {
    const sent = await api.sendOk({ customerId: customer.id, templateKey: 'invoice-available', contractId: contract.id, channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: invoice(lines) });
    const done = await api.waitFor(sent.id, (c) => c.deliveries[0]?.status === 'DELIVERED', 20_000);
    return done.deliveries[0].id;
  };

  it('closes one print-ready PDF: letters sorted by country and postal code, a mark per page, blank backs in duplex, a manifest that adds up', async () => {
    const addressed = people.filter((p) => p.customer.postalAddress && p.contracts.length > 0);
    const countries = [...new Set(addressed.map((p) => p.customer.postalAddress!.country))];
    // Letters from several countries, one of them long enough for more than one page.
    const chosen = [...countries.slice(0, 3).flatMap((country) => addressed.filter((p) => p.customer.postalAddress!.country === country).slice(0, 2)), addressed[addressed.length - 1]];
    const sizes = chosen.map((_, i) => (i === 1 ? 90 : 0));
    const deliveryIds: string[] = [];
    for (const [i, p] of chosen.entries()) deliveryIds.push(await sendLetter(p.customer, p.contracts[0], sizes[i]));

    const batch = await closeBatch(true);
    if (!batch) throw new Error('expected a print batch');
    expect(batch.letters).toBe(chosen.length);
    expect(new Set(batch.entries.map((e) => e.deliveryId))).toEqual(new Set(deliveryIds));

    // Order: country, then postal code.
    const order = batch.entries.map((e) => `${e.country}|${e.postalCode}`);
    expect(order).toEqual([...order].sort());
    for (const entry of batch.entries) {
      const person = chosen[deliveryIds.indexOf(entry.deliveryId)].customer;
      expect(entry).toMatchObject({ customerId: person.id, country: person.postalAddress!.country, postalCode: person.postalAddress!.postalCode });
    }
    expect(batch.entries.map((e) => e.sequence)).toEqual(batch.entries.map((_, i) => i + 1));
    expect(batch.entries.some((e) => e.pages > 1)).toBe(true);

    // The PDF: page count, each letter from its first page, marks carrying delivery id and page i/n, blank backs.
    const file = join(h.config.dataDir, batch.files.pdf);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(new RegExp(`Pages:\\s+${batch.pages}\\b`));
    const letterPages = batch.entries.reduce((sum, e) => sum + e.pages, 0);
    const blanks = batch.entries.filter((e) => e.pages % 2 === 1).length;
    expect(batch).toMatchObject({ duplex: true, pages: letterPages + blanks, blankPages: blanks, sheets: batch.entries.reduce((s, e) => s + Math.ceil(e.pages / 2), 0) });
    const contents = pageContents(readFileSync(file));
    expect(contents).toHaveLength(batch.pages);
    let page = 1;
    for (const entry of batch.entries) {
      expect(entry.firstPage).toBe(page);
      for (let i = 1; i <= entry.pages; i += 1, page += 1) {
        expect(decodeMarks(contents[page - 1])).toEqual([`${entry.deliveryId}:${i}/${entry.pages}`]);
        const text = pageText(file, page).replace(/\s+/g, ' ');
        expect(text).toContain(`#${String(entry.sequence).padStart(6, '0')} ${entry.deliveryId} ${i}/${entry.pages}`);
        if (i === 1) expect(text).toContain(`INV-${sizes[deliveryIds.indexOf(entry.deliveryId)]}`);
        // DIN 5008: no country line for an address in the country the letters are posted in (PRINT_HOME_COUNTRY, FR).
        if (i === 1) expect(text.includes(' FRANCE ')).toBe(false);
        if (i === 1 && entry.country !== 'FR') expect(text).toContain(new Intl.DisplayNames(['en'], { type: 'region' }).of(entry.country)!.toUpperCase());
      }
      if (entry.pages % 2 === 1) {
        expect(decodeMarks(contents[page - 1])).toEqual([]);
        expect(pageText(file, page).trim()).toBe('');
        page += 1;
      }
      expect(entry.sheets).toBe(Math.ceil(entry.pages / 2));
    }

    // The manifest: CSV and JSON, the same lines, totals that add up.
    const csv = readFileSync(join(h.config.dataDir, batch.files.manifestCsv), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('sequence,deliveryId,communicationId,customerId,pages,sheets,firstPage,weightClass,grams,postalZone,country,postalCode');
    expect(csv.slice(1).map((line) => line.split(',')[1])).toEqual(batch.entries.map((e) => e.deliveryId));
    const manifest = JSON.parse(readFileSync(join(h.config.dataDir, batch.files.manifestJson), 'utf8')) as { pdf: { sha256: string }; totals: { letters: number; sheets: number; grams: number; byZoneAndWeight: PrintBatchView['totals'] }; letters: unknown[] };
    expect(manifest.pdf.sha256).toBe(batch.sha256);
    expect(manifest.letters).toHaveLength(batch.letters);
    expect(manifest.totals).toMatchObject({ letters: batch.letters, sheets: batch.sheets, grams: batch.grams });
    const sum = (key: 'letters' | 'sheets' | 'grams'): number => batch.totals.reduce((s, t) => s + t[key], 0);
    expect({ letters: sum('letters'), sheets: sum('sheets'), grams: sum('grams') }).toEqual({ letters: batch.letters, sheets: batch.sheets, grams: batch.grams });
    expect(batch.entries.reduce((s, e) => s + e.grams, 0)).toBe(batch.grams);
    expect(batch.totals.find((t) => t.postalZone === 'DOMESTIC')?.letters ?? 0).toBe(batch.entries.filter((e) => e.country === 'FR').length);

    // Each letter's timeline says where it was printed; its status stays DELIVERED.
    const [events] = await h.gateway.store.communications.eventsOf([batch.entries[0].deliveryId]);
    expect(events.at(-1)).toMatchObject({ status: 'DELIVERED', detail: `printed in batch ${batch.id}, sequence 1 of ${batch.letters}` });

    // The spool is empty; the letters moved next to the batch; nothing is printed twice.
    expect(readdirSync(join(h.config.dataDir, 'print-spool')).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(existsSync(join(h.config.dataDir, 'print-batches', batch.id, 'letters', `${deliveryIds[0]}.pdf`))).toBe(true);
    expect(await closeBatch(true)).toBeNull();
    const { body } = await h.graphql<{ printBatches: { id: string }[] }>('{ printBatches { id } }');
    expect(body.data?.printBatches.map((b) => b.id)).toContain(batch.id);
  });

  it('prints simplex without blank pages', async () => {
    const p = people.find((x) => x.customer.postalAddress && x.contracts.length > 0)!;
    await sendLetter(p.customer, p.contracts[0], 0);
    const batch = await closeBatch(false);
    expect(batch).toMatchObject({ duplex: false, letters: 1, pages: 1, blankPages: 0, sheets: 1 });
  });

  it('registers returned mail: the letter becomes BOUNCED and the next channel of its chain takes over', async () => {
    const p = people.find((x) => x.customer.postalAddress && x.contracts.length > 0 && x.customer.email && x.customer.consents.includes('EMAIL' as never) && (x.customer.preferredChannel === null || x.customer.preferredChannel === 'LETTER'));
    if (!p) throw new Error('expected a customer who prefers letters and has an email address in the simulated CRM');
    const sent = await api.sendOk({ customerId: p.customer.id, templateKey: 'invoice-available', contractId: p.contracts[0].id, channelPolicy: 'PREFERRED', channels: ['LETTER', 'EMAIL'], data: invoice(0) });
    expect(sent.deliveries[0]).toMatchObject({ channel: 'LETTER', fallbackChannels: ['EMAIL'] });
    const letter = (await api.waitFor(sent.id, (c) => c.deliveries[0].status === 'DELIVERED', 20_000)).deliveries[0];
    const mails = h.smtp.messages.length;

    const { body } = await h.graphql<{ registerReturnedMail: { id: string; status: string; error: string } }>(
      'mutation($id: ID!, $reason: String!) { registerReturnedMail(deliveryId: $id, reason: $reason) { id status error } }',
      { id: letter.id, reason: 'addressee unknown' },
    );
    expect(body.data?.registerReturnedMail).toEqual({ id: letter.id, status: 'BOUNCED', error: 'returned mail: addressee unknown' });
    const after = await api.waitFor(sent.id, (c) => c.deliveries.length === 2 && c.deliveries[1].status === 'SENT', 20_000);
    expect(after.deliveries[1]).toMatchObject({ channel: 'EMAIL', recipient: p.customer.email });
    expect(after.deliveries[0].events.map((e) => e.detail)).toContain('returned mail: addressee unknown');
    expect(after.status).toBe('DELIVERED');
    expect(h.smtp.messages.length).toBe(mails + 1);

    const again = await h.graphql<{ registerReturnedMail: { status: string } }>('mutation($id: ID!) { registerReturnedMail(deliveryId: $id, reason: "again") { status } }', { id: letter.id });
    expect(again.body.data?.registerReturnedMail.status).toBe('BOUNCED');
    expect((await api.get(sent.id))?.deliveries).toHaveLength(2);
    const email = await h.graphql('mutation($id: ID!) { registerReturnedMail(deliveryId: $id, reason: "x") { status } }', { id: after.deliveries[1].id });
    expect(codeOf(email.body.errors)).toBe('BAD_USER_INPUT');
    const unknown = await h.graphql('mutation { registerReturnedMail(deliveryId: "nope", reason: "x") { status } }');
    expect(codeOf(unknown.body.errors)).toBe('NOT_FOUND');
  });
});
