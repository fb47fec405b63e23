import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';

/** The part of a pino / fastify logger Twilio's webhooks use. */
export interface WebhookLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SignedTwilioRouteOptions {
  /** Route path, also appended to `publicUrl` for the signature. */
  readonly path: string;
  /** The auth token of the account: the key of X-Twilio-Signature. */
  readonly authToken: string;
  /** The gateway's URL as Twilio reaches it (PUBLIC_URL); the signature covers it. */
  readonly publicUrl: string;
  /** Largest body; default 64 KiB (Twilio's are well under 1 KiB). */
  readonly bodyLimit?: number;
  readonly logger?: WebhookLogger;
  /** For log lines: "status callback", "inbound message". */
  readonly what: string;
}

/** A request whose signature checked out: its form parameters and the query string Twilio signed with them. */
export interface SignedTwilioRequest {
  readonly params: Record<string, string | string[]>;
  readonly query: URLSearchParams;
  readonly log: WebhookLogger;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * `POST <path>` for a Twilio webhook. The form body is parsed inside this
 * route's own encapsulated scope, so the rest of the app keeps its parsers.
 * `X-Twilio-Signature` is checked with the official `twilio.validateRequest`
 * against `publicUrl + path + query` — the URL Twilio signed, not the Host
 * header a proxy may have rewritten — and every POST parameter: missing or
 * forged → 403 and the handler is not called; a body that is not a form → 400.
 */
export function registerSignedTwilioRoute(
  app: FastifyInstance,
  options: SignedTwilioRouteOptions,
  handler: (request: SignedTwilioRequest, reply: FastifyReply) => Promise<void>,
): void {
  const { path } = options;
  if (!path.startsWith('/')) throw new Error(`Twilio ${options.what} path: expected a path starting with "/", got ${JSON.stringify(path)}`);
  if (!/^https?:\/\//.test(options.publicUrl)) {
    throw new Error(`Twilio ${options.what} publicUrl: expected http://… or https://…, got ${JSON.stringify(options.publicUrl)}`);
  }
  const signedBase = options.publicUrl.replace(/\/+$/, '') + path;

  void app.register(async (scope) => {
    if (scope.hasContentTypeParser(FORM)) scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: options.bodyLimit ?? 64 * 1024 }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
    scope.post(path, (request, reply) => verify(request, reply));
  });

  async function verify(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const log = options.logger ?? request.log;
    if (!(request.body instanceof URLSearchParams)) return void reply.code(400).send({ error: `expected an ${FORM} body` });
    const params = toParams(request.body);
    const signature = request.headers['x-twilio-signature'];
    const queryAt = request.url.indexOf('?');
    const url = signedBase + (queryAt === -1 ? '' : request.url.slice(queryAt));
    if (typeof signature !== 'string' || signature === '' || !twilio.validateRequest(options.authToken, signature, url, params)) {
      log.warn({ signature: typeof signature === 'string' && signature !== '' ? 'invalid' : 'missing' }, `Twilio ${options.what} refused: signature check failed`);
      return void reply.code(403).send({ error: 'invalid signature' });
    }
    await handler({ params, query: new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1)), log }, reply);
  }
}

/** Repeated names become arrays, the shape `validateRequest` signs them in. */
export function toParams(form: URLSearchParams): Record<string, string | string[]> {
  // No prototype: a parameter named __proto__ stays a parameter.
  const params = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of form) {
    const seen = params[key];
    params[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

export function single(value: string | string[] | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
