import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { authorized, fail, messageJson, send, twilioSignature } from './twilio.wire';

export interface TwilioSinkOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Credentials the sink accepts; default: random ones, read them from the returned sink. */
  readonly accountSid?: string;
  readonly authToken?: string;
  /** When set, every message and status change is appended to `<dir>/twilio-messages.jsonl`. */
  readonly dir?: string | null;
  /** Numbers answered with error 21211 (invalid 'To'); default: numbers ending in "0000". */
  readonly invalidNumber?: (to: string) => boolean;
  /** Numbers that end "undelivered" (error 30003) instead of "delivered"; default: none. */
  readonly undeliverable?: (to: string) => boolean;
  /**
   * WhatsApp (`whatsapp:+E164` addresses): numbers that have opted in to this
   * sender's messages. Others are refused with error 63024, as Twilio refuses
   * a recipient WhatsApp will not deliver to. Default: every number except
   * those ending in "99".
   */
  readonly whatsappOptedIn?: (number: string) => boolean;
  /** Status progression queued → sent → delivered, one step per `delayMs` (default 100), each posted to
   *  the message's StatusCallback; false: messages stay "queued" and nothing is posted. */
  readonly callbacks?: { readonly delayMs?: number } | false;
}

export interface SinkSms {
  readonly sid: string;
  readonly to: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  /** The text sent; for a WhatsApp content template, `[content HX…]` followed by its variables. */
  readonly body: string;
  /** WhatsApp content template and its variables (JSON), when the message used one. */
  readonly contentSid: string | null;
  readonly contentVariables: string | null;
  readonly statusCallback: string | null;
  readonly status: 'queued' | 'sent' | 'delivered' | 'undelivered';
  readonly errorCode: number | null;
  readonly dateCreated: Date;
  readonly dateUpdated: Date;
  readonly dateSent: Date | null;
}

export interface SinkFault {
  readonly status: 429 | 503;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter?: number;
}

export interface TwilioSink {
  /** Replaces https://api.twilio.com. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every accepted message, oldest first; statuses change in place. */
  readonly messages: readonly SinkSms[];
  /** The first message, now or after a later change, that satisfies `predicate`. */
  waitFor(predicate: (message: SinkSms) => boolean, timeoutMs?: number): Promise<SinkSms>;
  /** Answers every API call with this status until cleared with null. */
  setFault(fault: SinkFault | null): void;
  close(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const API = '/2010-04-01/Accounts/';
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * A Twilio-compatible Messages API on loopback (create, fetch by SID, list with
 * Twilio's filters): the official client talks to it exactly as to Twilio
 * (Basic auth, form bodies, Twilio's JSON and error codes), and it posts signed
 * status callbacks the way Twilio does.
 */
export async function startTwilioSink(options: TwilioSinkOptions = {}): Promise<TwilioSink> {
  const host = options.host ?? '127.0.0.1';
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const invalidNumber = options.invalidNumber ?? ((to: string) => to.endsWith('0000'));
  const undeliverable = options.undeliverable ?? (() => false);
  const whatsappOptedIn = options.whatsappOptedIn ?? ((number: string) => !number.endsWith('99'));
  const delayMs = options.callbacks === false ? null : (options.callbacks?.delayMs ?? 100);
  const journal = options.dir ? join(options.dir, 'twilio-messages.jsonl') : null;
  if (options.dir) await mkdir(options.dir, { recursive: true });

  const messages: Mutable<SinkSms>[] = [];
  // One listener per pending waitFor; tests may wait for many messages at once.
  const changes = new EventEmitter().setMaxListeners(0);
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new AbortController();
  let fault: SinkFault | null = null;
  const callbacksOf = new Map<string, Promise<void>>();
  let journalTail = Promise.resolve();

  const record = (message: SinkSms): void => {
    changes.emit('change', message);
    if (!journal) return;
    const line = `${JSON.stringify(message)}\n`;
    journalTail = journalTail.then(() => appendFile(journal, line)).catch(() => undefined);
  };

  const advance = (message: Mutable<SinkSms>, status: SinkSms['status']): void => {
    const now = new Date();
    message.status = status;
    message.dateUpdated = now;
    if (status === 'sent') message.dateSent = now;
    if (status === 'undelivered') message.errorCode = 30003;
    record(message);
    // Posted one after the other, as Twilio does: a slow "sent" must not arrive after "delivered".
    const url = message.statusCallback;
    if (url) {
      const snapshot = { ...message };
      const previous = callbacksOf.get(message.sid) ?? Promise.resolve();
      callbacksOf.set(message.sid, previous.then(() => postCallback(snapshot, url)));
    }
  };

  const schedule = (fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs ?? 0);
    timers.add(timer);
  };

  const postCallback = async (message: SinkSms, url: string): Promise<void> => {
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: message.status,
      SmsStatus: message.status,
      To: message.to,
      ...(message.from ? { From: message.from } : {}),
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ...(message.errorCode ? { ErrorCode: String(message.errorCode) } : {}),
    };
    const signature = twilioSignature(authToken, url, params);
    try {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.any([inFlight.signal, AbortSignal.timeout(10_000)]),
      });
    } catch {
      // Twilio does not retry a failed status callback either.
    }
  };

