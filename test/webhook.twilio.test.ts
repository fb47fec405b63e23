import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { RenderedMessage } from '../src/channels/channel';
import type { SmsContent } from '../src/channels/sms/sms.twilio';
import { startTwilioSink, type TwilioSink } from '../backoffice/sinks/twilio.sink';
import { twilioSignature } from '../backoffice/sinks/twilio.wire';
import { TwilioSmsProvider } from '../src/channels/sms/sms.twilio';
import { Channel, DeliveryStatus } from '../src/domain';
import { mapTwilioStatus } from '../src/http/twilio-status.mapping';
import { registerTwilioWebhook, type ProviderStatusUpdate } from '../src/http/twilio.webhook';
import { freePort } from '../src/store/redis.process';
import { until } from './support/until';

interface Posted {
  readonly url: string;
  readonly signature: string;
  readonly params: Record<string, string>;
}

const sms = (deliveryId: string, to = '+33612345678'): RenderedMessage<SmsContent> => ({
  channel: Channel.SMS,
  deliveryId,
  communicationId: 'comm-1',
  customerId: 'C0000001',
  documentId: null,
  content: { to, body: 'Your invoice of 42.00 EUR is available in your portal.', segments: 1 },
});

describe('Twilio status webhook, fed by the official client through the local Twilio-compatible sink', () => {
  let sink: TwilioSink;
  let app: FastifyInstance;
  let publicUrl: string;
  let provider: TwilioSmsProvider;
  const updates: ProviderStatusUpdate[] = [];
  const posted: Posted[] = [];
  let failNext = false;
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

  beforeAll(async () => {
    sink = await startTwilioSink({ callbacks: { delayMs: 20 }, undeliverable: (to) => to.endsWith('9999') });
    // The webhook needs its public URL before it listens, so the port is chosen first.
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    app = Fastify({ logger: false });
    const onStatus = async (update: ProviderStatusUpdate): Promise<void> => {
      if (failNext) {
        failNext = false;
        throw new Error('store unavailable');
      }
      updates.push(update);
    };
    registerTwilioWebhook(app, { authToken: sink.authToken, publicUrl, onStatus, logger });
    // Behind a proxy: Twilio signs the public URL, the request arrives on another host and path prefix.
    registerTwilioWebhook(app, { authToken: sink.authToken, publicUrl: 'https://gateway.example/', path: '/hooks/proxied', onStatus });
    // Keeps what the sink really posted, to replay it later.
    app.addHook('preHandler', async (request) => {
      if (request.body instanceof URLSearchParams && request.url.startsWith('/webhooks/twilio/status')) {
        posted.push({ url: request.url, signature: String(request.headers['x-twilio-signature']), params: Object.fromEntries(request.body) });
      }
    });
    app.post('/elsewhere', async () => ({ ok: true }));
    await app.listen({ port, host: '127.0.0.1' });
    provider = new TwilioSmsProvider({
      accountSid: sink.accountSid,
      authToken: sink.authToken,
      from: '+15005550006',
      apiBaseUrl: sink.url,
      statusCallbackUrl: `${publicUrl}/webhooks/twilio/status?tenant=a`,
      timeoutMs: 2_000,
    });
  });

  afterAll(async () => {
    await sink.close();
    await app.close();
  });

  const post = (path: string, params: Record<string, string>, signature: string | null, query = ''): Promise<Response> =>
    fetch(`${publicUrl}${path}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(params).toString(),
    });
  const signed = (params: Record<string, string>, url = `${publicUrl}/webhooks/twilio/status`, token = sink.authToken): string =>
    twilioSignature(token, url, params);
  const callbackParams = (sid: string, status: string): Record<string, string> => ({
    AccountSid: sink.accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, To: '+33612345678', From: '+15005550006',
  });

  it('turns the signed callbacks of a sent message into SENT then DELIVERED', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-1'));
    const mine = await until(() => {
      const found = updates.filter((u) => u.providerMessageId === sid);
      return found.length === 2 ? found : undefined;
    }, 3_000);
    expect(mine).toEqual([
      { providerMessageId: sid, deliveryId: 'd-1', status: DeliveryStatus.SENT, detail: 'twilio status sent', channel: Channel.SMS },
      { providerMessageId: sid, deliveryId: 'd-1', status: DeliveryStatus.DELIVERED, detail: 'twilio status delivered', channel: Channel.SMS },
    ]);
  });

  it('reports an undelivered message as FAILED with the error code and without the number', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-2', '+33612349999'));
    const failed = await until(() => updates.find((u) => u.providerMessageId === sid && u.status === DeliveryStatus.FAILED), 3_000);
    expect(failed.detail).toBe('twilio status undelivered, error 30003 (unreachable destination handset)');
    expect(failed.detail).not.toContain('9999');
  });

  it('refuses forged, missing and re-keyed signatures with 403 and reports nothing', async () => {
    const sid = `SM${'1'.repeat(32)}`;
    const params = callbackParams(sid, 'delivered');
    const before = updates.length;
    expect((await post('/webhooks/twilio/status', params, null)).status).toBe(403);
    expect((await post('/webhooks/twilio/status', params, '')).status).toBe(403);
    expect((await post('/webhooks/twilio/status', params, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    expect((await post('/webhooks/twilio/status', params, signed(params, undefined, 'another-accounts-token'))).status).toBe(403);
    // Signed for another URL: a query string added on the way is caught too.
    expect((await post('/webhooks/twilio/status', params, signed(params), '?tenant=b')).status).toBe(403);
    expect(updates.length).toBe(before);
  });

  it('refuses a captured callback replayed with changed parameters, and accepts it replayed as it was', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-3'));
    const captured = await until(() => posted.find((p) => p.params.MessageSid === sid && p.params.MessageStatus === 'delivered'), 3_000);
    expect(captured.url).toBe('/webhooks/twilio/status?tenant=a&delivery=d-3');
    const before = updates.length;

    const changed = { ...captured.params, MessageStatus: 'failed', SmsStatus: 'failed' };
    expect((await post('/webhooks/twilio/status', changed, captured.signature, '?tenant=a&delivery=d-3')).status).toBe(403);
    const otherMessage = { ...captured.params, MessageSid: `SM${'2'.repeat(32)}` };
    expect((await post('/webhooks/twilio/status', otherMessage, captured.signature, '?tenant=a&delivery=d-3')).status).toBe(403);
    const added = { ...captured.params, ErrorCode: '30003' };
    expect((await post('/webhooks/twilio/status', added, captured.signature, '?tenant=a&delivery=d-3')).status).toBe(403);
    // The delivery id is signed with the URL: pointing the report at another delivery is refused too.
    expect((await post('/webhooks/twilio/status', captured.params, captured.signature, '?tenant=a&delivery=d-9')).status).toBe(403);
    expect(updates.length).toBe(before);

    // An identical replay is what Twilio signed; the store's transition table makes it a no-op.
    expect((await post('/webhooks/twilio/status', captured.params, captured.signature, '?tenant=a&delivery=d-3')).status).toBe(204);
    expect(updates.slice(before)).toEqual([{ providerMessageId: sid, deliveryId: 'd-3', status: DeliveryStatus.DELIVERED, detail: 'twilio status delivered', channel: Channel.SMS }]);
  });

  it('checks the signature against the public URL, not the address the request arrived on', async () => {
    const params = callbackParams(`SM${'3'.repeat(32)}`, 'sent');
    const before = updates.length;
    expect((await post('/hooks/proxied', params, signed(params, `${publicUrl}/hooks/proxied`))).status).toBe(403);
    expect((await post('/hooks/proxied', params, signed(params, 'https://gateway.example/hooks/proxied'))).status).toBe(204);
    expect(updates.slice(before).map((u) => u.status)).toEqual([DeliveryStatus.SENT]);
  });

  it('answers 400 to a body that is not a Twilio form, signed or not', async () => {
    const before = updates.length;
    const noStatus = { AccountSid: sink.accountSid, MessageSid: `SM${'4'.repeat(32)}` };
    expect((await post('/webhooks/twilio/status', noStatus, signed(noStatus))).status).toBe(400);
    const noSid = { AccountSid: sink.accountSid, MessageStatus: 'sent' };
    expect((await post('/webhooks/twilio/status', noSid, signed(noSid))).status).toBe(400);
    const json = await fetch(`${publicUrl}/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signed({}) },
      body: JSON.stringify({ MessageSid: 'SM1', MessageStatus: 'sent' }),
    });
    expect(json.status).toBe(400);
    const empty = await fetch(`${publicUrl}/webhooks/twilio/status`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(updates.length).toBe(before);
  });

  it('keeps its form parser to itself', async () => {
    const response = await fetch(`${publicUrl}/elsewhere`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(response.status).toBe(415);
  });

  it('acknowledges inbound-message statuses without reporting them', async () => {
    const before = updates.length;
    const params = callbackParams(`SM${'5'.repeat(32)}`, 'received');
    expect((await post('/webhooks/twilio/status', params, signed(params))).status).toBe(204);
    expect(updates.length).toBe(before);
  });

  it('answers 500 when the update cannot be applied, so the failure is visible', async () => {
    failNext = true;
    const params = callbackParams(`SM${'6'.repeat(32)}`, 'delivered');
    expect((await post('/webhooks/twilio/status', params, signed(params))).status).toBe(500);
  });

  it('logs refusals and failures without the numbers of the callbacks', () => {
    const logged = logLines.map((line) => JSON.parse(line) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining([
      'Twilio status callback refused: signature check failed',
      'Twilio status callback ignored',
      'Twilio status callback could not be applied',
    ]));
    expect(logLines.join('')).not.toMatch(/612345678|5550006/);
  });

  it('refuses a path or public URL it cannot sign against', () => {
    const options = { authToken: 't', onStatus: async () => undefined };
    expect(() => registerTwilioWebhook(Fastify(), { ...options, publicUrl: 'gateway.example' })).toThrow(/expected http:\/\/… or https:\/\/…/);
    expect(() => registerTwilioWebhook(Fastify(), { ...options, publicUrl: 'http://x', path: 'hook' })).toThrow(/starting with "\/"/);
  });
});

