import { Channel } from '../../domain';
import { pagesText, type ChannelModule } from '../channel.module';
import { renderEmail } from './email.renderer';
import { SmtpEmailProvider, type EmailContent } from './email.smtp';

/** Email over SMTP: an HTML body and its text alternative, the PDF letter attached when the template says so. */
export function emailChannel(): ChannelModule<EmailContent> {
  return {
    id: Channel.EMAIL,
    key: 'email',
    medium: 'digital',
    interruptive: false,
    consent: 'required',
    address: (customer) => customer.email,
    missingAddress: 'needs an email address and the customer has none',
    templateTexts: [],
    async render({ model, customer, delivery, archivedPdf, attachmentPassword, encryptedPdf, links }) {
      const to = delivery.recipient ?? customer.email;
      if (!to) return { ok: false, reason: 'no email address for this customer' };
      const encrypt = model.email.attachPdf && model.email.encryptAttachment === true;
      // Checked before anything is rendered: an encrypted statement never goes out in clear instead.
      if (encrypt && (!attachmentPassword || !encryptedPdf)) return { ok: false, reason: 'the attachment must be encrypted and there is no attachment password for this customer (ATTACHMENT_PASSWORD_FIELD)' };
      const pdf = model.email.attachPdf ? await archivedPdf() : null;
      // The customer's own choice (read fresh for this render) can turn tracking off for their emails only.
      const own = links?.forMessage(delivery.id, { tracking: customer.preferences?.tracking !== false });
      const email = renderEmail(model, own ? { viewOnline: own.viewOnline(pdf?.id ?? null), viewOnlineOf: pdf ? 'document' : 'portal', pixel: own.pixel(), link: own.link } : {});
      const filename = `${model.templateKey}-${model.reference}.pdf`;
      if (pdf && encrypt) {
        const sealed = await encryptedPdf!(attachmentPassword!);
        return {
          ok: true,
          content: { to, ...email, attachment: { documentId: pdf.id, filename, encrypted: { base64: sealed.bytes.toString('base64'), sha256: sealed.sha256 } } },
          documentId: pdf.id,
          detail: `email rendered, PDF attached encrypted (AES-256, ${pagesText(pdf.pages)}; sha256 ${sealed.sha256}, archived original ${pdf.sha256})`,
        };
      }
      const attachment = pdf ? { documentId: pdf.id, filename } : null;
      return {
        ok: true,
        content: { to, ...email, attachment },
        documentId: pdf?.id ?? null,
        detail: pdf ? `email rendered, PDF attached (${pagesText(pdf.pages)})` : 'email rendered',
      };
    },
    createProvider: ({ smtpUrl, mailFrom, documents }) => new SmtpEmailProvider({ url: smtpUrl, from: mailFrom, documents }),
  };
}
