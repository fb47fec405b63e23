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
    async render({ model, customer, delivery, attachmentPassword }) {
      const to = delivery.recipient ?? customer.phone;
      if (!to) return { ok: false, reason: 'no mobile number for this customer' };
      if (model.email.passwordBySms) {
        // This communication's SMS carries the password of the encrypted PDF sent by email, apart from it.
        if (!attachmentPassword) return { ok: false, reason: 'the attachment password cannot be made in this process (no signing secret)' };
        const body = `${model.sender.name}: ${attachmentPassword} is the password of the PDF in our email (ref. ${model.reference}).`;
        const { segments, encoding } = smsLength(body);
        return { ok: true, content: { to, body, segments }, documentId: null, detail: `SMS rendered with the attachment password (${segments} × ${encoding})` };
      }
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
