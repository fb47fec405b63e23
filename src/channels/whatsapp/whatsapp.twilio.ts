import type twilio from 'twilio';
import { Channel } from '../../domain';
import type { ChannelProvider, RenderedMessage, SendResult } from '../channel';
import { callbackFor, classify, createTwilioClient, type TwilioClientOptions } from '../twilio.client';

/** The WhatsApp form of one delivery: a free-form text, or a Content template with its variables. */
export interface WhatsappContent {
  /** `whatsapp:+E164` */
  readonly to: string;
  readonly body: string;
  /** Set when the template declares a Content template for the language: what a business-initiated message needs. */
  readonly contentSid: string | null;
  readonly contentVariables: Readonly<Record<string, string>> | null;
}

export interface TwilioWhatsappOptions extends TwilioClientOptions {
  /** The WhatsApp sender, `whatsapp:+E164`. */
  readonly from: string;
  readonly statusCallbackUrl?: string | null;
}

/** Twilio error codes that condemn the recipient on WhatsApp: the next channel of the chain takes over. */
const RECIPIENT_CODES: ReadonlyMap<number, string> = new Map([
  [21211, 'invalid number'],
  [21610, 'recipient has opted out (STOP)'],
  [63003, 'not a WhatsApp user'],
  [63016, 'outside the 24-hour window for free-form messages'],
  [63024, 'not opted in to WhatsApp messages'],
]);

/**
 * WhatsApp through Twilio's WhatsApp API with the official client: the same
 * Messages resource as SMS, `whatsapp:`-prefixed addresses, and Content
 * templates (`contentSid` + `contentVariables`) for business-initiated
 * messages. Status callbacks (sent, delivered, read, undelivered) come back
 * through the same signed webhook as SMS.
 */
export class TwilioWhatsappProvider implements ChannelProvider<WhatsappContent> {
  readonly channel = Channel.WHATSAPP;
  private readonly client: twilio.Twilio;

  constructor(private readonly options: TwilioWhatsappOptions) {
    if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(options.from)) throw new Error(`WhatsApp sender: expected whatsapp:+E164, got ${JSON.stringify(options.from)}`);
    this.client = createTwilioClient(options);
  }

  async send(message: RenderedMessage<WhatsappContent>): Promise<SendResult> {
    const { to, body, contentSid, contentVariables } = message.content;
    try {
      const created = await this.client.messages.create({
        to,
        from: this.options.from,
        ...(contentSid ? { contentSid, ...(contentVariables ? { contentVariables: JSON.stringify(contentVariables) } : {}) } : { body }),
        ...(this.options.statusCallbackUrl ? { statusCallback: callbackFor(this.options.statusCallbackUrl, message.deliveryId) } : {}),
      });
      return { providerMessageId: created.sid, final: false, detail: `twilio status ${created.status}${contentSid ? `, content ${contentSid}` : ''}` };
    } catch (error) {
      throw classify(error, RECIPIENT_CODES, 'WhatsApp recipient');
    }
  }

  async check(): Promise<void> {
    await this.client.api.v2010.accounts(this.options.accountSid).fetch();
  }
}
