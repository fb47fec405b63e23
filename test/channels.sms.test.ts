import { Channel } from '../src/domain';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { PermanentDeliveryError, TransientDeliveryError, type RenderedMessage } from '../src/channels/channel';
import type { SmsContent } from '../src/channels/sms/sms.twilio';
import { startTwilioSink, type TwilioSink } from '../backoffice/sinks/twilio.sink';
import { TwilioSmsProvider, type TwilioSmsOptions } from '../src/channels/sms/sms.twilio';
import { until } from './support/until';

interface Callback {
  readonly url: string;
  readonly signature: string;
  readonly params: Record<string, string>;
}

/** Stands in for the gateway's webhook endpoint: records what Twilio (here: the sink) posts. */
async function startReceiver(): Promise<{ url: string; received: Callback[]; close(): Promise<void>; server: Server }> {
  const received: Callback[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { port } = server.address() as AddressInfo;
      received.push({
        url: `http://127.0.0.1:${port}${req.url}`,
        signature: String(req.headers['x-twilio-signature'] ?? ''),
        params: Object.fromEntries(new URLSearchParams(body)),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const sms = (deliveryId: string, to = '+33612345678'): RenderedMessage<SmsContent> => ({
  channel: Channel.SMS,
  deliveryId,
  communicationId: 'comm-1',
  customerId: 'C0000001',
  documentId: null,
  content: { to, body: 'Your invoice of 42.00 EUR is available in your portal.', segments: 1 },
});

describe('TwilioSmsProvider with the official client against a Twilio-compatible endpoint', () => {
  let sink: TwilioSink;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let provider: TwilioSmsProvider;
  let callbackUrl: string;
  const make = (overrides: Partial<TwilioSmsOptions> = {}): TwilioSmsProvider =>
    new TwilioSmsProvider({
      accountSid: sink.accountSid,
      authToken: sink.authToken,
      from: '+15005550006',
      apiBaseUrl: sink.url,
      statusCallbackUrl: callbackUrl,
      timeoutMs: 2_000,
      ...overrides,
    });

  beforeAll(async () => {
    sink = await startTwilioSink({ callbacks: { delayMs: 20 }, undeliverable: (to) => to.endsWith('9999') });
    receiver = await startReceiver();
    callbackUrl = `${receiver.url}/webhooks/twilio/status?tenant=a`;
    provider = make();
  });

  afterAll(async () => {
    await sink.close();
    await receiver.close();
  });

  afterEach(() => sink.setFault(null));

  it('sends the message and reports the SID', async () => {
    const result = await provider.send(sms('d-1'));
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), final: false, detail: 'twilio status queued' });
    const stored = sink.messages.find((m) => m.sid === result.providerMessageId);
    expect(stored).toMatchObject({
      to: '+33612345678',
      from: '+15005550006',
      body: 'Your invoice of 42.00 EUR is available in your portal.',
      // Our delivery id rides along, so a report that beats the SID's record still finds its delivery.
      statusCallback: `${callbackUrl}&delivery=d-1`,
    });
  });

  it('receives status callbacks signed the way twilio.validateRequest checks them', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-2'));
    const callbacks = await until(() => {
      const mine = receiver.received.filter((c) => c.params.MessageSid === sid);
      return mine.length === 2 ? mine : undefined;
    }, 3_000);
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of callbacks) {
      expect(callback.url).toBe(`${callbackUrl}&delivery=d-2`);
      expect(callback.params).toMatchObject({ AccountSid: sink.accountSid, To: '+33612345678', From: '+15005550006' });
      expect(twilio.validateRequest(sink.authToken, callback.signature, callback.url, callback.params)).toBe(true);
      expect(twilio.validateRequest('another-token', callback.signature, callback.url, callback.params)).toBe(false);
      const tampered = { ...callback.params, MessageStatus: 'failed' };
      expect(twilio.validateRequest(sink.authToken, callback.signature, callback.url, tampered)).toBe(false);
    }
  });

  it('fetches a message by SID, as a check before a resend would', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-3'));
    await sink.waitFor((m) => m.sid === sid && m.status === 'delivered');
    await expect(provider.fetchMessage(sid!)).resolves.toEqual({ sid, status: 'delivered', errorCode: null });
  });

  it('reports an undelivered message through the callback', async () => {
    const { providerMessageId: sid } = await provider.send(sms('d-4', '+33612349999'));
    const last = await until(() => receiver.received.find((c) => c.params.MessageSid === sid && c.params.MessageStatus === 'undelivered'), 3_000);
    expect(last.params.ErrorCode).toBe('30003');
  });

  it('turns an invalid number into a PermanentDeliveryError', async () => {
    const before = sink.messages.length;
    const error = await provider.send(sms('d-5', '+33600000000')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ providerCode: '21211', message: expect.stringContaining('invalid number') });
    expect((error as Error).message).not.toContain('600000000');
    expect(sink.messages.length).toBe(before);
  });

  it.each([503, 429] as const)('turns a %i into a TransientDeliveryError with Retry-After', async (status) => {
    sink.setFault({ status, retryAfter: 7 });
    const error = await provider.send(sms('d-6')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error).toMatchObject({ retryAfterMs: 7_000, message: expect.stringContaining(`Twilio answered ${status}`) });
  });

  it('retries, rather than falls back, when the credentials are wrong', async () => {
    const error = await make({ authToken: 'not-the-token' }).send(sms('d-7')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toMatch(/Twilio answered 401 \(code 20003\)/);
  });

  it('turns an unreachable endpoint into a TransientDeliveryError', async () => {
    const gone = await startTwilioSink({ callbacks: false });
    await gone.close();
    const error = await make({ apiBaseUrl: gone.url }).send(sms('d-8')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect((error as Error).message).toMatch(/Twilio could not be reached \(ECONNREFUSED\)/);
  });

  it('sends through a messaging service when one is configured', async () => {
    const viaService = make({ from: null, messagingServiceSid: `MG${'a'.repeat(32)}`, statusCallbackUrl: null });
    const { providerMessageId: sid } = await viaService.send(sms('d-9'));
    expect(sink.messages.find((m) => m.sid === sid)).toMatchObject({
      from: null,
      messagingServiceSid: `MG${'a'.repeat(32)}`,
      statusCallback: null,
    });
  });

  it('checks the account for readiness', async () => {
    await expect(provider.check()).resolves.toBeUndefined();
    sink.setFault({ status: 503 });
    await expect(provider.check()).rejects.toBeInstanceOf(TransientDeliveryError);
  });

  it('refuses a configuration without a sender', () => {
    expect(() => make({ from: null, messagingServiceSid: null })).toThrow(/expected a sender \(from\) or a messagingServiceSid/);
  });
});

