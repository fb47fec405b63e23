import { randomBytes } from 'node:crypto';
import type { TwilioSink } from '../../backoffice/sinks/twilio.sink';
import type { Harness } from '../support/gateway.harness';
import { createDatabase } from '../support/postgres.cluster';
import { requestOf, sendLoad, targetsOf } from './fault.load';
import { report, settle, tally } from './fault.tally';
import { startFaultGateway, type FaultGateway } from './fault.gateway';
import type { RestartableSmtpSink } from './smtp.restartable';

const COUNT = Number(process.env.FAULT_BACKOFFICE_COUNT ?? 200);
const DOWN_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('(d) the CRM down for 10 s while renders are queued', () => {
  const run = `b${randomBytes(3).toString('hex')}`;
  let h: Harness;
  let smtp: RestartableSmtpSink;
  let sms: TwilioSink;
  let gateway: FaultGateway | undefined;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(process.env.TEST_POSTGRES_URL!, `faults_backoffice_${process.pid}`);
    ({ h, smtp, sms } = gateway = await startFaultGateway({ role: 'all', databaseUrl }));
  });
  afterAll(() => gateway?.close());

  it('keeps the accepted communications, retries their renders with backoff, and completes them when it is back', async () => {
    const targets = await targetsOf(h);
    const started = Date.now();
    // Accepted first (the API needs the CRM to validate a request), then the CRM goes away under the renders.
    const sent = await sendLoad(h, { run, count: COUNT, targets, concurrency: 16 });
    h.backoffice.control('crm', { down: true });
    const ids = sent.flatMap((s) => (s.communicationId ? [s.communicationId] : []));
    const atOutage = await h.gateway.store.communications.getMany(ids);
    await sleep(DOWN_MS / 2);
    const response = await fetch(`${h.url}/readyz`);
    const ready = { status: response.status, body: (await response.json()) as { backoffice?: Record<string, string> } };
    const refused = await h.graphql<unknown>('mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }', { input: requestOf(`${run}x`, 0, targets[0], 'EMAIL').input });
    await sleep(DOWN_MS / 2);
    h.backoffice.control('crm', { down: false });

    const open = await settle(h.gateway.store.communications, ids, 150_000);
    await sleep(500);
    const figures = await tally(h.gateway.store.communications, run, sent, smtp.received, sms.messages);
    const pendingAtOutage = atOutage.filter((c) => c && ['QUEUED', 'RENDERING'].includes(c.status)).length;
    report('(d) CRM down', figures, {
      count: COUNT, downMs: DOWN_MS, waitingForRenderDuringOutage: pendingAtOutage, readyzDuringOutage: ready.status,
      crmCircuit: ready.body.backoffice?.crm, totalInS: Math.round((Date.now() - started) / 1000), open: open.length,
    });
    expect(figures.accepted).toBe(COUNT);
    expect(figures).toMatchObject({ lost: 0, duplicates: 0, emailResends: 0, orphans: 0, wrongRecords: 0, failed: 0, delivered: COUNT });
    // The outage hit renders that were still waiting, and the gateway stayed ready while saying what is degraded.
    expect(pendingAtOutage).toBeGreaterThan(0);
    expect(ready.status).toBe(200);
    // A new request cannot be validated without the CRM: refused, naming the system, nothing recorded.
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BACKOFFICE_UNAVAILABLE', system: 'crm' });
  }, 200_000);
});
