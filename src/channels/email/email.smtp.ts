import nodemailer, { type NodemailerError, type Transporter, type SMTPPoolSentMessageInfo } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { Channel } from '../../domain';
import {
  assertSafeId,
  contentFor,
  PermanentDeliveryError,
  SAFE_ID,
  TransientDeliveryError,
  type ChannelProvider,
  type DocumentReader,
  type RenderedMessage,
  type SendResult,
} from '../channel';

/** The email form of one delivery: the rendered texts and, when the template attaches it, the archived PDF. */
export interface EmailContent {
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** `encrypted`: the AES-256 copy to send instead of the archived original (base64, as rendered for this delivery). */
  readonly attachment: { readonly documentId: string; readonly filename: string; readonly encrypted?: { readonly base64: string; readonly sha256: string } } | null;
}

export interface SmtpEmailOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  readonly url: string;
  /** The From header, e.g. `Customer Service <service@example.com>`; its domain names Message-IDs. */
  readonly from: string;
  /** Domain of the VERP bounce address; default: the domain of `from`. */
  readonly bounceDomain?: string;
  /** Pooled connections kept open; default 5. */
  readonly maxConnections?: number;
  /** Connect, greeting and socket inactivity timeout; default 30_000 ms. */
  readonly timeoutMs?: number;
  /** Where attachments are read from (the document archive); needed only for messages with one. */
  readonly documents?: DocumentReader;
}

/**
 * Email over SMTP with nodemailer's pooled transport.
 *
 * Each delivery gets a stable Message-ID `<deliveryId@from-domain>`, so a
 * resend after a lost reply is recognisably the same message, and a VERP
 * envelope sender `bounces+<deliveryId>@domain`, so an asynchronous bounce
 * names the delivery it belongs to.
 */
export class SmtpEmailProvider implements ChannelProvider<EmailContent> {
  readonly channel = Channel.EMAIL;
  private readonly transport: Transporter<SMTPPoolSentMessageInfo>;
  private readonly messageIdDomain: string;
  /** Domain of the VERP envelope senders (`bounces+<deliveryId>@…`): where bounces must be received. */
  readonly bounceDomain: string;

  constructor(private readonly options: SmtpEmailOptions) {
    if (!/^smtps?:\/\//.test(options.url)) {
      throw new Error(`SMTP url: expected smtp://… or smtps://…, got ${JSON.stringify(options.url.replace(/\/\/[^@/]*@/, '//***@'))}`);
    }
    const [sender] = addressparser(options.from, { flatten: true });
    const domain = sender?.address.split('@')[1];
    if (!domain) throw new Error(`from: expected an address like "Name <user@domain>", got ${JSON.stringify(options.from)}`);
    this.messageIdDomain = domain;
    this.bounceDomain = options.bounceDomain ?? domain;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
    });
  }

  /** The delivery id a VERP bounce address was built from, or null when it is not one of ours. */
  static deliveryIdFromBounceAddress(address: string): string | null {
    const match = /^bounces\+([^@]+)@/i.exec(address.trim());
    return match && SAFE_ID.test(match[1]) ? match[1] : null;
  }

  async send(message: RenderedMessage<EmailContent>): Promise<SendResult> {
    const email = contentFor(message, Channel.EMAIL, 'an email');
    assertSafeId(message.deliveryId);
    const attachments = email.attachment ? [{ filename: email.attachment.filename, content: email.attachment.encrypted ? Buffer.from(email.attachment.encrypted.base64, 'base64') : await this.attachment(email.attachment.documentId), contentType: 'application/pdf' }] : [];
    const messageId = `<${message.deliveryId}@${this.messageIdDomain}>`;
    let info: SMTPPoolSentMessageInfo;
    try {
      info = await this.transport.sendMail({
        from: this.options.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId,
        envelope: { from: `bounces+${message.deliveryId}@${this.bounceDomain}`, to: email.to },
        attachments,
      });
    } catch (error) {
      throw classify(error as NodemailerError);
    }
    // One recipient per message: a partial acceptance cannot happen, a rejection without an error could.
    if (info.rejected.length > 0) throw new PermanentDeliveryError('The SMTP server rejected the recipient');
    return { providerMessageId: info.messageId || messageId, final: false, detail: info.response };
  }

  private async attachment(documentId: string): Promise<Buffer> {
    if (!this.options.documents) throw new Error('SMTP provider: expected a document reader for attachments, got none');
    return (await this.options.documents.read(documentId)).bytes;
  }

  async check(): Promise<void> {
    await this.transport.verify();
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * RFC 5321: a 5yz reply refuses the message for good, a 4yz one asks to try
 * later. nodemailer's `permanent` flag follows that, except for 503 (bad
 * command sequence: a session problem, not a verdict on the message).
 * Authentication failures are ours to fix, not the recipient's: retry rather
 * than fall back to another channel for every customer.
 */
function classify(error: NodemailerError): Error {
  const code = error.responseCode;
  // Servers echo the recipient's address; error texts end up in delivery records and logs.
  const reply = (error.response ?? error.message).replace(/[^\s<>"]+@[^\s<>"]+/g, '[address]').slice(0, 300);
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') {
    return new TransientDeliveryError(`SMTP authentication failed (check the SMTP credentials): ${reply}`);
  }
  if (code !== undefined) {
    const permanent = error.permanent ?? code >= 500;
    return permanent
      ? new PermanentDeliveryError(`The SMTP server refused the message with ${code}: ${reply}`, String(code))
      : new TransientDeliveryError(`The SMTP server deferred the message with ${code}: ${reply}`);
  }
  // No reply at all: an address nodemailer could not use is final, everything else is the connection.
  if (error.code === 'EENVELOPE') return new PermanentDeliveryError(`Unusable email envelope: ${reply}`, error.code);
  return new TransientDeliveryError(`SMTP connection problem (${error.code ?? 'unknown'}): ${reply}`);
}