describe('Twilio sink', () => {
  it('answers malformed requests with Twilio error codes and journals what it accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-twilio-'));
    const sink = await startTwilioSink({ dir, callbacks: { delayMs: 5 } });
    const auth = `Basic ${Buffer.from(`${sink.accountSid}:${sink.authToken}`).toString('base64')}`;
    const post = (form: Record<string, string>, authorization = auth): Promise<Response> =>
      fetch(`${sink.url}/2010-04-01/Accounts/${sink.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    try {
      const noBody = await post({ To: '+33612345678', From: '+15005550006' });
      expect(noBody.status).toBe(400);
      expect(await noBody.json()).toEqual({ code: 21602, message: 'Message body is required.', more_info: 'https://www.twilio.com/docs/errors/21602', status: 400 });
      expect(await (await post({ To: '+33612345678', Body: 'x' })).json()).toMatchObject({ code: 21603 });
      expect(await (await post({ To: '0612345678', From: '+15005550006', Body: 'x' })).json()).toMatchObject({ code: 21211 });
      expect(await (await post({ To: '+33612345678', From: '+15005550006', Body: 'x' }, 'Basic eDp5')).json()).toMatchObject({ code: 20003, status: 401 });
      const missing = await fetch(`${sink.url}/2010-04-01/Accounts/${sink.accountSid}/Messages/SM${'0'.repeat(32)}.json`, { headers: { authorization: auth } });
      expect(missing.status).toBe(404);

      const created = await post({ To: '+33612345678', From: '+15005550006', Body: 'Hello' });
      expect(created.status).toBe(201);
      const { sid } = (await created.json()) as { sid: string };
      await sink.waitFor((m) => m.sid === sid && m.status === 'delivered');
      await sink.close();
      const journal = readFileSync(join(dir, 'twilio-messages.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { sid: string; status: string });
      expect(journal.map((entry) => [entry.sid, entry.status])).toEqual([[sid, 'queued'], [sid, 'sent'], [sid, 'delivered']]);
    } finally {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
