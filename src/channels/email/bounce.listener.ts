import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import type { DeliveryStatus } from '../../domain';
import { parseBounce } from './dsn.parser';
import { SmtpEmailProvider } from './email.smtp';

/** What a bounce (or a positive delivery report) says about one delivery. */
export interface BounceReport {
  readonly deliveryId: string;
  readonly status: DeliveryStatus.BOUNCED | DeliveryStatus.DELIVERED;
  /** Status code and diagnostic with addresses masked. */
  readonly detail: string;
}

/** The part of a pino logger the listener uses. */
export interface BounceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BounceListenerOptions {
  /** Default 127.0.0.1. Plain SMTP: put it behind the MX that receives mail for `bounceDomain`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** The domain of the VERP addresses (`bounces+<deliveryId>@bounceDomain`), as SmtpEmailProvider builds them. */
  readonly bounceDomain: string;
  /** Applies the report, e.g. a transition to BOUNCED and the fallback; a rejection answers 451 so the sender retries. */
  readonly onBounce: (report: BounceReport) => Promise<void>;
  readonly logger?: BounceLogger;
  /** Largest message accepted; default 10 MiB (bounces often return the original with its PDF). */
  readonly maxMessageBytes?: number;
  /** How long close() lets open connections finish; default 1_000 ms. */
  readonly closeTimeoutMs?: number;
}

export interface BounceListener {
  readonly port: number;
  /** `smtp://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string): SMTPServerError => Object.assign(new Error(message), { responseCode: code });

/**
 * An inbound SMTP listener for asynchronous bounces. Outgoing mail carries the
 * envelope sender `bounces+<deliveryId>@bounceDomain` (VERP), so a bounce
 * arrives addressed to the delivery it is about: the address is the key, not
 * anything in the bounce's body, which remote servers word as they like.
 * Recipients that are not VERP addresses of the bounce domain get 550 at RCPT
 * TO; messages that are no verdict (delay notices, out-of-office replies) are
 * accepted and dropped.
 */
export async function startBounceListener(options: BounceListenerOptions): Promise<BounceListener> {
  const host = options.host ?? '127.0.0.1';
  const domain = options.bounceDomain.toLowerCase();
  const log = options.logger;
  const deliveryIdOf = (address: string): string | null =>
    address.toLowerCase().endsWith(`@${domain}`) ? SmtpEmailProvider.deliveryIdFromBounceAddress(address) : null;

  const server = new SMTPServer({
    // The reverse lookup costs ~100 ms per connection and decides nothing here.
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxMessageBytes ?? 10 * 1024 * 1024,
    closeTimeout: options.closeTimeoutMs ?? 1_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (deliveryIdOf(address.address)) return callback();
      return callback(smtpError(550, '5.1.1 Recipient address rejected: not a bounce address of this domain'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, '5.3.4 Message exceeds the fixed maximum message size'));
        const deliveryIds = [...new Set(session.envelope.rcptTo.map((r) => deliveryIdOf(r.address)).filter((id): id is string => id !== null))];
        const verdict = parseBounce(Buffer.concat(chunks));
        if (verdict.status === null) {
          log?.info({ deliveryIds, reason: verdict.reason }, 'Message to a bounce address ignored');
          return callback(null, 'Accepted, no delivery verdict');
        }
        const { status, detail } = verdict;
        Promise.all(deliveryIds.map((deliveryId) => options.onBounce({ deliveryId, status, detail }))).then(
          () => callback(null, `Accepted, ${status} for ${deliveryIds.length} delivery(ies)`),
          (error: unknown) => {
            log?.error({ deliveryIds, status, err: error }, 'Bounce could not be applied; the sender will retry');
            callback(smtpError(451, '4.3.0 Temporary failure recording the report, try again later'));
          },
        );
      });
    },
  });
  // Client resets and timeouts land here; they concern one connection only.
  server.on('error', (error) => log?.warn({ err: error }, 'Bounce listener connection error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
