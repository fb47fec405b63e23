import { startSmtpSink, type ReceivedEmail, type SmtpSink } from '../../backoffice/sinks/smtp.sink';

/** An SMTP sink that can go down and come back on the same port, keeping what every incarnation received. */
export interface RestartableSmtpSink {
  readonly url: string;
  /** Every message accepted by any incarnation, oldest first. */
  readonly received: readonly ReceivedEmail[];
  readonly isUp: boolean;
  /** Closes the listener: clients get "connection refused" until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableSmtpSink(): Promise<RestartableSmtpSink> {
  const received: ReceivedEmail[] = [];
  let current: SmtpSink | null = await startSmtpSink({ closeTimeoutMs: 200 });
  const port = current.port;
  const url = current.url;
  const collect = (sink: SmtpSink): void => {
    sink.onMessage((message) => received.push(message));
  };
  collect(current);
  const down = async (): Promise<void> => {
    const sink = current;
    current = null;
    await sink?.close();
  };
  return {
    url,
    received,
    get isUp() {
      return current !== null;
    },
    down,
    async up() {
      if (current) return;
      current = await startSmtpSink({ port, closeTimeoutMs: 200 });
      collect(current);
    },
    close: down,
  };
}
