import { Channel } from '../src/domain';
import nodemailer, { type NodemailerError } from 'nodemailer';
import pino from 'pino';
import { startBounceListener, type BounceListener, type BounceReport } from '../src/channels/email/bounce.listener';
import { parseBounce, parseDeliveryStatus } from '../src/channels/email/dsn.parser';
import { SmtpEmailProvider } from '../src/channels/email/email.smtp';
import { startSmtpSink } from '../backoffice/sinks/smtp.sink';
import { DeliveryStatus } from '../src/domain';

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/** A Postfix bounce, as its bounce(8) daemon writes it: notification, report, returned headers. */
function postfixDsn(verp: string, action = 'failed', status = '5.1.1'): string {
  const diagnostic = action === 'failed'
    ? 'Diagnostic-Code: smtp; 550 5.1.1 <claire.martin@example.fr>: Recipient address\n    rejected: User unknown in virtual mailbox table'
    : 'Diagnostic-Code: X-Postfix; connect to mx1.example.fr[192.0.2.10]:25: Connection\n    timed out';
  return crlf(`Return-Path: <>
Received: by mx.bank.example (Postfix) id 3F1A2C0123; Tue, 14 Jan 2025 10:21:07 +0100 (CET)
Date: Tue, 14 Jan 2025 10:21:07 +0100 (CET)
From: MAILER-DAEMON@mx.bank.example (Mail Delivery System)
Subject: ${action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}
To: ${verp}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="3F1A2C0123.1736846467/mx.bank.example"
Content-Transfer-Encoding: 8bit
Message-Id: <20250114092107.3F1A2C0123@mx.bank.example>

This is a MIME-encapsulated message.

--3F1A2C0123.1736846467/mx.bank.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.bank.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<claire.martin@example.fr>: host mx1.example.fr[192.0.2.10] said: 550 5.1.1
    <claire.martin@example.fr>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--3F1A2C0123.1736846467/mx.bank.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bank.example
X-Postfix-Queue-ID: 3F1A2C0123
X-Postfix-Sender: rfc822; ${verp}
Arrival-Date: Tue, 14 Jan 2025 10:21:05 +0100 (CET)

Final-Recipient: rfc822; claire.martin@example.fr
Original-Recipient: rfc822;claire.martin@example.fr
Action: ${action}
Status: ${status}
Remote-MTA: dns; mx1.example.fr
${diagnostic}

--3F1A2C0123.1736846467/mx.bank.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <${verp}>
From: Customer Service <service@bank.example>
To: claire.martin@example.fr
Subject: Your invoice
Message-ID: <d-0001@bank.example>

--3F1A2C0123.1736846467/mx.bank.example--
`);
}

/** Exchange Online's NDR: the report sits after a multipart/alternative notice, the original is attached whole. */
const exchangeNdr = crlf(`From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com>
To: <bounces+d-0002@bounce.bank.example>
Date: Wed, 15 Jan 2025 08:02:11 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="_000_AM0PR01MB1234_"
Content-Language: en-US
Message-ID: <b5f1c2e0-7d3a-4e8f-9a61-2c4d5e6f7a8b@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>
In-Reply-To: <d-0002@bank.example>
Subject: Undeliverable: Your invoice
Auto-Submitted: auto-replied
MIME-Version: 1.0

--_000_AM0PR01MB1234_
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="_001_AM0PR01MB1234_"

--_001_AM0PR01MB1234_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Delivery has failed to these recipients or groups:

jean.dupont@contoso.example
The email address you entered couldn't be found. Please check the recipient=
's email address and try to resend the message.

--_001_AM0PR01MB1234_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Delivery has failed to these recipients or groups:</p></body></html>

--_001_AM0PR01MB1234_--

--_000_AM0PR01MB1234_
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;mx.bank.example
Arrival-Date: Wed, 15 Jan 2025 08:02:09 +0000

Original-Recipient: rfc822;jean.dupont@contoso.example
Final-Recipient: rfc822;jean.dupont@contoso.example
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--_000_AM0PR01MB1234_
Content-Type: message/rfc822

Return-Path: <bounces+d-0002@bounce.bank.example>
From: Customer Service <service@bank.example>
To: <jean.dupont@contoso.example>
Subject: Your invoice
Message-ID: <d-0002@bank.example>
Content-Type: multipart/report; report-type=delivery-status; boundary="inner"

--inner
Content-Type: message/delivery-status

Final-Recipient: rfc822; decoy@example.org
Action: delivered
Status: 2.0.0

--inner--

--_000_AM0PR01MB1234_--
`);

