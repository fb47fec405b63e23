import { loadConfig } from '../src/config';
import { renderEmail } from '../src/channels/email/email.renderer';
import { MAX_TRACKED_LINKS, TrackedLinks } from '../src/engagement/message.links';
import { TrackingTokens } from '../src/engagement/tracking.token';
import type { DocumentModel } from '../src/render/document';
import { TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, invoiceData, TEMPLATES_DIR } from './render.fixtures';

const DELIVERY = '5f0c2a8e-3b1d-4c6e-9a7f-0123456789ab';
const DOCUMENT = '0d9e8f7a-6b5c-4d3e-8f2a-abcdefabcdef';
const documents = { signedUrl: (id: string) => `https://gw.example/documents/${id}?expires=1&sig=x` };
const TRACKED = /https:\/\/gw\.example\/t\/c\/([A-Za-z0-9_-]+)/g;

describe('tracked links in the email', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);
  const model = catalog.compose('invoice-available', context({ customer: claire, data: invoiceData }));
  const tokens = new TrackingTokens('a-tracking-secret-of-thirty-two-chars!');
  const links = (enabled: boolean, portalUrl: string | null = null) => new TrackedLinks({ publicUrl: 'https://gw.example/', tokens, enabled, portalUrl, documents });
  const render = (m: DocumentModel, own: ReturnType<TrackedLinks['forMessage']>, documentId: string | null = DOCUMENT) =>
    renderEmail(m, { viewOnline: own.viewOnline(documentId), pixel: own.pixel(), link: own.link });
  const withText = (text: string): DocumentModel => ({ ...model, blocks: [...model.blocks, { kind: 'paragraph', text }] });
  const unescape = (html: string): string => html.replace(/&#38;/g, '&');

  it('writes a pixel and a tracked "view online" link whose tokens read back to this delivery and document only', () => {
    const email = render(model, links(true).forMessage(DELIVERY));
    const pixel = /<img src="https:\/\/gw\.example\/t\/o\/([A-Za-z0-9_-]+)"/.exec(email.html)?.[1];
    const link = /<a href="https:\/\/gw\.example\/t\/c\/([A-Za-z0-9_-]+)"[^>]*>Voir ce document en ligne<\/a>/.exec(email.html)?.[1];
    expect(pixel && link).toBeTruthy();
    expect(email.text).toContain(`Voir ce document en ligne: https://gw.example/t/c/${link}`);
    expect(tokens.read(pixel!)).toEqual({ kind: 'open', deliveryId: DELIVERY });
    expect(tokens.read(link!)).toEqual({ kind: 'click', deliveryId: DELIVERY, target: { documentId: DOCUMENT }, label: 'view online' });
    expect(email.html).not.toContain(DELIVERY);
    expect(email.html).not.toContain(DOCUMENT);
    // Another secret, or one changed character anywhere: not ours.
    expect(new TrackingTokens('another-secret-of-thirty-two-chars-long').read(link!)).toBeNull();
    for (let i = 0; i < link!.length; i += 7) {
      const changed = link!.slice(0, i) + (link![i] === 'A' ? 'B' : 'A') + link!.slice(i + 1);
      expect(tokens.read(changed)).toBeNull();
    }
  });

  it('TRACKING=off: no pixel, no rewritten link; view online goes to the signed link or the portal', () => {
    const off = links(false, 'https://portal.example/');
    const withPdf = render(model, off.forMessage(DELIVERY));
    expect(withPdf.html).not.toMatch(/\/t\/[oc]\/|<img/);
    expect(withPdf.html).toContain(`<a href="https://gw.example/documents/${DOCUMENT}?expires=1&#38;sig=x"`);
    const withoutPdf = render(model, off.forMessage(DELIVERY), null);
    expect(withoutPdf.html).toContain('<a href="https://portal.example/"');
    // No document and no portal: nothing to view online, so no link at all.
    expect(links(true).forMessage(DELIVERY).viewOnline(null)).toBeNull();
  });

  it("the customer's tracking: false writes the message exactly as TRACKING=off does", () => {
    const text = 'Questions? See https://help.example/faq?topic=invoice&lang=fr.';
    const declined = render(withText(text), links(true, 'https://portal.example/').forMessage(DELIVERY, { tracking: false }));
    const off = render(withText(text), links(false, 'https://portal.example/').forMessage(DELIVERY));
    expect(declined).toEqual(off);
    expect(`${declined.html}${declined.text}`).not.toMatch(/\/t\/|<img/);
    expect(declined.html).toContain('<a href="https://help.example/faq?topic=invoice&#38;lang=fr" style="color:#1f4e8c;">https://help.example/faq?topic=invoice&#38;lang=fr</a>.');
    expect(declined.text).toContain(text);
  });

  it('rewrites every http(s) address of the text to a tracked link of this message, the same in the HTML and the text; mailto:, tel: and bare names stay text', () => {
    const text = 'See https://help.example/faq?topic=invoice&lang=fr. Pay at https://pay.example/p/(ref), or https://help.example/faq?topic=invoice&lang=fr again. '
      + 'Write to mailto:help@example.org, call tel:+33123456789, visit www.example.org or ftp://files.example/a.';
    const email = render(withText(text), links(true).forMessage(DELIVERY));
    const anchors = [...email.html.matchAll(/<a href="https:\/\/gw\.example\/t\/c\/([A-Za-z0-9_-]+)" style="color:#1f4e8c;">([^<]*)<\/a>/g)].map((m) => [m[1], unescape(m[2])]);
    const written = anchors.filter(([, shown]) => shown !== 'Voir ce document en ligne');
    expect(written.map(([, shown]) => shown)).toEqual(['https://help.example/faq?topic=invoice&lang=fr', 'https://pay.example/p/(ref)', 'https://help.example/faq?topic=invoice&lang=fr']);
    // One token per address: the same link twice is the same tracked link.
    expect(written[0][0]).toBe(written[2][0]);
    expect(tokens.read(written[0][0])).toEqual({ kind: 'click', deliveryId: DELIVERY, target: { url: 'https://help.example/faq?topic=invoice&lang=fr' }, label: null });
    expect(tokens.read(written[1][0])).toEqual({ kind: 'click', deliveryId: DELIVERY, target: { url: 'https://pay.example/p/(ref)' }, label: null });
    // Nothing readable of the address or the customer in the link.
    for (const [token] of written) {
      expect(token).not.toMatch(/help|pay\.example|faq|invoice/);
      expect(token).not.toContain(claire.id);
    }
    expect(email.html).not.toMatch(/href="(mailto|tel|ftp):|href="www\./);
    expect(email.html).toContain('Write to mailto:help@example.org, call tel:+33123456789, visit www.example.org or ftp://files.example/a.');
    // The plain text carries the same tracked links where the addresses were, and the sentence's punctuation stays outside them.
    const inText = [...email.text.matchAll(TRACKED)].map((m) => m[1]);
    expect(inText).toEqual(expect.arrayContaining([written[0][0], written[1][0]]));
    expect(email.text).toContain(`See https://gw.example/t/c/${written[0][0]}. Pay at https://gw.example/t/c/${written[1][0]}, or`);
    expect(email.text).not.toContain('https://help.example');
    expect(email.text).toContain('mailto:help@example.org');
  });

  it(`rewrites at most ${MAX_TRACKED_LINKS} distinct addresses per message; the ones after stay as written`, () => {
    const urls = Array.from({ length: MAX_TRACKED_LINKS + 5 }, (_, i) => `https://site${i}.example/page`);
    const email = render(withText(urls.join(' ')), links(true).forMessage(DELIVERY), null);
    const tracked = [...email.html.matchAll(/<a href="https:\/\/gw\.example\/t\/c\/([A-Za-z0-9_-]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => m[2]);
    expect(tracked).toEqual(urls.slice(0, MAX_TRACKED_LINKS));
    for (const url of urls.slice(MAX_TRACKED_LINKS)) {
      expect(email.html).toContain(`<a href="${url}" style="color:#1f4e8c;">${url}</a>`);
      expect(email.text).toContain(url);
    }
    // Another message of the same links gets tokens of its own delivery.
    const other = links(true).forMessage('another-delivery').link(urls[0]);
    expect(tokens.read(other.slice(other.lastIndexOf('/') + 1))).toMatchObject({ deliveryId: 'another-delivery', target: { url: urls[0] } });
  });

  it('never writes a link that is not http(s)', () => {
    const email = renderEmail(withText('javascript:alert(1) and data:text/html,<b>x</b>'), { viewOnline: 'javascript:alert(1)', pixel: 'data:image/gif;base64,AAAA', link: () => 'javascript:alert(2)' });
    expect(email.html).not.toMatch(/<a |<img|href="javascript:|data:image/);
    expect(email.text).not.toContain('javascript:alert(2)');
    // A link function that answers something else than http(s) for an address leaves the address as text.
    const odd = renderEmail(withText('at https://help.example/'), { link: () => 'javascript:alert(3)' });
    expect(odd.html).not.toContain('javascript:alert(3)');
    expect(odd.html).toContain('at https://help.example/');
  });

  it('welcome (no document): "view online" leads to the customer area in the customer\'s language, or is left out without PORTAL_URL', () => {
    const welcome = catalog.compose('welcome', context({ customer: claire, data: { portalUrl: 'https://portal.example/start' } }));
    const own = links(true, 'https://portal.example/').forMessage(DELIVERY);
    const email = renderEmail(welcome, { viewOnline: own.viewOnline(null), viewOnlineOf: 'portal', pixel: own.pixel(), link: own.link });
    const line = /<a href="https:\/\/gw\.example\/t\/c\/([A-Za-z0-9_-]+)"[^>]*>Voir votre espace client en ligne<\/a>/.exec(email.html)?.[1];
    expect(tokens.read(line!)).toEqual({ kind: 'click', deliveryId: DELIVERY, target: { url: 'https://portal.example/' }, label: 'view online' });
    expect(email.text).toContain(`Voir votre espace client en ligne: https://gw.example/t/c/${line}`);
    expect(email.html).not.toContain('Voir ce document en ligne');
    const none = links(true, null).forMessage(DELIVERY);
    const without = renderEmail(welcome, { viewOnline: none.viewOnline(null), viewOnlineOf: 'portal', pixel: none.pixel(), link: none.link });
    expect(without.html).not.toMatch(/espace client en ligne|ce document en ligne/);
  });

  it('without PORTAL_URL, "view online" of an email without a document leads to the gateway\'s own console (where a portal user sees their documents)', () => {
    expect(loadConfig({ PORT: '4100' }).tracking.portalUrl).toBe('http://127.0.0.1:4100/console/');
    expect(loadConfig({ PUBLIC_URL: 'https://gw.example/' }).tracking.portalUrl).toBe('https://gw.example/console/');
    expect(loadConfig({ PUBLIC_URL: 'https://gw.example/', PORTAL_URL: 'https://portal.example/' }).tracking.portalUrl).toBe('https://portal.example');
  });

  it('leaves addresses as text when the message links nothing (no links given)', () => {
    const email = renderEmail(withText('See https://help.example/faq.'));
    expect(email.html).not.toContain('<a ');
    expect(email.html).toContain('See https://help.example/faq.');
  });
});
