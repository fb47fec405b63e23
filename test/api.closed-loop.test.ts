import nodemailer from 'nodemailer';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

/** An RFC 3464 report as a receiving MTA sends it back to the envelope sender. */
function dsn(verp: string, recipient: string): string {
  return [
    `To: ${verp}`,
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
    '--b1--',
    '',
  ].join('\r\n');
}

describe('closed loop: bounces, statistics, metrics', () => {
  let h: Harness;
  let client: CommunicationClient;
  const from = new Date(Date.now() - 60_000);
  beforeAll(async () => {
    h = await startHarness({ role: 'all' });
    client = new CommunicationClient(h);
  });
  afterAll(() => h.close());

  const emailCustomer = (): { id: string; email: string } => {
    const c = h.backoffice.data.customers.find((x) => x.contact.email && x.address && x.communication.preferredChannel === 'email' && x.communication.consents.email);
    if (!c?.contact.email) throw new Error('no customer with a preferred, consented email in the seed');
    return { id: c.customerId, email: c.contact.email };
  };

  it('a bounce DSN turns a sent email into BOUNCED and the letter fallback goes out', async () => {
    const customer = emailCustomer();
    const sent = await client.sendOk({ customerId: customer.id, templateKey: 'welcome', channelPolicy: 'PREFERRED', channels: ['EMAIL', 'LETTER'] });
    const afterSend = await client.waitFor(sent.id, (c) => c.deliveries.some((d) => d.channel === 'EMAIL' && d.status === 'SENT'));
    const email = afterSend.deliveries.find((d) => d.channel === 'EMAIL')!;
    const message = await h.smtp.waitFor((m) => m.messageId === email.providerMessageId);
    const verp = message.mailFrom;
    expect(verp).toMatch(/^bounces\+.+@/);

    const bounceUrl = new URL(h.gateway.bounceUrl!);
    const mta = nodemailer.createTransport({ host: bounceUrl.hostname, port: Number(bounceUrl.port), secure: false, ignoreTLS: true });
    await mta.sendMail({ envelope: { from: '', to: verp }, raw: dsn(verp, customer.email) });
    mta.close();

    const done = await client.waitFor(sent.id, (c) => c.deliveries.some((d) => d.channel === 'LETTER' && d.status === 'DELIVERED'));
    const bounced = done.deliveries.find((d) => d.channel === 'EMAIL')!;
    expect(bounced.status).toBe('BOUNCED');
    expect(bounced.events.map((e) => e.status)).toContain('BOUNCED');
    expect(bounced.events.find((e) => e.status === 'BOUNCED')?.detail).toMatch(/5\.1\.1/);
    expect(done.status).toBe('DELIVERED');
  });

  it('deliveryStats and /metrics count a known set of sends', async () => {
    const before = await h.graphql<{ deliveryStats: { total: number } }>('query($f: DateTime!, $t: DateTime!) { deliveryStats(from: $f, to: $t) { total } }', { f: from.toISOString(), t: new Date(Date.now() + 60_000).toISOString() });
    const customers = h.backoffice.data.customers.filter((c) => c.address).slice(10, 13);
    const ids = [];
    for (const c of customers) ids.push((await client.sendOk({ customerId: c.customerId, templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'] })).id);
    for (const id of ids) await client.settled(id);

    const { body } = await h.graphql<{ deliveryStats: { total: number; byChannel: { channel: string; status: string; count: number }[] } }>(
      'query($f: DateTime!, $t: DateTime!) { deliveryStats(from: $f, to: $t) { total byChannel { channel status count } } }',
      { f: from.toISOString(), t: new Date(Date.now() + 60_000).toISOString() },
    );
    const stats = body.data!.deliveryStats;
    expect(stats.total).toBe(before.body.data!.deliveryStats.total + 3);
    expect(stats.byChannel.reduce((sum, s) => sum + s.count, 0)).toBe(stats.total);
    expect(stats.byChannel.find((s) => s.channel === 'LETTER' && s.status === 'DELIVERED')?.count).toBeGreaterThanOrEqual(4);
    expect(stats.byChannel.find((s) => s.channel === 'EMAIL' && s.status === 'BOUNCED')?.count).toBe(1);

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const letters = /ccm_deliveries_total\{channel="LETTER",status="DELIVERED"\} (\d+)/.exec(metrics);
    expect(Number(letters?.[1])).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(/ccm_graphql_operation_duration_seconds_count\{[^}]*\} \d+/);
    expect(metrics).toMatch(/ccm_queue_jobs\{queue="render",state="completed"\} \d+/);
  });

  it('refuses a bad stats window', async () => {
    const { body } = await h.graphql('{ deliveryStats(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { total } }');
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