/** A success report (NOTIFY=SUCCESS) whose report part a relay re-encoded in base64. */
const successReport = crlf(`From: Mail Delivery System <MAILER-DAEMON@relay.example.net>
To: bounces+d-0003@bounce.bank.example
Subject: Successful Mail Delivery Report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=simple

--simple
Content-Type: text/plain

Your message was successfully delivered to the destination(s) listed below.

--simple
Content-Type: message/delivery-status
Content-Transfer-Encoding: base64

${Buffer.from('Reporting-MTA: dns; relay.example.net\r\n\r\nFinal-Recipient: rfc822; paul@example.net\r\nAction: delivered\r\nStatus: 2.0.0\r\nRemote-MTA: dns; mx.example.net\r\nDiagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4Yb1x2\r\n').toString('base64').replace(/(.{76})/g, '$1\n')}
--simple--
`);

/** qmail: no report at all, the verdict is prose. */
const qmailBounce = crlf(`From: MAILER-DAEMON@mail.example.net
To: bounces+d-0004@bounce.bank.example
Subject: failure notice

Hi. This is the qmail-send program at mail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<paul@example.net>:
192.0.2.20 does not like recipient.
Remote host said: 550 5.7.1 <paul@example.net>... Mailbox disabled
Giving up on 192.0.2.20.

--- Below this line is a copy of the message.

Return-Path: <bounces+d-0004@bounce.bank.example>
Subject: Your invoice
Status: 2.0.0 quoted from the original, not a verdict
`);

const outOfOffice = crlf(`From: Claire Martin <claire.martin@example.fr>
To: bounces+d-0005@bounce.bank.example
Subject: Automatic reply: Your invoice
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset=utf-8

I am out of the office until Monday 20 January.
`);

const readReceipt = crlf(`From: Claire Martin <claire.martin@example.fr>
To: bounces+d-0006@bounce.bank.example
Subject: Read: Your invoice
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

--mdn
Content-Type: message/disposition-notification

Final-Recipient: rfc822; claire.martin@example.fr
Disposition: manual-action/MDN-sent-manually; displayed

--mdn--
`);

describe('parseBounce', () => {
  it('reads a Postfix bounce: BOUNCED with the status and the diagnostic, address masked', () => {
    const verdict = parseBounce(Buffer.from(postfixDsn('bounces+d-0001@bounce.bank.example')));
    expect(verdict).toMatchObject({
      status: DeliveryStatus.BOUNCED,
      detail: 'bounced: 5.1.1 (smtp; 550 5.1.1 [address]: Recipient address rejected: User unknown in virtual mailbox table)',
    });
  });

  it('reads an Exchange NDR', () => {
    expect(parseBounce(exchangeNdr)).toMatchObject({
      status: DeliveryStatus.BOUNCED,
      detail: 'bounced: 5.1.10 (smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup)',
      recipients: [{ action: 'failed', status: '5.1.10', finalRecipient: 'rfc822;jean.dupont@contoso.example' }],
    });
  });

  it('reads a success report, base64 and all, as DELIVERED', () => {
    expect(parseBounce(successReport)).toMatchObject({ status: DeliveryStatus.DELIVERED, detail: 'delivered: 2.0.0 (smtp; 250 2.0.0 Ok: queued as 4Yb1x2)' });
  });

  it('gives no verdict on a delay notice', () => {
    expect(parseBounce(postfixDsn('bounces+d-1@bounce.bank.example', 'delayed', '4.4.1'))).toEqual({
      status: null,
      reason: 'delivery status report without a final action (delayed)',
    });
  });

  it('reads a plain-text bounce without a report as BOUNCED', () => {
    expect(parseBounce(qmailBounce)).toEqual({
      status: DeliveryStatus.BOUNCED,
      detail: 'bounced: Remote host said: 550 5.7.1 [address]... Mailbox disabled',
      recipients: [],
    });
    const bare = crlf('From: Mail Delivery Subsystem <mailer-daemon@mx.example.org>\nSubject: Returned mail\n\nThe message could not be delivered.\n');
    expect(parseBounce(bare)).toMatchObject({ status: DeliveryStatus.BOUNCED, detail: 'bounced: no delivery status report' });
  });

  it('does not take a report inside the returned original for the verdict', () => {
    const original = exchangeNdr.slice(exchangeNdr.indexOf('Content-Type: message/rfc822'));
    const wrapped = crlf(`From: MAILER-DAEMON@mx.example.org\nSubject: Mail delivery failed\nContent-Type: multipart/mixed; boundary=w\n\n--w\nContent-Type: text/plain\n\n550 5.1.1 mailbox unavailable\n\n--w\n${original.replace(/--_000_AM0PR01MB1234_--\r\n$/, '')}\n--w--\n`);
    expect(parseBounce(wrapped)).toEqual({ status: DeliveryStatus.BOUNCED, detail: 'bounced: 550 5.1.1 mailbox unavailable', recipients: [] });
  });

  it('gives no verdict on an out-of-office reply or a read receipt', () => {
    expect(parseBounce(outOfOffice)).toEqual({ status: null, reason: 'neither a delivery status report nor a bounce' });
    expect(parseBounce(readReceipt)).toEqual({ status: null, reason: 'a disposition-notification report, not a delivery status' });
  });

  it('lets a failed recipient outweigh a delivered one, and judges a block without Action by its status', () => {
    const report = 'Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@x.example\nAction: delivered\nStatus: 2.0.0\n\nFinal-Recipient: rfc822; b@x.example\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n';
    expect(parseDeliveryStatus(report).map((r) => [r.action, r.status])).toEqual([['delivered', '2.0.0'], [null, '5.2.2']]);
    const dsn = `Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n${report}\n--b--\n`;
    expect(parseBounce(dsn)).toMatchObject({ status: DeliveryStatus.BOUNCED, detail: 'bounced: 5.2.2 (smtp; 552 5.2.2 Mailbox full)' });
  });
});

