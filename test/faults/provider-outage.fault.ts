import { randomBytes } from 'node:crypto';
import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import { DeliveryStatus } from '../../src/domain';
import type { Harness } from '../support/gateway.harness';
import { createDatabase } from '../support/postgres.cluster';
import { sendLoad, targetsOf } from './fault.load';
import { report, settle, tally } from './fault.tally';
import { startFaultGateway, type FaultGateway } from './fault.gateway';
import type { RestartableSmtpSink } from './smtp.restartable';

const COUNT = Number(process.env.FAULT_PROVIDER_COUNT ?? 200);
const DOWN_MS = 10_000;
/** What the Twilio sink asks for while it answers 503. */
const RETRY_AFTER_S = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('(c) SMTP server down and Twilio answering 503 with Retry-After, for 10 s mid-run', () => {
  const run = `p${randomBytes(3).toString('hex')}`;
  let h: Harness;
  let smtp: RestartableSmtpSink;
  let sms: TwilioSink;
  let gateway: FaultGateway | undefined;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `faults_provider_${process.pid}`);
    ({ h, smtp, sms } = gateway = await startFaultGateway({ role: 'all', databaseUrl }));
  });
  afterAll(() => gateway?.close());

  it('retries with backoff (no sooner than Retry-After) and delivers everything once they are back', async () => {
    const targets = await targetsOf(h);
    const started = Date.now();
    let outage: Promise<void> | null = null;
    const probe: { ready: number | null } = { ready: null };
    const sent = await sendLoad(h, {
      run,
      count: COUNT,
      targets,
      onAnswer: (done) => {
        if (done !== Math.floor(COUNT / 4) || outage) return;
        outage = (async () => {
          await smtp.down();
          sms.setFault({ status: 503, retryAfter: RETRY_AFTER_S });
          await sleep(DOWN_MS / 2);
          probe.ready = (await fetch(`${h.url}/readyz`)).status;
          await sleep(DOWN_MS / 2);
          sms.setFault(null);
          await smtp.up();
        })();
      },
    });
    await outage;
    const ids = sent.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const open = await settle(h.gateway.store.communications, ids, 120_000);
    await sleep(500);
    const figures = await tally(h.gateway.store.communications, run, sent, smtp.received, sms.messages);

    // Retry-After honoured: after a 503, the next attempt of that SMS came no sooner than asked.
    const repository = h.gateway.store.communications;
    const smsDeliveries = (await repository.deliveriesOf(ids)).flat().filter((d) => d.channel === 'SMS');
    const timelines = await repository.eventsOf(smsDeliveries.map((d) => d.id));
    const gaps = timelines.flatMap((events) => {
      const sending = events.filter((e) => e.status === DeliveryStatus.SENDING);
      return sending.slice(1).flatMap((e, i) => (/503/.test(e.detail ?? '') ? [e.at.getTime() - sending[i].at.getTime()] : []));
    });
    const retried = (await repository.deliveriesOf(ids)).flat().filter((d) => d.attempts > 1).length;
    report('(c) SMTP down + Twilio 503', figures, {
      count: COUNT, downMs: DOWN_MS, retriedDeliveries: retried, smsRetriesAfter503: gaps.length,
      shortestGapAfter503Ms: gaps.length ? Math.min(...gaps) : null, readyzDuringOutage: probe.ready, totalInS: Math.round((Date.now() - started) / 1000), open: open.length,
    });
    expect(figures.accepted).toBe(COUNT);
    expect(figures).toMatchObject({ lost: 0, duplicates: 0, emailResends: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: COUNT });
    expect(retried).toBeGreaterThan(0);
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);
    // Providers are not what /readyz gates on: the gateway keeps accepting while they are away.
    expect(probe.ready).toBe(200);
  }, 180_000);
});
