import { renderEmail } from '../src/channels/email/email.renderer';
import { TrackedLinks } from '../src/engagement/message.links';
import { TrackingTokens } from '../src/engagement/tracking.token';
import { TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, invoiceData, TEMPLATES_DIR } from './render.fixtures';

const DELIVERY = '5f0c2a8e-3b1d-4c6e-9a7f-0123456789ab';
const DOCUMENT = '0d9e8f7a-6b5c-4d3e-8f2a-abcdefabcdef';
const documents = { signedUrl: (id: string) => `https://gw.example/documents/${id}?expires=1&sig=x` };

describe('tracked links in the email', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);
  const model = catalog.compose('invoice-available', context({ customer: claire, data: invoiceData }));
  const tokens = new TrackingTokens('a-tracking-secret-of-thirty-two-chars!');
  const links = (enabled: boolean, portalUrl: string | null = null) => new TrackedLinks({ publicUrl: 'https://gw.example/', tokens, enabled, portalUrl, documents });

  it('writes a pixel and a tracked "view online" link whose tokens read back to this delivery and document only', () => {
    const on = links(true);
    const email = renderEmail(model, { viewOnline: on.viewOnline(DELIVERY, DOCUMENT), pixel: on.pixel(DELIVERY) });
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
    const withPdf = renderEmail(model, { viewOnline: off.viewOnline(DELIVERY, DOCUMENT), pixel: off.pixel(DELIVERY) });
    expect(withPdf.html).not.toMatch(/\/t\/[oc]\/|<img/);
    expect(withPdf.html).toContain(`<a href="https://gw.example/documents/${DOCUMENT}?expires=1&#38;sig=x"`);
    const withoutPdf = renderEmail(model, { viewOnline: off.viewOnline(DELIVERY, null), pixel: off.pixel(DELIVERY) });
    expect(withoutPdf.html).toContain('<a href="https://portal.example/"');
    // No document and no portal: nothing to view online, so no link at all.
    expect(links(true).viewOnline(DELIVERY, null)).toBeNull();
  });

  it('never writes a link that is not http(s)', () => {
    const email = renderEmail(model, { viewOnline: 'javascript:alert(1)', pixel: 'data:image/gif;base64,AAAA' });
    expect(email.html).not.toMatch(/<a |<img|javascript:|data:image/);
    expect(email.text).not.toContain('javascript:');
  });
});
