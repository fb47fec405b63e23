import { Channel } from '../../domain';
import type { ChannelModule } from '../channel.module';
import { renderSms } from './sms.renderer';
import { smsLength } from './sms-segments';
import { TwilioSmsProvider, type SmsContent } from './sms.twilio';

/** SMS through the official Twilio client: the template's short text, within three message parts. */
export function smsChannel(): ChannelModule<SmsContent> {
  return {
    id: Channel.SMS,
    key: 'sms',
    medium: 'digital',
    interruptive: true,
    consent: 'required',
    address: (customer) => customer.phone,
    missingAddress: 'needs a phone number and the customer has none',
    templateTexts: ['sms'],
    async render({ model, customer, delivery }) {
      const to = delivery.recipient ?? customer.phone;
      if (!to) return { ok: false, reason: 'no mobile number for this customer' };
      const sms = renderSms(model);
      if (!sms.body) return { ok: false, reason: `template ${model.templateKey} has no SMS text` };
      return { ok: true, content: { to, body: sms.body, segments: sms.segments }, documentId: null, detail: `SMS rendered (${sms.segments} × ${sms.encoding})` };
    },
    createProvider: ({ twilio, publicUrl }) =>
      new TwilioSmsProvider({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: twilio.from,
        messagingServiceSid: twilio.messagingServiceSid,
        apiBaseUrl: twilio.apiUrl,
        statusCallbackUrl: `${publicUrl}/webhooks/twilio/status`,
      }),
    textReply: (from, body) => ({ to: from, body, segments: smsLength(body).segments }),
  };
}
