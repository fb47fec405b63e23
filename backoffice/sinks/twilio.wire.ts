/** Twilio's REST wire format as the local sink speaks it: auth, errors, resources, webhook signatures. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** What the wire format needs to know about a message. */
export interface WireMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly body: string;
  readonly status: string;
  readonly errorCode: number | null;
  readonly dateCreated: Date;
  readonly dateUpdated: Date;
  readonly dateSent: Date | null;
}

/** Twilio's webhook signature: HMAC-SHA1 over the URL followed by each parameter name and value, names sorted. */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params).sort().reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export function authorized(header: string | undefined, accountSid: string, authToken: string): boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function fail(res: ServerResponse, status: number, code: number, message: string): void {
  send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Twilio's JSON for a Message resource: snake_case, RFC 2822 dates, counts as strings. */
export function messageJson(m: WireMessage, accountSid: string): object {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}`;
  const date = (d: Date | null): string | null => (d ? d.toUTCString().replace('GMT', '+0000') : null);
  // GSM-7 fits 160 characters (153 per part when split); anything else is UCS-2, 70 (67).
  const gsm = /^[\x20-\x7e\n\r]*$/.test(m.body);
  const segments = m.body.length <= (gsm ? 160 : 70) ? 1 : Math.ceil(m.body.length / (gsm ? 153 : 67));
  return {
    account_sid: accountSid, api_version: '2010-04-01', body: m.body,
    date_created: date(m.dateCreated), date_sent: date(m.dateSent), date_updated: date(m.dateUpdated),
    direction: 'outbound-api', error_code: m.errorCode, error_message: m.errorCode ? 'Unknown destination handset' : null,
    from: m.from, messaging_service_sid: m.messagingServiceSid, num_media: '0', num_segments: String(segments),
    price: null, price_unit: 'USD', sid: m.sid, status: m.status,
    subresource_uris: { media: `${uri}/Media.json` }, to: m.to, uri: `${uri}.json`,
  };
}