  const create = (form: URLSearchParams, res: ServerResponse): void => {
    const to = form.get('To');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    const contentSid = form.get('ContentSid');
    const contentVariables = form.get('ContentVariables');
    const statusCallback = form.get('StatusCallback');
    if (!to) return fail(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !messagingServiceSid) {
      return fail(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
    }
    const whatsapp = to.startsWith('whatsapp:');
    const number = whatsapp ? to.slice('whatsapp:'.length) : to;
    if (!/^\+[1-9]\d{6,14}$/.test(number) || invalidNumber(number)) {
      return fail(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (from !== null && whatsapp !== from.startsWith('whatsapp:')) {
      return fail(res, 400, 63007, 'Twilio could not find a Channel with the specified From address');
    }
    if (contentSid !== null && (!whatsapp || !/^HX[0-9a-f]{32}$/.test(contentSid))) {
      return fail(res, 400, 21656, 'The ContentSid is invalid.');
    }
    if (contentVariables !== null && !isJsonObject(contentVariables)) return fail(res, 400, 21656, 'The ContentVariables parameter is invalid.');
    const body = contentSid ? `[content ${contentSid}] ${contentVariables ?? '{}'}` : form.get('Body');
    if (!body) return fail(res, 400, 21602, 'Message body is required.');
    if (whatsapp && !whatsappOptedIn(number)) {
      return fail(res, 400, 63024, 'Invalid message recipient: the number has not opted in to WhatsApp messages from this sender.');
    }
    if (body.length > 1600) return fail(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (statusCallback && !URL.canParse(statusCallback)) return fail(res, 400, 21609, 'Invalid StatusCallback url.');
    const now = new Date();
    const message: Mutable<SinkSms> = {
      sid: `SM${hex(16)}`, to, from, messagingServiceSid, body, contentSid, contentVariables, statusCallback,
      status: 'queued', errorCode: null, dateCreated: now, dateUpdated: now, dateSent: null,
    };
    messages.push(message);
    record(message);
    if (delayMs !== null) {
      schedule(() => {
        advance(message, 'sent');
        schedule(() => advance(message, undeliverable(to) ? 'undelivered' : 'delivered'));
      });
    }
    send(res, 201, messageJson(message, accountSid));
  };

  /**
   * Twilio's Messages list: filters To, From, DateSent / DateSent< / DateSent>
   * (a date or a date-time; messages not sent yet have no date_sent and are
   * left out by those), newest first, PageSize (default 50, at most 1000) and Page.
   */
  const list = (query: URLSearchParams, res: ServerResponse): void => {
    const to = query.get('To');
    const from = query.get('From');
    const bound = (name: string): number | null => {
      const value = query.get(name);
      if (value === null) return null;
      const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
      return Number.isNaN(at) ? null : at;
    };
    const [on, before, after] = [bound('DateSent'), bound('DateSent<'), bound('DateSent>')];
    const sent = (m: SinkSms): number | null => m.dateSent?.getTime() ?? null;
    const matching = messages
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .filter((m) => on === null || (sent(m) !== null && sent(m)! >= on && sent(m)! < on + 86_400_000))
      .filter((m) => before === null || (sent(m) !== null && sent(m)! <= before))
      .filter((m) => after === null || (sent(m) !== null && sent(m)! >= after))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const uriOf = (n: number): string => {
      const params = new URLSearchParams(query);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(n));
      return `${API}${accountSid}/Messages.json?${params.toString()}`;
    };
    send(res, 200, {
      messages: slice.map((m) => messageJson(m, accountSid)),
      start: page * pageSize, end: page * pageSize + Math.max(0, slice.length - 1), page, page_size: pageSize,
      uri: uriOf(page), first_page_uri: uriOf(0),
      next_page_uri: (page + 1) * pageSize < matching.length ? uriOf(page + 1) : null,
      previous_page_uri: page > 0 ? uriOf(page - 1) : null,
    });
  };

  const route = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void => {
    const path = new URL(req.url ?? '/', 'http://sink').pathname;
    if (fault) {
      const code = fault.status === 429 ? 20429 : 20503;
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
      return fail(res, fault.status, code, fault.status === 429 ? 'Too Many Requests' : 'Service Unavailable');
    }
    if (!authorized(req.headers.authorization, accountSid, authToken) || !path.startsWith(`${API}${accountSid}`)) {
      return fail(res, 401, 20003, 'Authenticate');
    }
    const rest = path.slice(`${API}${accountSid}`.length);
    if (req.method === 'GET' && rest === '.json') {
      return send(res, 200, { sid: accountSid, status: 'active', type: 'Full', friendly_name: 'Local sink' });
    }
    if (req.method === 'POST' && rest === '/Messages.json') return create(form, res);
    if (req.method === 'GET' && rest === '/Messages.json') return list(new URL(req.url ?? '/', 'http://sink').searchParams, res);
    const fetched = /^\/Messages\/(SM[0-9a-f]{32})\.json$/.exec(rest);
    const message = fetched && req.method === 'GET' ? messages.find((m) => m.sid === fetched[1]) : undefined;
    if (message) return send(res, 200, messageJson(message, accountSid));
    return fail(res, 404, 20404, `The requested resource ${path} was not found`);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => route(req, res, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    accountSid,
    authToken,
    messages,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onChange = (message: SinkSms): void => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          changes.off('change', onChange);
          resolve(message);
        };
        const timer = setTimeout(() => {
          changes.off('change', onChange);
          reject(new Error(`Twilio sink: expected a matching message within ${timeoutMs} ms, got none of ${messages.length}`));
        }, timeoutMs);
        changes.on('change', onChange);
      });
    },
    setFault(next) {
      fault = next;
    },
    async close() {
      timers.forEach(clearTimeout);
      timers.clear();
      inFlight.abort();
      await Promise.all(callbacksOf.values());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await journalTail;
    },
  };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
