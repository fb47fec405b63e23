import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import twilio from 'twilio';
import { TwilioSmsProvider } from '../src/channels/sms/sms.twilio';
import { Channel } from '../src/domain';
import { defaultJobOptions, QueueName } from '../src/jobs/queue.names';
import { redisOptionsFor } from '../src/jobs/redis.connection';
import { openMinimalStore, type MinimalStatus, type MinimalStore } from './minimal.store';

export interface MinimalPipelineOptions {
  readonly redisUrl: string;
  /** A BullMQ prefix of its own. */
  readonly prefix: string;
  /** `sqlite:<path>` or `postgres://…` (see minimal.store.ts). */
  readonly storeUrl: string;
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly from: string; readonly apiUrl: string };
  /** The worker's concurrency: the gateway's WORKER_CONCURRENCY. */
  readonly concurrency: number;
}

/** Counts since the start, for the driver's completion check (`GET /stats`). */
export interface MinimalStats {
  readonly accepted: number;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
  readonly rejectedCallbacks: number;
}

/** POST paths of the minimal pipeline. */
export const MINIMAL_PATHS = { send: '/messages', status: '/status', stats: '/stats' } as const;

const CALLBACK_STATUS: Readonly<Record<string, MinimalStatus>> = { sent: 'sent', delivered: 'delivered', undelivered: 'failed', failed: 'failed' };

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The second limit of the pipeline benchmark: the fewest moving parts that
 * still send an SMS durably, written by hand. `POST /messages {to, body}`
 * inserts one row and adds one BullMQ job (the pipeline's job options, job id
 * = the row id); the worker reads the row, sends it with the official
 * `twilio` client (the gateway's own provider class, so the same HTTP client
 * settings and status callback URL) and records the SID in one UPDATE;
 * Twilio's signed status callbacks (`twilio.validateRequest`, as the
 * gateway's webhook) move the row forward in one UPDATE each. Nothing else:
 * no GraphQL, no customer look-up or template, no timeline, no claim before
 * the send, no status events, no outbox mark.
 */
export async function startMinimalPipeline(options: MinimalPipelineOptions): Promise<{ url: string; close(): Promise<void> }> {
  const store: MinimalStore = await openMinimalStore(options.storeUrl);
  const queueName = 'minimal-sms';
  const queue = new Queue(queueName, { connection: redisOptionsFor(options.redisUrl, 'producer') as ConnectionOptions, prefix: options.prefix });
  const jobOptions = { ...defaultJobOptions(QueueName.RENDER), priority: 3 };
  const counts = { accepted: 0, sent: 0, delivered: 0, failed: 0, rejectedCallbacks: 0 };
  let publicUrl = '';
  let provider: TwilioSmsProvider | null = null;

  const worker = new Worker(queueName, async (job) => {
    const id = (job.data as { id: string }).id;
    const message = await store.read(id);
    if (!message || !provider) throw new Error(`minimal pipeline: expected message ${id} in the store, got none`);
    const result = await provider.send({ channel: Channel.SMS, deliveryId: id, communicationId: id, customerId: id, documentId: null, content: { to: message.to, body: message.body, segments: 1 } });
    if (await store.markSent(id, result.providerMessageId ?? '')) counts.sent += 1;
  }, { connection: redisOptionsFor(options.redisUrl, 'worker') as ConnectionOptions, prefix: options.prefix, concurrency: options.concurrency, autorun: false });

  const answer = (response: http.ServerResponse, status: number, body?: unknown): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0];
    void (async () => {
      if (request.method === 'POST' && path === MINIMAL_PATHS.send) {
        const { to, body } = JSON.parse(await readBody(request)) as { to?: unknown; body?: unknown };
        if (typeof to !== 'string' || typeof body !== 'string') return answer(response, 400, { error: 'expected {to, body} strings' });
        const id = randomUUID();
        await store.insert(id, to, body);
        await queue.add('sms', { id }, { ...jobOptions, jobId: id });
        counts.accepted += 1;
        return answer(response, 200, { id });
      }
      if (request.method === 'POST' && path === MINIMAL_PATHS.status) {
        const params = Object.fromEntries(new URLSearchParams(await readBody(request)));
        const signature = request.headers['x-twilio-signature'];
        if (typeof signature !== 'string' || !twilio.validateRequest(options.twilio.authToken, signature, publicUrl + url, params)) {
          counts.rejectedCallbacks += 1;
          return answer(response, 403);
        }
        const id = new URL(url, publicUrl).searchParams.get('delivery');
        const status = CALLBACK_STATUS[params.MessageStatus ?? ''];
        if (id && status && (await store.advance(id, status))) {
          if (status === 'delivered') counts.delivered += 1;
          if (status === 'failed') counts.failed += 1;
        }
        return answer(response, 204);
      }
      if (request.method === 'GET' && path === MINIMAL_PATHS.stats) return answer(response, 200, { ...counts } satisfies MinimalStats);
      return answer(response, 404);
    })().catch((error: unknown) => {
      if (!response.headersSent) answer(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new TwilioSmsProvider({
    accountSid: options.twilio.accountSid,
    authToken: options.twilio.authToken,
    from: options.twilio.from,
    apiBaseUrl: options.twilio.apiUrl,
    statusCallbackUrl: `${publicUrl}${MINIMAL_PATHS.status}`,
  });
  void worker.run();
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);

  return {
    url: publicUrl,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await store.close();
    },
  };
}
