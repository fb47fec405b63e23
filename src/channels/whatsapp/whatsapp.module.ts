import { ConfigError, str, type ConfigEnv } from '../../config.env';
import { Channel } from '../../domain';
import { refusingProvider } from '../channel';
import type { ChannelModule } from '../channel.module';
import { TwilioWhatsappProvider, type WhatsappContent } from './whatsapp.twilio';

export interface WhatsappSettings {
  /** `TWILIO_WHATSAPP_FROM`: the WhatsApp sender number (E.164); default: TWILIO_FROM (the same number, WhatsApp-enabled). */
  readonly from: string | null;
}

/** WhatsApp bodies may be long; a confused template must still not send a novel. */
const MAX_BODY = 1_600;

/**
 * WhatsApp through Twilio: the template's short text as a free-form message,
 * or — what WhatsApp requires for business-initiated messages — the Content
 * template the template declares for the language (`whatsapp.contentSid`,
 * `whatsapp.variables`). Needs the customer's WHATSAPP consent and a mobile number.
 */
export function whatsappChannel(): ChannelModule<WhatsappContent, WhatsappSettings> {
  return {
    id: Channel.WHATSAPP,
    key: 'whatsapp',
    medium: 'digital',
    interruptive: true,
    consent: 'required',
    address: (customer) => (customer.phone ? `whatsapp:${customer.phone}` : null),
    missingAddress: 'needs a mobile number and the customer has none',
    templateTexts: ['sms'],
    async render({ model, customer, delivery }) {
      const to = delivery.recipient ?? (customer.phone ? `whatsapp:${customer.phone}` : null);
      if (!to) return { ok: false, reason: 'no mobile number for this customer' };
      const body = model.sms.replace(/[ \t]+/g, ' ').trim().slice(0, MAX_BODY);
      const content = model.whatsapp;
      if (!body && !content) return { ok: false, reason: `template ${model.templateKey} has no WhatsApp text` };
      return {
        ok: true,
        content: { to, body, contentSid: content?.contentSid ?? null, contentVariables: content?.variables ?? null },
        documentId: null,
        detail: content ? `WhatsApp content template ${content.contentSid} rendered` : 'WhatsApp message rendered',
      };
    },
    settings: (env: ConfigEnv): WhatsappSettings => {
      const from = str(env, 'TWILIO_WHATSAPP_FROM');
      if (from !== null && !/^\+[1-9]\d{6,14}$/.test(from)) throw new ConfigError('TWILIO_WHATSAPP_FROM', 'an E.164 number such as +14155238886', from);
      return { from };
    },
    createProvider: ({ settings, twilio, publicUrl }) => {
      const from = settings.from ?? (twilio.from && /^\+\d+$/.test(twilio.from) ? twilio.from : null);
      if (!from) return refusingProvider(Channel.WHATSAPP, 'no WhatsApp sender is configured here (TWILIO_WHATSAPP_FROM)');
      return new TwilioWhatsappProvider({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        apiBaseUrl: twilio.apiUrl,
        from: `whatsapp:${from}`,
        statusCallbackUrl: `${publicUrl}/webhooks/twilio/status`,
      });
    },
    // Inside the 24-hour window a customer's own message opens, a free-form reply needs no Content template.
    textReply: (from, body) => ({ to: `whatsapp:${from}`, body: body.slice(0, MAX_BODY), contentSid: null, contentVariables: null }),
  };
}
