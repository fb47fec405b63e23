import { loadConfig } from '../src/config';
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
      const times = h.sms.messages.map((m) => m.dateCreated.getTime()).sort((a, b) => a - b);
      expect(times).toHaveLength(6);
      // 6 sends at 2 per second: the last leaves two windows after the first. The times are taken where the
      // sink receives them, after the provider call, whose latency varies by a few hundred ms on a busy machine;
      // without the limit all six arrive within a few tens of ms.
      expect(times[5] - times[0]).toBeGreaterThanOrEqual(1_500);
    }, 30_000);
  });
});
