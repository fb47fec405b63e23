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
    async render({ model, customer, delivery, archivedPdf }) {
      const to = delivery.recipient ?? customer.email;
      if (!to) return { ok: false, reason: 'no email address for this customer' };
      const email = renderEmail(model);
      const pdf = model.email.attachPdf ? await archivedPdf() : null;
      const attachment = pdf ? { documentId: pdf.id, filename: `${model.templateKey}-${model.reference}.pdf` } : null;
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
