import type twilio from 'twilio';
import { Channel } from '../../domain';
import {
  contentFor,
  type ChannelProvider,
  type RenderedMessage,
  type SendResult,
} from '../channel';
import { callbackFor, classify, createTwilioClient, type TwilioClientOptions } from '../twilio.client';

/** The SMS form of one delivery. */
export interface SmsContent {
  readonly to: string;
  readonly body: string;
  readonly segments: number;
}

export interface TwilioSmsOptions extends TwilioClientOptions {
  /** Sender number or alphanumeric id; one of `from` and `messagingServiceSid` is required. */
  readonly from?: string | null;
  readonly messagingServiceSid?: string | null;
  /** Where Twilio posts status changes (sent, delivered, undelivered); default: none. */
  readonly statusCallbackUrl?: string | null;
}

/** The message as Twilio knows it now: what a resend check needs. */
export interface TwilioMessageState {
  readonly sid: string;
  readonly status: string;
  readonly errorCode: number | null;
}

/** A message Twilio already holds for a delivery: what a resend check needs (see `findSent`). */
export interface TwilioFoundMessage {
  readonly providerMessageId: string;
  /** Twilio reports it delivered. */
  readonly final: boolean;
  /** Set when Twilio reports it failed or undelivered. */
  readonly failure: string | null;
  readonly detail: string;
}

/** Statuses after which the message will not reach the handset. */
const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'undelivered']);
/** How many of the recipient's most recent messages a resend check reads. */
const LOOKUP_LIMIT = 50;

/** Twilio error codes that condemn the recipient's number for SMS; anything else 4xx is judged by status. */
const RECIPIENT_CODES: ReadonlyMap<number, string> = new Map([
  [21211, 'invalid number'],
  [21214, 'number cannot be reached'],
  [21217, 'number does not appear to be valid'],
  [21408, 'sending to this region is not enabled'],
  [21610, 'recipient has opted out (STOP)'],
  [21612, 'number not reachable by SMS'],
  [21614, 'not a mobile number'],
]);

/** SMS through the official Twilio client; status changes come back through the status callback. */
export class TwilioSmsProvider implements ChannelProvider<SmsContent> {
  readonly channel = Channel.SMS;
  private readonly client: twilio.Twilio;

  constructor(private readonly options: TwilioSmsOptions) {
    if (!options.from && !options.messagingServiceSid) {
      throw new Error('Twilio: expected a sender (from) or a messagingServiceSid, got neither');
    }
    this.client = createTwilioClient(options);
  }

  async send(message: RenderedMessage<SmsContent>): Promise<SendResult> {
    const sms = contentFor(message, Channel.SMS, 'an sms');
    try {
      const created = await this.client.messages.create({
        to: sms.to,
        body: sms.body,
        ...(this.options.messagingServiceSid
          ? { messagingServiceSid: this.options.messagingServiceSid }
          : { from: this.options.from ?? undefined }),
        ...(this.options.statusCallbackUrl ? { statusCallback: callbackFor(this.options.statusCallbackUrl, message.deliveryId) } : {}),
      });
      return { providerMessageId: created.sid, final: false, detail: `twilio status ${created.status}` };
    } catch (error) {
      throw classify(error, RECIPIENT_CODES, 'number');
    }
  }

  /** Fetches a message by SID, e.g. to check whether an earlier attempt went out before resending. */
  async fetchMessage(sid: string): Promise<TwilioMessageState> {
    try {
      const found = await this.client.messages(sid).fetch();
      return { sid: found.sid, status: found.status, errorCode: found.errorCode ?? null };
    } catch (error) {
      throw classify(error, RECIPIENT_CODES, 'number');
    }
  }

  /**
   * Messages Twilio accepted for this delivery's number with exactly this
   * text since `since`, newest first: what an interrupted attempt (a worker
   * killed between Twilio's answer and our record of it) left behind. Twilio
   * keeps no client reference on a message, so recipient, text and time are
   * the key; the caller skips messages another delivery has recorded.
   * Cancelled messages never went out and are not reported.
   */
  async findSent(message: RenderedMessage<SmsContent>, since: Date): Promise<TwilioFoundMessage[]> {
    const sms = contentFor(message, Channel.SMS, 'an sms');
    try {
      const listed = await this.client.messages.list({
        to: sms.to,
        // A messaging service picks the sender number itself.
        ...(this.options.messagingServiceSid ? {} : { from: this.options.from ?? undefined }),
        limit: LOOKUP_LIMIT,
        pageSize: LOOKUP_LIMIT,
      });
      return listed
        .filter((m) => m.body === sms.body && m.status !== 'canceled' && (!m.dateCreated || m.dateCreated.getTime() >= since.getTime()))
        .map((m) => ({
          providerMessageId: m.sid,
          final: m.status === 'delivered',
          failure: FAILED_STATUSES.has(m.status) ? `Twilio reports it ${m.status}${m.errorCode ? ` (error ${m.errorCode})` : ''}` : null,
          detail: `twilio status ${m.status}`,
        }));
    } catch (error) {
      throw classify(error, RECIPIENT_CODES, 'number');
    }
  }

  async check(): Promise<void> {
    await this.client.api.v2010.accounts(this.options.accountSid).fetch();
  }
}