describe('startBounceListener with real SMTP on loopback', () => {
  const DOMAIN = 'bounce.bank.example';
  let listener: BounceListener;
  const reports: BounceReport[] = [];
  let failNext = false;
  const logLines: string[] = [];
  const transport = () => nodemailer.createTransport({ url: listener.url, ignoreTLS: true, logger: false });
  const sendRaw = (to: string[], raw: string) => transport().sendMail({ envelope: { from: false, to }, raw });

  beforeAll(async () => {
    listener = await startBounceListener({
      bounceDomain: DOMAIN,
      logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      onBounce: async (report) => {
        if (failNext) {
          failNext = false;
          throw new Error('database unavailable');
        }
        reports.push(report);
      },
    });
  });
  afterAll(() => listener.close());

  it('turns the bounce of a mail the provider really sent into a BOUNCED report for its delivery', async () => {
    const relay = await startSmtpSink();
    const provider = new SmtpEmailProvider({ url: relay.url, from: 'Customer Service <service@bank.example>', bounceDomain: DOMAIN });
    try {
      await provider.send({
        channel: Channel.EMAIL, deliveryId: 'd-0001', communicationId: 'comm-1', customerId: 'C0000001', documentId: null,
        content: { to: 'claire.martin@example.fr', subject: 'Your invoice', html: '<p>Hi</p>', text: 'Hi', attachment: null },
      });
      const sent = await relay.waitFor((m) => m.messageId === '<d-0001@bank.example>');
      // The remote MTA answers the envelope sender with a null sender, as RFC 3464 requires.
      const info = await sendRaw([sent.mailFrom], postfixDsn(sent.mailFrom));
      expect(info.response).toMatch(/^250 /);
      expect(reports).toEqual([{ deliveryId: 'd-0001', status: DeliveryStatus.BOUNCED, detail: expect.stringMatching(/^bounced: 5\.1\.1 /) }]);
      expect(reports[0].detail).not.toContain('@');
    } finally {
      await provider.close();
      await relay.close();
    }
  });

  it('reports a positive delivery report as DELIVERED, once per VERP recipient', async () => {
    reports.length = 0;
    await sendRaw([`bounces+d-0003@${DOMAIN}`, `BOUNCES+d-0007@${DOMAIN.toUpperCase()}`], successReport);
    expect(reports.map((r) => [r.deliveryId, r.status])).toEqual([['d-0003', DeliveryStatus.DELIVERED], ['d-0007', DeliveryStatus.DELIVERED]]);
  });

  it('accepts an out-of-office reply and reports nothing', async () => {
    reports.length = 0;
    const info = await sendRaw([`bounces+d-0005@${DOMAIN}`], outOfOffice);
    expect(info.response).toMatch(/^250 /);
    expect(reports).toEqual([]);
  });

  it.each([
    ['a mailbox of the domain', `service@${DOMAIN}`],
    ['a VERP address of another domain', 'bounces+d-0001@bank.example'],
    ['a VERP address with an unusable id', `bounces+d~1@${DOMAIN}`],
  ])('refuses %s with 550', async (_what, address) => {
    reports.length = 0;
    const error = (await sendRaw([address], exchangeNdr).catch((e: unknown) => e)) as NodemailerError;
    expect(error.responseCode).toBe(550);
    expect(reports).toEqual([]);
  });

  it('answers 451 when the report cannot be recorded, so the sender tries again', async () => {
    reports.length = 0;
    failNext = true;
    const error = (await sendRaw([`bounces+d-0002@${DOMAIN}`], exchangeNdr).catch((e: unknown) => e)) as NodemailerError;
    expect(error.responseCode).toBe(451);
    await sendRaw([`bounces+d-0002@${DOMAIN}`], exchangeNdr);
    expect(reports).toEqual([{ deliveryId: 'd-0002', status: DeliveryStatus.BOUNCED, detail: expect.stringContaining('5.1.10') }]);
  });

  it('logs by delivery id, never by address', () => {
    expect(logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(expect.arrayContaining([
      'Message to a bounce address ignored',
      'Bounce could not be applied; the sender will retry',
    ]));
    expect(logLines.join('')).not.toMatch(/example\.fr|contoso/);
  });
});
