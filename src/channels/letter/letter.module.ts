import { join } from 'node:path';
import { Channel } from '../../domain';
import { pagesText, type ChannelModule } from '../channel.module';
import { LetterSpoolProvider, type LetterContent } from './letter.spool';

/** Paper: the PDF letter into the print spool, batched for the print room (src/print). Needs no consent. */
export function letterChannel(): ChannelModule<LetterContent> {
  return {
    id: Channel.LETTER,
    key: 'letter',
    medium: 'paper',
    interruptive: false,
    consent: 'none',
    // PDF work: half the jobs at once of the other channels.
    concurrencyShare: 0.5,
    address: (customer) => {
      const address = customer.postalAddress;
      return address ? `${address.postalCode} ${address.city}, ${address.country}` : null;
    },
    missingAddress: 'needs a postal address and the customer has none',
    templateTexts: [],
    async render({ model, archivedPdf }) {
      const address = model.recipient.address;
      if (!address) return { ok: false, reason: 'no postal address for this customer' };
      const pdf = await archivedPdf();
      return { ok: true, content: { name: model.recipient.name, address, documentId: pdf.id }, documentId: pdf.id, detail: `letter rendered (${pagesText(pdf.pages)})` };
    },
    createProvider: ({ dataDir, documents }) => new LetterSpoolProvider({ spoolDir: join(dataDir, 'print-spool'), documents }),
  };
}
