import { CommunicationClient, pdfText, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { asKey } from './support/keyed.harness';

// mailparser ships no types; this is the part of its API the assertions use.
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<{ subject?: string; text?: string }> };

interface FieldView { name: string; type: string; required: boolean; maxLength: number | null; maxItems: number | null; items: FieldView[] | null }
interface TemplateView { key: string; channels: string[]; requiresContract: boolean; version: number; editableBlocks: string[]; approvalRequired: boolean; approvalWhenEdited: boolean; dataFields: FieldView[] }
interface PreviewView { channel: string; subject: string | null; text: string | null; html: string | null; smsSegments: number | null; pdfPages: number | null; pdfUrl: string | null; error: string | null }
interface CustomerView { id: string; email: string | null; phone: string | null; preferences: { consents: string[] }; postalAddress: { city: string } | null; contracts: { id: string; status: string }[] }

const PREVIEW = `query($input: SendCommunicationInput!) { previewCommunication(input: $input) { plan previews { channel subject text html smsSegments pdfPages pdfUrl error } } }`;
const TEMPLATES = `{ templates { key channels requiresContract version editableBlocks approvalRequired approvalWhenEdited dataFields { name type required maxLength maxItems items { name type required maxLength maxItems items { name } } } } }`;
const COMPARED = ['EMAIL', 'SMS', 'LETTER'];
// A tracked link is made per delivery (the preview's leads nowhere): the same line, another token.
const words = (text: string): string => text.replace(/\/t\/c\/[A-Za-z0-9_-]+/g, '/t/c/…').replace(/\s+/g, ' ').trim();
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

  it('describes every template: version 1, its declared data fields, its slots, no approval', () => {
    expect(templates.map((t) => t.key).sort()).toEqual(['contract-renewal', 'invoice-available', 'payment-reminder', 'welcome']);
    const slots: Record<string, string[]> = { 'contract-renewal': [], 'invoice-available': [], 'payment-reminder': ['note'], welcome: ['note'] };
    for (const t of templates) {
      expect(t).toMatchObject({ version: 1, editableBlocks: slots[t.key], approvalRequired: false, approvalWhenEdited: t.key === 'payment-reminder' });
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
      // Slots filled where that does not hold the send for approval (this harness has a single principal; api.approval.test.ts covers the rest).
      const blocks = t.approvalRequired || t.approvalWhenEdited ? [] : t.editableBlocks.map((slot) => ({ slot, text: `Agent text for ${slot} & <${t.key}>.\n\nSecond paragraph.` }));
      const input = { customerId: person.id, templateKey: t.key, contractId: t.requiresContract ? contractId : null, channelPolicy: 'EXPLICIT', channels, data: requiredData(t), ...(blocks.length ? { blocks } : {}) };
      const { data, errors } = await preview(input);
      expect(errors).toEqual([]);
      expect(data!.previews.map((p) => p.channel)).toEqual(channels);
      const sent = await api.sendOk(input);
      const done = await api.settled(sent.id, 20_000);
      for (const p of data!.previews) {
        expect(p.error).toBeNull();
        // The agent's text is in what a person reads on every compared channel (the letter's below, from its PDF).
        if (blocks.length && p.channel !== 'LETTER') expect(words(p.text!)).toContain(`Agent text for note & <${t.key}>.`);
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
          if (blocks.length) expect(words(pdfText(previewPdf))).toContain(`Agent text for note & <${t.key}>. Second paragraph.`);
          expect(p.pdfPages).toBe(document.pages);
        }
      }
    }
  });
});

