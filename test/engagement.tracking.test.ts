import type { Client } from 'graphql-ws';
import twilio from 'twilio';
import { startHarness, type Harness } from './support/gateway.harness';
import { createDatabase } from './support/postgres.cluster';
import { roundTrip, subscribe, wsClient } from './support/subscription.client';
import { signHs256 } from './support/tokens';

// mailparser ships no types; this is the part of its API the assertions use.
interface ParsedMail { html?: string | false; text?: string }
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<ParsedMail> };

const SECRET = 'engagement-tracking-secret-0123456789-abcd';
type Headers = Record<string, string>;
interface GqlError { message: string; extensions?: Record<string, unknown> }
interface EngagementView { at: string; kind: string; detail: string | null }
interface DeliveryView { id: string; channel: string; status: string; readAt: string | null; engagement: EngagementView[]; events: { status: string; detail: string | null }[] }
interface CommunicationView { id: string; status: string; deliveries: DeliveryView[]; documents: { id: string; downloadUrl: string }[] }

const jwt = (claims: Record<string, unknown>): Headers => ({ authorization: `Bearer ${signHs256(claims, SECRET)}` });
const agent = jwt({ sub: 'agent-1', role: 'agent' });
const portal = (customerId: string): Headers => jwt({ sub: `portal-${customerId}`, role: 'portal', customerId });

const DELIVERY = 'id channel status readAt engagement { at kind detail } events { status detail }';
const COMMUNICATION = `query($id: ID!) { communication(id: $id) { id status deliveries { ${DELIVERY} } documents { id downloadUrl } } }`;
const SEND = 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }';
const MARK = `mutation($id: ID!) { markDocumentRead(id: $id) { id } }`;
const SETTLED = new Set(['SENT', 'DELIVERED', 'READ', 'FAILED', 'BOUNCED', 'SKIPPED', 'CANCELLED']);
const PORTAL = 'https://portal.example/';
const invoice = { invoiceNumber: 'INV-2026-000777', amountDue: { amount: '84.20', currency: 'EUR' }, dueDate: '2026-08-15' };

