import type { FastifyInstance } from 'fastify';
import { Channel } from '../domain';
import type { InboundMessage } from '../preferences/inbound.service';
import { registerSignedTwilioRoute, single, type WebhookLogger } from './twilio.signed-route';

export interface TwilioInboundWebhookOptions {
  /** The auth token of the account the numbers belong to: the key of X-Twilio-Signature. */
  readonly authToken: string;
  /** The gateway's URL as Twilio reaches it (PUBLIC_URL); the signature covers it. */
  readonly publicUrl: string;
  /** Route path, also appended to `publicUrl` for the signature; default `/webhooks/twilio/inbound`. */
  readonly path?: string;
  /** Handles the message (idempotent per providerMessageId); a rejection is answered 500 and Twilio retries. */
  readonly onMessage: (message: InboundMessage) => Promise<unknown>;
  readonly logger?: WebhookLogger;
  /** Largest body; default 64 KiB. */
  readonly bodyLimit?: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio's answer without a message: replies go out through the provider, not as TwiML. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** `whatsapp:+33…` is WhatsApp, a bare number SMS; null for anything else. */
function senderOf(from: string): { channel: Channel; number: string } | null {
  const whatsapp = /^whatsapp:(.+)$/.exec(from);
  const channel = whatsapp ? Channel.WHATSAPP : Channel.SMS;
  const number = (whatsapp ? whatsapp[1] : from).replace(/[\s().-]/g, '');
  return channel && E164.test(number) ? { channel, number } : null;
}

/**
 * `POST <path>`: Twilio's incoming-message webhook (SMS, and WhatsApp where
 * the channel exists). `X-Twilio-Signature` is checked exactly as for status
 * callbacks (`twilio.validateRequest` against `publicUrl + path + query` and
 * every parameter): missing or forged → 403 and nothing happens. A body
 * without MessageSid, From or Body, or a sender that is not a number → 400.
 * Otherwise onMessage, then 200 with empty TwiML.
 */
export function registerTwilioInboundWebhook(app: FastifyInstance, options: TwilioInboundWebhookOptions): void {
  const route = { path: options.path ?? '/webhooks/twilio/inbound', authToken: options.authToken, publicUrl: options.publicUrl, bodyLimit: options.bodyLimit, logger: options.logger, what: 'inbound message' };
  registerSignedTwilioRoute(app, route, async ({ params, log }, reply) => {
    const sid = single(params.MessageSid) ?? single(params.SmsMessageSid) ?? single(params.SmsSid);
    const from = single(params.From);
    const body = typeof params.Body === 'string' ? params.Body : null;
    const sender = from ? senderOf(from) : null;
    if (!sid || sid.length > 64 || body === null || !sender) {
      return void reply.code(400).send({ error: 'expected one MessageSid, a From number and a Body' });
    }
    try {
      await options.onMessage({ providerMessageId: sid, channel: sender.channel, from: sender.number, address: sender.channel === Channel.SMS ? sender.number : `whatsapp:${sender.number}`, body });
    } catch (error) {
      log.error({ providerMessageId: sid, err: error }, 'Twilio inbound message could not be handled');
      return void reply.code(500).send({ error: 'inbound message not handled' });
    }
    return void reply.code(200).header('content-type', 'text/xml; charset=utf-8').send(EMPTY_TWIML);
  });
}