describe('mapTwilioStatus', () => {
  it.each([
    ['accepted', DeliveryStatus.SENDING],
    ['scheduled', DeliveryStatus.SENDING],
    ['queued', DeliveryStatus.SENDING],
    ['sending', DeliveryStatus.SENDING],
    ['sent', DeliveryStatus.SENT],
    ['delivered', DeliveryStatus.DELIVERED],
    ['read', DeliveryStatus.READ],
    ['partially_delivered', DeliveryStatus.DELIVERED],
    ['undelivered', DeliveryStatus.FAILED],
    ['failed', DeliveryStatus.FAILED],
    ['canceled', DeliveryStatus.CANCELLED],
  ])('maps %s to %s', (twilioStatus, expected) => {
    expect(mapTwilioStatus(twilioStatus)).toEqual({ kind: 'status', status: expected, detail: `twilio status ${twilioStatus}` });
  });

  it.each(['receiving', 'received'])('ignores the inbound status %s', (twilioStatus) => {
    expect(mapTwilioStatus(twilioStatus)).toMatchObject({ kind: 'ignored' });
  });

  it('ignores a status it does not know, and reads statuses case-insensitively', () => {
    expect(mapTwilioStatus('teleported')).toEqual({ kind: 'ignored', reason: 'unknown Twilio status "teleported"' });
    expect(mapTwilioStatus(' Delivered ')).toMatchObject({ kind: 'status', status: DeliveryStatus.DELIVERED });
  });

  it('puts the error code and message into the detail, without numbers or addresses', () => {
    expect(mapTwilioStatus('failed', '30007')).toMatchObject({ detail: 'twilio status failed, error 30007 (message filtered by the carrier)' });
    expect(mapTwilioStatus('undelivered', '30099')).toMatchObject({ detail: 'twilio status undelivered, error 30099' });
    const withText = mapTwilioStatus('undelivered', '30003', 'Handset +33 6 12 34 56 78 unreachable, owner claire@example.fr');
    expect(withText).toMatchObject({ detail: 'twilio status undelivered, error 30003 (Handset [number] unreachable, owner [address])' });
    expect(mapTwilioStatus('failed', 'not-a-code', 'x'.repeat(500))).toMatchObject({ detail: expect.stringMatching(/^twilio status failed, x{159}…$/) });
  });
});