describe('edited blocks', () => {
  let h: Harness;
  let agent: Harness;
  let api: CommunicationClient;
  const note = 'Following our call today: the fee is waived <b>if</b> you pay by Friday & keep the direct debit.\n\nYour advisor, Anna';

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: 'agent:blocks-agent,approver:blocks-approver' } });
    agent = asKey(h, 'blocks-agent');
    api = new CommunicationClient(agent);
  });
  afterAll(() => h?.close());

  const customerWithContract = async (): Promise<{ id: string; contractId: string }> => {
    for (let n = 1; n <= 40; n++) {
      const id = `C${String(n).padStart(7, '0')}`;
      const { body } = await agent.graphql<{ customer: CustomerView }>('query($id: ID!) { customer(id: $id) { id email phone preferences { consents } postalAddress { city } contracts { id status } } }', { id });
      const c = body.data?.customer;
      const contract = c?.contracts.find((k) => k.status === 'ACTIVE');
      if (c && contract && c.email && c.phone && c.postalAddress && c.preferences.consents.includes('EMAIL') && c.preferences.consents.includes('SMS')) return { id, contractId: contract.id };
    }
    throw new Error('no suitable customer');
  };

  it("puts the agent's text, escaped, into the PDF, the email and the SMS", async () => {
    const { id, contractId } = await customerWithContract();
    const { body } = await agent.graphql<{ templates: { key: string; editableBlocks: string[] }[] }>('{ templates { key editableBlocks } }');
    expect(body.data!.templates.find((t) => t.key === 'payment-reminder')!.editableBlocks).toEqual(['note']);
    const sent = await api.sendOk({
      customerId: id, templateKey: 'payment-reminder', contractId, channelPolicy: 'EXPLICIT', channels: ['EMAIL', 'SMS', 'LETTER'],
      data: { invoiceNumber: 'INV-NOTE-1', amountDue: { amount: '84.20', currency: 'EUR' }, dueDate: '2026-12-20' },
      blocks: [{ slot: 'note', text: note }],
    });
    // The agent's own words on a payment reminder get a second look first.
    expect(sent.status).toBe('AWAITING_APPROVAL');
    const approved = await asKey(h, 'blocks-approver').graphql<{ approveCommunication: { status: string } }>('mutation($id: ID!) { approveCommunication(id: $id) { status } }', { id: sent.id });
    expect(approved.body.errors).toBeUndefined();
    const done = await api.settled(sent.id, 20_000);
    const byChannel = (c: string) => done.deliveries.find((d) => d.channel === c)!;
    const sms = h.sms.messages.find((m) => m.sid === byChannel('SMS').providerMessageId)!;
    expect(sms.body).toContain('the fee is waived <b>if</b> you pay by Friday & keep the direct debit. Your advisor, Anna');
    const mail = h.smtp.messages.find((m) => m.messageId === byChannel('EMAIL').providerMessageId)!;
    const parsed = await require('mailparser').simpleParser(mail.raw) as { text: string; html: string };
    expect(words(parsed.text)).toContain(words(note));
    // Escaped (as character references, named or numeric), so the markup shows as written and is not applied.
    const decoded = parsed.html.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(parsed.html).toMatch(/waived &(lt|#60);b&(gt|#62);if&(lt|#60);\/b&(gt|#62); you pay by Friday &(amp|#38); keep/);
    expect(decoded).toContain('waived <b>if</b> you pay by Friday & keep');
    expect(parsed.html).not.toContain('<b>if</b>');
    const doc = done.documents[0]!;
    const url = new URL(doc.downloadUrl);
    const pdf = Buffer.from(await (await fetch(`${h.url}${url.pathname}${url.search}`)).arrayBuffer());
    const text = words(pdfText(pdf));
    expect(text).toContain('the fee is waived <b>if</b> you pay by Friday & keep the direct debit.');
    expect(text).toContain('Your advisor, Anna');
  });

  it('refuses an unknown slot, a repeated slot, empty or too long text, and writes nothing', async () => {
    const { id, contractId } = await customerWithContract();
    const before = await api.totalCount();
    const base = { customerId: id, templateKey: 'payment-reminder', contractId, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: { invoiceNumber: 'INV-NOTE-2', amountDue: { amount: '1.00', currency: 'EUR' }, dueDate: '2026-12-20' } };
    const cases: [unknown, RegExp][] = [
      [[{ slot: 'p.s.', text: 'hello' }], /^blocks\[0\]\.slot: expected one of note, got "p\.s\."$/],
      [[{ slot: 'note', text: 'a' }, { slot: 'note', text: 'b' }], /^blocks\[1\]\.slot: expected each slot once/],
      [[{ slot: 'note', text: '  \n ' }], /^blocks\[0\]\.text: expected some text/],
      [[{ slot: 'note', text: 'x'.repeat(2001) }], /^blocks\[0\]\.text: expected at most 2000 characters, got 2001$/],
      [[{ slot: 'note', text: 'bell \u0007' }], /^blocks\[0\]\.text: expected plain text/],
    ];
    for (const [blocks, message] of cases) {
      const { errors } = await api.send({ ...base, blocks });
      expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors[0]?.message).toMatch(message);
      // A preview refuses it with the same words.
      const { body } = await agent.graphql<unknown>('query($input: SendCommunicationInput!) { previewCommunication(input: $input) { plan } }', { input: { ...base, blocks } });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toBe(errors[0]?.message);
    }
    const contractless = await api.send({ customerId: id, templateKey: 'contract-renewal', contractId, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: { renewalDate: '2026-10-01', termMonths: 12 }, blocks: [{ slot: 'note', text: 'hi' }] });
    expect(contractless.errors[0]?.message).toMatch(/no slots/);
    expect(await api.totalCount()).toBe(before);
    const longest = await api.send({ ...base, blocks: [{ slot: 'note', text: 'x'.repeat(2000) }] });
    expect(longest.errors).toEqual([]);
  });
});
