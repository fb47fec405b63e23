import { loadConfig } from '../src/config';
import type { QueueId } from '../src/jobs/queue.names';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

describe('per-channel rate limits', () => {
  it('parses CHANNEL_RATE_LIMITS and names the variable when it is wrong', () => {
    expect(loadConfig({ CHANNEL_RATE_LIMITS: 'sms=10, email=50' }).channelRateLimits).toEqual({ sms: 10, email: 50 });
    expect(loadConfig({}).channelRateLimits).toEqual({});
    expect(() => loadConfig({ CHANNEL_RATE_LIMITS: 'fax=3' })).toThrow(/^CHANNEL_RATE_LIMITS: expected channel=sends-per-second pairs/);
    expect(() => loadConfig({ CHANNEL_RATE_LIMITS: 'sms=0' })).toThrow(/CHANNEL_RATE_LIMITS/);
  });

  describe('with sms=2 per second', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ role: 'all', env: { CHANNEL_RATE_LIMITS: 'sms=2' } });
    });
    afterAll(() => h.close());

    it('sends no faster than the limit, and sends them all', async () => {
      const client = new CommunicationClient(h);
      const contractOf = new Map(h.backoffice.data.contracts.map((k) => [k.CUST_REF, k.CNTR_ID]));
      const targets = h.backoffice.data.customers.filter((c) => c.contact.mobile && c.communication.consents.sms && contractOf.has(c.customerId)).slice(0, 6);
      expect(targets).toHaveLength(6);
      const sent = await Promise.all(
        targets.map((c) => client.sendOk({ customerId: c.customerId, contractId: contractOf.get(c.customerId), templateKey: 'contract-renewal', channelPolicy: 'EXPLICIT', channels: ['SMS'], data: { renewalDate: '2027-01-01' } })),
      );
      const done = await Promise.all(sent.map((c) => client.waitFor(c.id, (x) => x.deliveries.every((d) => ['SENT', 'DELIVERED', 'FAILED'].includes(d.status)), 15_000)));
      expect(done.every((c) => c.deliveries.every((d) => d.status !== 'FAILED'))).toBe(true);
      expect(h.sms.messages).toHaveLength(6);
      // When each send's job started: BullMQ's own `processedOn`, stamped as the worker takes a job under the
      // limiter (the timeline's SENDING entry comes after the job has rendered the SMS, which takes longer for
      // the first ones; the sink's receipt times add the provider call's latency, which varies by hundreds of
      // ms on a busy machine). 6 sends at 2 per second: BullMQ's limiter opens a window with a window's first
      // job, so the 3rd starts a window after the 1st and the 5th one after the 3rd; without the limit all six
      // start within a few tens of ms.
      const jobs = await h.gateway.parts.dispatcher.queue('deliver-sms' as QueueId).getJobs(['completed']);
      const times = jobs.map((job) => job.processedOn!).sort((a, b) => a - b);
      expect(times).toHaveLength(6);
      // The 2nd of a window may start late (its job came later), so the check is window to window: 1st → 3rd → 5th.
      expect([times[2] - times[0], times[4] - times[2]].map((gap) => gap >= 950)).toEqual([true, true]);
      expect(times[4] - times[0]).toBeGreaterThanOrEqual(1_900);
    }, 30_000);
  });
});
