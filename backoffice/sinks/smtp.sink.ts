import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface SmtpSinkOptions {
  /** Default 127.0.0.1. The sink speaks plain SMTP (no TLS): keep it on loopback. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** When set, each message is also written there as `<receivedAt>-<id>.eml`. */
  readonly dir?: string | null;
  /** Recipients answered with 550 at RCPT TO, like a mailbox that does not exist; default: none. */
  readonly rejectRecipients?: (address: string) => boolean;
  /** Largest message accepted; default 25 MiB. */
  readonly maxMessageBytes?: number;
  /** How long close() lets open client connections finish; default 1_000 ms. */
  readonly closeTimeoutMs?: number;
}

export interface ReceivedEmail {
  readonly id: string;
  /** Envelope sender (MAIL FROM), e.g. a VERP bounce address. */
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  /** The Message-ID header, angle brackets included; null when absent. */
  readonly messageId: string | null;
  readonly raw: Buffer;
  readonly receivedAt: Date;
  readonly file: string | null;
}

export interface SmtpSink {
  readonly url: string;
  readonly port: number;
  /** Every accepted message, oldest first. */
  readonly messages: readonly ReceivedEmail[];
  /** Calls `listener` for each accepted message; returns the unsubscribe function. */
  onMessage(listener: (message: ReceivedEmail) => void): () => void;
  /** The first message, received or yet to come, that satisfies `predicate`. */
  waitFor(predicate: (message: ReceivedEmail) => boolean, timeoutMs?: number): Promise<ReceivedEmail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server that keeps what it receives: the local stand-in for a mail
 * relay, used by `npm start` and the tests through the same SMTP code path as
 * production.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const dir = options.dir ?? null;
  const reject = options.rejectRecipients ?? (() => false);
  const messages: ReceivedEmail[] = [];
  // One listener per pending waitFor; tests may wait for many messages at once.
  const events = new EventEmitter().setMaxListeners(0);
  if (dir) await mkdir(dir, { recursive: true });

  const server = new SMTPServer({
    // The reverse lookup costs ~100 ms per connection and tells a sink nothing.
    disableReverseLookup: true,
    authOptional: true,
    // Credentials in an SMTP URL make clients log in; accept them over plain text on loopback.
    allowInsecureAuth: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'sink' }),
    disabledCommands: ['STARTTLS'],
    size: options.maxMessageBytes ?? 25 * 1024 * 1024,
    closeTimeout: options.closeTimeoutMs ?? 1_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!reject(address.address)) return callback();
      const error: SMTPServerError = new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`);
      error.responseCode = 550;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const error: SMTPServerError = new Error('5.3.4 Message exceeds the fixed maximum message size');
          error.responseCode = 552;
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        const id = randomUUID();
        const receivedAt = new Date();
        const file = dir ? join(dir, `${receivedAt.toISOString().replace(/[:.]/g, '-')}-${id}.eml`) : null;
        const message: ReceivedEmail = {
          id,
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          messageId: headerValue(raw, 'message-id'),
          raw,
          receivedAt,
          file,
        };
        // The message is kept before the 250 reply, so a client that got its answer can look it up.
        const written = file ? writeFile(file, raw) : Promise.resolve();
        written.then(
          () => {
            messages.push(message);
            events.emit('message', message);
            callback(null, `Message queued as ${id}`);
          },
          (error: Error) => callback(Object.assign(error, { responseCode: 451 })),
        );
      });
    },
  });
  // Client resets and timeouts are reported here; a sink shrugs them off.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  const onMessage = (listener: (message: ReceivedEmail) => void): (() => void) => {
    events.on('message', listener);
    return () => events.off('message', listener);
  };

  return {
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    messages,
    onMessage,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`SMTP sink: expected a matching message within ${timeoutMs} ms, got none of ${messages.length}`));
        }, timeoutMs);
        const stop = onMessage((message) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          stop();
          resolve(message);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One header of the message's header block, unfolded; enough for Message-ID lookups. */
function headerValue(raw: Buffer, name: string): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return match ? match[1].trim() : null;
}
