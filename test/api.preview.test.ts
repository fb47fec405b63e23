import { CommunicationClient, pdfText, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

// mailparser ships no types; this is the part of its API the assertions use.
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<{ subject?: string; text?: string }> };

interface FieldView { name: string; type: string; required: boolean; maxLength: number | null; maxItems: number | null; items: FieldView[] | null }
interface TemplateView { key: string; channels: string[]; requiresContract: boolean; version: number; editableBlocks: string[]; approvalRequired: boolean; dataFields: FieldView[] }
interface PreviewView { channel: string; subject: string | null; text: string | null; html: string | null; smsSegments: number | null; pdfPages: number | null; pdfUrl: string | null; error: string | null }
interface CustomerView { id: string; email: string | null; phone: string | null; preferences: { consents: string[] }; postalAddress: { city: string } | null; contracts: { id: string; status: string }[] }

const PREVIEW = `query($input: SendCommunicationInput!) { previewCommunication(input: $input) { plan previews { channel subject text html smsSegments pdfPages pdfUrl error } } }`;
const TEMPLATES = `{ templates { key channels requiresContract version editableBlocks approvalRequired dataFields { name type required maxLength maxItems items { name type required maxLength maxItems items { name } } } } }`;
const COMPARED = ['EMAIL', 'SMS', 'LETTER'];
const words = (text: string): string => text.replace(/\s+/g, ' ').trim();
const referenceOf = (id: string): string => `CCM-${id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase()}`;
const asSent = (text: string, id: string): string => text.split('CCM-XXXXXXXX').join(referenceOf(id));

/** A value of each declared type, as a client building a form from dataFields would fill it in. */
function sample(field: FieldView): unknown {
  switch (field.type) {
    case 'string': return `${field.name.toUpperCase()}-1`.slice(0, field.maxLength ?? 40);
    case 'number': return 12.5;
    case 'integer': return 12;
    case 'boolean': return true;
    case 'date': return '2026-12-15';
    case 'money': return { amount: '84.20', currency: 'EUR' };
    default: return [Object.fromEntries((field.items ?? []).filter((f) => f.required).map((f) => [f.name, sample(f)]))];
  }
}
const requiredData = (t: TemplateView): Record<string, unknown> => Object.fromEntries(t.dataFields.filter((f) => f.required).map((f) => [f.name, sample(f)]));