describe.each(['sqlite', 'postgres'] as const)('engagement signals on %s', (kind) => {
  let h: Harness;
  let ws: Client;
  const emailCustomers: string[] = [];
  const portalCustomers: string[] = [];
  const contracts = new Map<string, string>();
  const smsCustomers: { id: string; phone: string }[] = [];
  const whatsappCustomers: { id: string; phone: string }[] = [];

  const ask = async (headers: Headers, query: string, variables: Record<string, unknown> = {}): Promise<{ data: Record<string, any> | null | undefined; errors: GqlError[] }> => {
    const { body } = await h.graphql(query, variables, headers);
    return { data: body.data as Record<string, any> | null | undefined, errors: body.errors ?? [] };
  };
  const communication = async (id: string, headers: Headers = agent): Promise<CommunicationView> => {
    const answer = await ask(headers, COMMUNICATION, { id });
    if (!answer.data?.communication) throw new Error(`communication ${id}: ${JSON.stringify(answer.errors)}`);
    return answer.data.communication as CommunicationView;
  };
  const send = async (customerId: string, channel: 'EMAIL' | 'PORTAL' | 'SMS' | 'WHATSAPP', templateKey = 'invoice-available', extra: Record<string, unknown> = {}): Promise<CommunicationView> => {
    const input = templateKey === 'welcome'
      ? { customerId, templateKey, channelPolicy: 'EXPLICIT', channels: [channel], ...extra }
      : { customerId, contractId: contracts.get(customerId), templateKey, channelPolicy: 'EXPLICIT', channels: [channel], data: invoice, ...extra };
    const answer = await ask(agent, SEND, { input });
    if (!answer.data?.sendCommunication) throw new Error(`sendCommunication: ${JSON.stringify(answer.errors)}`);
    const id = answer.data.sendCommunication.id as string;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = await communication(id);
      if (found.deliveries.every((d) => SETTLED.has(d.status))) return found;
      if (Date.now() > deadline) throw new Error(`communication ${id} did not settle: ${JSON.stringify(found.deliveries)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const mailOf = async (delivery: DeliveryView): Promise<ParsedMail> => {
    const received = await h.smtp.waitFor((m) => m.mailFrom.includes(delivery.id), 10_000);
    return simpleParser(received.raw);
  };
  const trackedUrls = (mail: ParsedMail): { pixel: string; link: string } => {
    const html = typeof mail.html === 'string' ? mail.html : '';
    const pixel = /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(html)?.[1];
    const link = /<a href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1];
    if (!pixel || !link) throw new Error(`expected a pixel and a tracked link in the email, got ${html.slice(-1500)}`);
    return { pixel: pixel.replace(/&#38;/g, '&'), link: link.replace(/&#38;/g, '&') };
  };

  beforeAll(async () => {
    const databaseUrl = kind === 'postgres' ? await createDatabase(process.env.TEST_POSTGRES_URL!, `engagement_${process.pid}`) : undefined;
    h = await startHarness({ databaseUrl, customers: 80, env: { AUTH_JWT_SECRET: SECRET, PORTAL_URL: PORTAL } });
    ws = wsClient(h.url, { authorization: agent.authorization });
    for (let i = 1; i <= 80 && (emailCustomers.length < 6 || portalCustomers.length < 3 || smsCustomers.length < 1 || whatsappCustomers.length < 1); i += 1) {
      const id = `C${String(i).padStart(7, '0')}`;
      const { data } = await ask(agent, 'query($id: ID!) { customer(id: $id) { id email phone preferences { consents } contracts { id status } } }', { id });
      const c = data?.customer as { email: string | null; phone: string | null; preferences: { consents: string[] }; contracts: { id: string; status: string }[] } | null;
      const contract = c?.contracts.find((k) => k.status === 'ACTIVE');
      if (!contract) continue;
      contracts.set(id, contract.id);
      if (c?.email && c.preferences.consents.includes('EMAIL')) emailCustomers.push(id);
      if (c?.preferences.consents.includes('PORTAL')) portalCustomers.push(id);
      if (c?.phone && c.preferences.consents.includes('SMS') && !smsCustomers.some((k) => k.phone === c.phone)) smsCustomers.push({ id, phone: c.phone });
      if (c?.phone && c.preferences.consents.includes('WHATSAPP')) whatsappCustomers.push({ id, phone: c.phone });
    }
    expect(emailCustomers.length).toBeGreaterThanOrEqual(6);
    expect(whatsappCustomers.length).toBeGreaterThanOrEqual(1);
    expect(portalCustomers.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    await ws?.dispose();
    await h?.close();
  });

  it('renders an opaque pixel and link; fetching them records OPENED and CLICKED once each, live on the subscription and on the timeline', async () => {
    const customerId = emailCustomers[0];
    const sent = await send(customerId, 'EMAIL');
    const [delivery] = sent.deliveries;
    expect(delivery.status).toBe('SENT');
    expect(delivery.engagement).toEqual([]);
    expect(delivery.readAt).toBeNull();
    const mail = await mailOf(delivery);
    const { pixel, link } = trackedUrls(mail);
    expect(mail.text).toContain(link);
    // Opaque: neither the delivery, the communication nor the address can be read off the URL.
    for (const url of [pixel, link]) {
      expect(url.startsWith(`${h.url}/t/`)).toBe(true);
      expect(url).not.toContain(delivery.id);
      expect(url).not.toContain(sent.id);
      expect(url).not.toContain(customerId);
      expect(url).not.toMatch(/@|%40/);
    }

    const live = subscribe<{ id: string; status: string; engagement: { kind: string }[] }>(ws, 'subscription($id: ID!) { deliveryStatusChanged(communicationId: $id) { id status engagement { kind } } }', { id: sent.id }, 'deliveryStatusChanged');
    await roundTrip(ws);
    const opened = await fetch(pixel);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    expect((await opened.arrayBuffer()).byteLength).toBeGreaterThan(0);
    await live.until((r) => r.some((c) => c.status === 'READ' && c.engagement.some((e) => e.kind === 'OPENED')));
    // A mail client that loads the image again adds nothing.
    expect((await fetch(pixel)).status).toBe(200);

    const clicked = await fetch(link, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    const location = clicked.headers.get('location') ?? '';
    expect(location.startsWith(`${h.url}/documents/${sent.documents[0].id}?`)).toBe(true);
    const pdf = await fetch(location);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    await live.until((r) => r.some((c) => c.engagement.some((e) => e.kind === 'CLICKED')));
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    live.dispose();

    const after = (await communication(sent.id)).deliveries[0];
    expect(after.status).toBe('READ');
    expect(after.engagement.map((e) => e.kind)).toEqual(['OPENED', 'CLICKED']);
    expect(after.engagement[1].detail).toBe('view online');
    expect(after.readAt).toBe(after.engagement[0].at);
    const notes = after.events.map((e) => `${e.status} ${e.detail}`);
    expect(notes.filter((n) => n.includes('opened'))).toEqual(['READ opened']);
    expect(notes.filter((n) => n.includes('clicked'))).toEqual(['READ clicked: view online']);
    // READ counts as reaching the customer.
    expect((await communication(sent.id)).status).toBe('DELIVERED');
  });

  it('answers 404 to an altered token, a token of the other kind and a link to a foreign address, and records nothing', async () => {
    const sent = await send(emailCustomers[1], 'EMAIL');
    const [delivery] = sent.deliveries;
    const { pixel, link } = trackedUrls(await mailOf(delivery));
    const token = (url: string): string => url.slice(url.lastIndexOf('/') + 1);
    const flip = (text: string, at: number): string => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const base = `${h.url}/t`;
    const refused = [
      `${base}/o/${flip(token(pixel), 30)}`,
      `${base}/c/${flip(token(link), 30)}`,
      `${base}/c/${flip(token(link), token(link).length - 3)}`,
      `${base}/c/${token(pixel)}`, // a pixel is not a link
      `${base}/o/${token(link)}`,
      // A token anyone could write: the delivery id and a foreign address, unsigned.
      `${base}/c/${Buffer.from(JSON.stringify({ k: 'c', d: delivery.id, u: 'https://evil.example/' })).toString('base64url')}`,
      `${base}/c/not-a-token`,
    ];
    for (const url of refused) {
      const answer = await fetch(url, { redirect: 'manual' });
      expect([url, answer.status, answer.headers.get('location')]).toEqual([url, 404, null]);
    }
    // The real link ignores anything appended to it: it leads where the message linked, nowhere else.
    const appended = await fetch(`${link}?url=https://evil.example/&next=https://evil.example/`, { redirect: 'manual' });
    expect(appended.status).toBe(302);
    expect(appended.headers.get('location')).not.toContain('evil.example');
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.engagement.map((e) => e.kind)).toEqual(['CLICKED']);
    // Link checkers asking with HEAD record nothing.
    const sent2 = await send(emailCustomers[2], 'EMAIL');
    const urls = trackedUrls(await mailOf(sent2.deliveries[0]));
    expect((await fetch(urls.link, { method: 'HEAD', redirect: 'manual' })).status).toBe(204);
    expect((await fetch(urls.pixel, { method: 'HEAD' })).status).toBe(200);
    const untouched = (await communication(sent2.id)).deliveries[0];
    expect(untouched.engagement).toEqual([]);
    expect(untouched.status).toBe('SENT');
  });

  it('marks the portal delivery DOWNLOADED and READ when the portal user downloads its document; an agent link does not', async () => {
    const customerId = portalCustomers[0];
    const sent = await send(customerId, 'PORTAL');
    expect(sent.deliveries[0].status).toBe('DELIVERED');
    const agentLink = sent.documents[0].downloadUrl;
    expect(agentLink).not.toContain('reader=');
    expect((await fetch(agentLink)).status).toBe(200);
    expect((await communication(sent.id)).deliveries[0].engagement).toEqual([]);

    const own = await communication(sent.id, portal(customerId));
    const link = own.documents[0].downloadUrl;
    expect(link).toContain('reader=portal');
    // The reader mark is signed: dropping it or adding it to an agent link breaks the link.
    expect((await fetch(link.replace('reader=portal&', ''))).status).toBe(403);
    expect((await fetch(`${agentLink}&reader=portal`)).status).toBe(403);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    await fetch(link);
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.status).toBe('READ');
    expect(after.engagement.map((e) => e.kind)).toEqual(['DOWNLOADED', 'READ']);
    expect(after.readAt).toBe(after.engagement[0].at);
  });

  it('markDocumentRead: READ for the own customer and for an agent, NOT_FOUND for another portal customer, once', async () => {
    const [a, b] = portalCustomers.slice(1, 3);
    const sent = await send(a, 'PORTAL');
    const documentId = sent.documents[0].id;
    const foreign = await ask(portal(b), MARK, { id: documentId });
    expect(foreign.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(foreign.errors[0].message).not.toContain(a);
    expect((await communication(sent.id)).deliveries[0].engagement).toEqual([]);
    expect((await ask(portal(a), MARK, { id: 'no-such-document' })).errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);

    const own = await ask(portal(a), MARK, { id: documentId });
    expect(own.errors).toEqual([]);
    expect(own.data?.markDocumentRead).toEqual({ id: documentId });
    expect((await ask(agent, MARK, { id: documentId })).errors).toEqual([]);
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.status).toBe('READ');
    expect(after.engagement.map((e) => `${e.kind} ${e.detail}`)).toEqual(['READ portal']);

    const byAgent = await send(a, 'PORTAL');
    expect((await ask(agent, MARK, { id: byAgent.documents[0].id })).errors).toEqual([]);
    expect((await communication(byAgent.id)).deliveries[0].engagement.map((e) => `${e.kind} ${e.detail}`)).toEqual(['READ agent']);
  });

  it('records REPLIED once when the customer answers an SMS from the number it went to; a keyword is no reply', async () => {
    const { id, phone } = smsCustomers[0];
    const sent = await send(id, 'SMS');
    const [delivery] = sent.deliveries;
    expect(['SENT', 'DELIVERED']).toContain(delivery.status);
    const inboundUrl = `${h.config.publicUrl}/webhooks/twilio/inbound`;
    let n = 0;
    const post = async (body: string): Promise<number> => {
      n += 1;
      const params = { MessageSid: `SM${sent.id.replace(/-/g, '').slice(0, 24)}${String(n).padStart(8, '0')}`, AccountSid: h.sms.accountSid, From: phone, To: '+15005550006', Body: body, NumMedia: '0' };
      const signature = twilio.getExpectedTwilioSignature(h.sms.authToken, inboundUrl, params);
      const answer = await fetch(`${h.url}/webhooks/twilio/inbound`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
      return answer.status;
    };
    expect(await post('HELP')).toBe(200);
    expect((await communication(sent.id)).deliveries[0].engagement).toEqual([]);
    expect(await post('Thanks, I paid it yesterday')).toBe(200);
    expect(await post('And one more thing')).toBe(200);
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.engagement.map((e) => `${e.kind} ${e.detail}`)).toEqual(['REPLIED inbound message']);
    expect(after.status).toBe('READ');
    expect(after.readAt).toBe(after.engagement[0].at);
  });

  /** Anchors of an email's HTML: [href, shown text], both unescaped. */
  const anchorsOf = (mail: ParsedMail): [string, string][] => {
    const html = typeof mail.html === 'string' ? mail.html : '';
    const unescape = (s: string): string => s.replace(/&#38;/g, '&');
    return [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => [unescape(m[1]), unescape(m[2])]);
  };
  const PORTAL_LINE = /^(View your customer area online|Voir votre espace client en ligne|Ihr Kundenportal online ansehen)$/;

  it("rewrites the links a template writes to tracked links; a click answers 302 to exactly that address and records CLICKED; mailto stays as written; welcome has its view-online line", async () => {
    const start = 'https://portal.example/start?ref=welcome&step=1';
    const extra = { data: { portalUrl: start }, blocks: [{ slot: 'note', text: 'Questions? Write to mailto:help@example.org or read https://help.example/faq.' }] };
    const preview = await ask(agent, 'query($input: SendCommunicationInput!) { previewCommunication(input: $input) { previews { channel text html } } }', {
      input: { customerId: emailCustomers[3], templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], ...extra },
    });
    const sent = await send(emailCustomers[3], 'EMAIL', 'welcome', extra);
    const [delivery] = sent.deliveries;
    const mail = await mailOf(delivery);
    // Preview = send: the same text, the same tracked links (a preview's own tokens lead nowhere), no pixel in the preview.
    const words = (text: string): string => text.replace(/\/t\/c\/[A-Za-z0-9_-]+/g, '/t/c/…').replace(/CCM-[A-Z0-9]{8}/g, 'CCM-…').replace(/\s+/g, ' ').trim();
    const [previewed] = preview.data?.previewCommunication.previews as { text: string; html: string }[];
    expect(words(previewed.text)).toBe(words(mail.text ?? ''));
    expect(previewed.text).toContain('/t/c/');
    expect(previewed.html).not.toContain('/t/o/');
    const anchors = anchorsOf(mail);
    const byText = new Map(anchors.map(([href, shown]) => [shown, href]));
    const link = byText.get(start)!;
    expect(link.startsWith(`${h.url}/t/c/`)).toBe(true);
    expect(byText.get('https://help.example/faq')!.startsWith(`${h.url}/t/c/`)).toBe(true);
    // Nothing of the address, the customer or the delivery readable in the link.
    expect(link).not.toMatch(/portal\.example|welcome|%40|@/);
    expect(link).not.toContain(delivery.id);
    expect(link).not.toContain(emailCustomers[3]);
    // Every link of the message is a tracked one; mailto: is no link at all.
    expect(anchors.every(([href]) => href.startsWith(`${h.url}/t/c/`))).toBe(true);
    expect(anchors.some(([href]) => href.startsWith('mailto:'))).toBe(false);
    expect(mail.html).toContain('mailto:help@example.org');
    // Welcome has no document: its "view online" line leads to the customer area (PORTAL_URL), tracked too.
    const line = anchors.find(([, shown]) => PORTAL_LINE.test(shown));
    expect(line?.[0].startsWith(`${h.url}/t/c/`)).toBe(true);
    // The text part carries the same tracked links.
    expect(mail.text).toContain(link);
    expect(mail.text).toContain(line![0]);
    expect(mail.text).not.toContain(start);
    expect(mail.text).toContain('mailto:help@example.org');

    const token = link.slice(link.lastIndexOf('/') + 1);
    const altered = `${h.url}/t/c/${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    expect((await fetch(altered, { redirect: 'manual' })).status).toBe(404);
    expect((await communication(sent.id)).deliveries[0].engagement).toEqual([]);

    const clicked = await fetch(link, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(start);
    const portal = await fetch(line![0], { redirect: 'manual' });
    expect(portal.headers.get('location')).toBe(h.config.tracking.portalUrl);
    expect(h.config.tracking.portalUrl).toMatch(/^https:\/\/portal\.example\/?$/);
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.status).toBe('READ');
    expect(after.engagement.map((e) => `${e.kind} ${e.detail}`)).toEqual(['CLICKED portal.example']);
  });

  it('sends a customer who turned tracking off emails without pixel or tracked links, and tracked ones again once an agent turns it back on; both changes in the history', async () => {
    const customerId = emailCustomers[4];
    const UPDATE = 'mutation($id: ID!, $input: PreferencesInput!, $reason: String) { updatePreferences(customerId: $id, input: $input, reason: $reason) { preferences { tracking } } }';
    const off = await ask(portal(customerId), UPDATE, { id: customerId, input: { tracking: false } });
    expect(off.errors).toEqual([]);
    expect(off.data?.updatePreferences.preferences.tracking).toBe(false);

    const untracked = await send(customerId, 'EMAIL');
    const mail = await mailOf(untracked.deliveries[0]);
    const everything = `${typeof mail.html === 'string' ? mail.html : ''}\n${mail.text ?? ''}`;
    expect(everything).not.toContain('/t/');
    expect(everything).not.toMatch(/<img/);
    // "View online" is the signed document link itself, as with TRACKING=off.
    const [viewOnline] = anchorsOf(mail);
    expect(viewOnline[0].startsWith(`${h.url}/documents/${untracked.documents[0].id}?`)).toBe(true);
    // Its preview shows the same: nothing tracked.
    const preview = await ask(agent, 'query($input: SendCommunicationInput!) { previewCommunication(input: $input) { previews { text html } } }', {
      input: { customerId, contractId: contracts.get(customerId), templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: invoice },
    });
    const [previewed] = preview.data?.previewCommunication.previews as { text: string; html: string }[];
    expect(`${previewed.html}${previewed.text}`).not.toContain('/t/');

    const on = await ask(agent, UPDATE, { id: customerId, input: { tracking: true }, reason: 'customer asked on the phone' });
    expect(on.errors).toEqual([]);
    const tracked = await send(customerId, 'EMAIL');
    expect(trackedUrls(await mailOf(tracked.deliveries[0])).pixel.startsWith(`${h.url}/t/o/`)).toBe(true);

    const history = await ask(agent, 'query($id: ID!) { customer(id: $id) { preferenceHistory(first: 5) { edges { node { source actor field from to reason } } } } }', { id: customerId });
    expect(history.data?.customer.preferenceHistory.edges.map((e: { node: Record<string, string | null> }) => e.node)).toEqual([
      { source: 'AGENT', actor: 'agent-1', field: 'tracking', from: 'false', to: 'true', reason: 'customer asked on the phone' },
      { source: 'PORTAL', actor: `portal-${customerId}`, field: 'tracking', from: 'true', to: 'false', reason: null },
    ]);
  });

  it("records READ with the engagement when Twilio reports a WhatsApp message read, live on the subscription", async () => {
    const { id, phone } = whatsappCustomers[0];
    const sent = await send(id, 'WHATSAPP');
    const deadline = Date.now() + 10_000;
    let delivery = sent.deliveries[0];
    while (delivery.status !== 'DELIVERED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      delivery = (await communication(sent.id)).deliveries[0];
    }
    expect(delivery.status).toBe('DELIVERED');
    const { body } = await h.graphql<{ communication: { deliveries: { providerMessageId: string }[] } }>('query($id: ID!) { communication(id: $id) { deliveries { providerMessageId } } }', { id: sent.id }, agent);
    const sid = body.data!.communication.deliveries[0].providerMessageId;

    const live = subscribe<{ id: string; status: string; engagement: { kind: string; detail: string | null }[] }>(ws, 'subscription($id: ID!) { deliveryStatusChanged(communicationId: $id) { id status engagement { kind detail } } }', { id: sent.id }, 'deliveryStatusChanged');
    await roundTrip(ws);
    const path = `/webhooks/twilio/status?delivery=${delivery.id}`;
    const params = { AccountSid: h.sms.accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: 'read', SmsStatus: 'read', To: `whatsapp:${phone}`, From: 'whatsapp:+15005550006' };
    const signature = twilio.getExpectedTwilioSignature(h.sms.authToken, `${h.config.publicUrl.replace(/\/+$/, '')}${path}`, params);
    const answer = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
    expect(answer.status).toBe(204);
    await live.until((r) => r.some((c) => c.status === 'READ' && c.engagement.some((e) => e.kind === 'READ' && e.detail === 'whatsapp read receipt')));
    live.dispose();
    const after = (await communication(sent.id)).deliveries[0];
    expect(after.status).toBe('READ');
    expect(after.engagement.map((e) => `${e.kind} ${e.detail}`)).toEqual(['READ whatsapp read receipt']);
    expect(after.readAt).toBe(after.engagement[0].at);
    expect(after.events.map((e) => `${e.status} ${e.detail}`)).toContain('READ read: whatsapp read receipt');
  });
});