describe('previewCommunication', () => {
  let h: Harness;
  let api: CommunicationClient;
  let templates: TemplateView[];
  let person: CustomerView;
  let contractId: string;

  const preview = async (input: Record<string, unknown>): Promise<{ data: { plan: string[][]; previews: PreviewView[] } | null; errors: GraphqlError[] }> => {
    const { body } = await h.graphql<{ previewCommunication: { plan: string[][]; previews: PreviewView[] } }>(PREVIEW, { input });
    return { data: body.data?.previewCommunication ?? null, errors: body.errors ?? [] };
  };

  beforeAll(async () => {
    h = await startHarness();
    api = new CommunicationClient(h);
    const { body } = await h.graphql<{ templates: TemplateView[] }>(TEMPLATES);
    templates = body.data!.templates;
    // A customer reachable on every compared channel, with an active contract.
    for (let n = 1; n <= 40 && !person; n++) {
      const id = `C${String(n).padStart(7, '0')}`;
      const { body: c } = await h.graphql<{ customer: CustomerView }>('query($id: ID!) { customer(id: $id) { id email phone preferences { consents } postalAddress { city } contracts { id status } } }', { id });
      const found = c.data?.customer;
      const contract = found?.contracts.find((k) => k.status === 'ACTIVE');
      if (found && contract && found.email && found.phone && found.postalAddress && found.preferences.consents.includes('EMAIL') && found.preferences.consents.includes('SMS')) {
        person = found;
        contractId = contract.id;
      }
    }
    if (!person) throw new Error('no customer with email, phone, address, consents and an active contract among the first 40');
  });
  afterAll(() => h?.close());

  it('describes every template: version 1, its declared data fields, no slots, no approval', () => {
    expect(templates.map((t) => t.key).sort()).toEqual(['contract-renewal', 'invoice-available', 'payment-reminder', 'welcome']);
    for (const t of templates) {
      expect(t).toMatchObject({ version: 1, editableBlocks: [], approvalRequired: false });
      expect(t.dataFields.length).toBeGreaterThan(0);
    }
    const invoice = templates.find((t) => t.key === 'invoice-available')!;
    expect(invoice.dataFields.find((f) => f.name === 'invoiceNumber')).toMatchObject({ type: 'string', required: true, maxLength: 40 });
    expect(invoice.dataFields.find((f) => f.name === 'lines')).toMatchObject({ type: 'array', required: false });
  });

  it('dataFields lists what the validator enforces: each required field, each string length', async () => {
    for (const t of templates) {
      const base = { customerId: person.id, templateKey: t.key, contractId: t.requiresContract ? contractId : null, channelPolicy: 'EXPLICIT', channels: ['EMAIL'] };
      const full = requiredData(t);
      const ok = await preview({ ...base, data: full });
      expect(ok.errors).toEqual([]);
      for (const field of t.dataFields.filter((f) => f.required)) {
        const data = { ...full };
        delete data[field.name];
        const refused = await preview({ ...base, data });
        expect(refused.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(refused.errors[0]?.message).toContain(`data.${field.name}: expected`);
        // The send refuses it with the same words.
        const sent = await api.send({ ...base, data });
        expect(sent.errors[0]?.message).toBe(refused.errors[0]?.message);
      }
      for (const field of t.dataFields.filter((f) => f.type === 'string' && f.maxLength !== null)) {
        const longest = await preview({ ...base, data: { ...full, [field.name]: 'x'.repeat(field.maxLength!) } });
        expect(longest.errors).toEqual([]);
        const tooLong = await preview({ ...base, data: { ...full, [field.name]: 'x'.repeat(field.maxLength! + 1) } });
        expect(tooLong.errors[0]?.message).toContain(`data.${field.name}: expected a string of at most ${field.maxLength} characters`);
      }
    }
  });

  it('refuses what a send refuses, and writes and queues nothing', async () => {
    const before = await api.totalCount();
    const mails = h.smtp.messages.length;
    const texts = h.sms.messages.length;
    const unknown = await preview({ customerId: person.id, templateKey: 'no-such-template' });
    const unknownSend = await api.send({ customerId: person.id, templateKey: 'no-such-template' });
    expect(unknown.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors[0]?.message).toBe(unknownSend.errors[0]?.message);
    const stranger = await preview({ customerId: 'C9999999', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'] });
    expect(stranger.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    const noContract = await preview({ customerId: person.id, templateKey: 'invoice-available', data: requiredData(templates.find((t) => t.key === 'invoice-available')!) });
    expect(noContract.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const welcome = templates.find((t) => t.key === 'welcome')!;
    const ok = await preview({ customerId: person.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL', 'LETTER', 'PORTAL'], data: requiredData(welcome) });
    expect(ok.errors).toEqual([]);
    expect(ok.data!.plan).toEqual([['EMAIL'], ['LETTER'], ['PORTAL']]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await api.totalCount()).toBe(before);
    expect(h.smtp.messages.length).toBe(mails);
    expect(h.sms.messages.length).toBe(texts);
  });

  it('serves the preview PDF only through its signed link', async () => {
    const welcome = templates.find((t) => t.key === 'welcome')!;
    const { data } = await preview({ customerId: person.id, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: requiredData(welcome) });
    const letter = data!.previews[0];
    expect(letter.pdfUrl).toMatch(/\/previews\/[0-9a-f-]{36}\?expires=\d+&sig=/);
    const path = new URL(letter.pdfUrl!).pathname + new URL(letter.pdfUrl!).search;
    const good = await fetch(`${h.url}${path}`);
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toBe('application/pdf');
    expect(pdfText(Buffer.from(await good.arrayBuffer()))).toContain('CCM-XXXXXXXX');
    const tampered = await fetch(`${h.url}${path.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`)}`);
    expect(tampered.status).toBe(403);
    // Another id under the same signature: change the id's first digit to a different one.
    const otherId = await fetch(`${h.url}${path.replace(/\/previews\/(.)/, (_m, c: string) => `/previews/${c === '0' ? '1' : '0'}`)}`);
    expect(otherId.status).toBe(403);
  });

  it('previews every template on every channel exactly as the send then delivers it', async () => {
    for (const t of templates) {
      const channels = COMPARED.filter((c) => t.channels.includes(c));
      const input = { customerId: person.id, templateKey: t.key, contractId: t.requiresContract ? contractId : null, channelPolicy: 'EXPLICIT', channels, data: requiredData(t) };
      const { data, errors } = await preview(input);
      expect(errors).toEqual([]);
      expect(data!.previews.map((p) => p.channel)).toEqual(channels);
      const sent = await api.sendOk(input);
      const done = await api.settled(sent.id, 20_000);
      for (const p of data!.previews) {
        expect(p.error).toBeNull();
        const delivery = done.deliveries.find((d) => d.channel === p.channel)!;
        expect(delivery.status).not.toBe('FAILED');
        if (p.channel === 'SMS') {
          const message = h.sms.messages.find((m) => m.sid === delivery.providerMessageId)!;
          expect(message.body).toBe(asSent(p.text!, sent.id));
          expect(p.smsSegments).toBeGreaterThanOrEqual(1);
        }
        if (p.channel === 'EMAIL') {
          const received = h.smtp.messages.find((m) => m.messageId === delivery.providerMessageId)!;
          const mail = await simpleParser(received.raw);
          expect(mail.subject).toBe(asSent(p.subject!, sent.id));
          expect(words(mail.text ?? '')).toBe(words(asSent(p.text!, sent.id)));
          expect(p.html).toContain('<');
        }
        if (p.channel === 'LETTER' || p.pdfUrl) {
          const url = new URL(p.pdfUrl!);
          const previewPdf = Buffer.from(await (await fetch(`${h.url}${url.pathname}${url.search}`)).arrayBuffer());
          const document = done.documents[0]!;
          const archived = new URL(document.downloadUrl);
          const archivedPdf = Buffer.from(await (await fetch(`${h.url}${archived.pathname}${archived.search}`)).arrayBuffer());
          expect(pdfText(archivedPdf)).toBe(asSent(pdfText(previewPdf), sent.id));
          expect(p.pdfPages).toBe(document.pages);
        }
      }
    }
  });
});
