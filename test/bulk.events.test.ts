import type { ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import type { CustomerRecord, ContractRecord } from '../src/domain';
import { backofficeOf, everyone, sendBulk, smsReachable, waitForBatch } from './bulk.support';
import { startHarness, type Harness } from './support/gateway.harness';
import { roundTrip, subscribe, wsClient } from './support/subscription.client';

interface Change {
  id: string;
  channel: string;
  status: string;
}

describe('bulk communications on the status feed', () => {
  let h: Harness;
  let backoffice: ConnectedBackoffice;
  let people: { customer: CustomerRecord; contracts: readonly ContractRecord[] }[];

  beforeAll(async () => {
    h = await startHarness({ customers: 120, contracts: 300, twilio: { callbacks: false } });
    backoffice = await backofficeOf(h);
    people = await everyone(backoffice);
  });
  afterAll(async () => {
    await backoffice?.close();
    await h?.close();
  });

  it('announces PENDING for each delivery a bulk run creates, before its later steps, as a single send does', async () => {
    const targets = people.filter((p) => smsReachable(p.customer) && !p.customer.phone?.endsWith('0000') && p.contracts.length > 0).slice(0, 3);
    expect(targets).toHaveLength(3);
    const client = wsClient(h.url);
    try {
      const feeds = targets.map((p) =>
        subscribe<Change>(client, 'subscription($id: ID!) { deliveryStatusChanged(customerId: $id) { id channel status } }', { id: p.customer.id }, 'deliveryStatusChanged'),
      );
      await roundTrip(client);

      const started = await sendBulk(h, { templateKey: 'contract-renewal', target: { customerIds: targets.map((p) => p.customer.id) }, channelPolicy: 'EXPLICIT', channels: ['SMS'], data: { renewalDate: '2027-01-01' }, batchKey: 'feed-check' });
      await waitForBatch(h, started.id, (b) => b.status === 'COMPLETED');

      for (const feed of feeds) {
        const seen = await feed.until((r) => r.some((c) => c.status === 'SENT'), 10_000);
        expect(feed.errors).toEqual([]);
        const deliveryId = seen[0].id;
        expect(seen.every((c) => c.id === deliveryId && c.channel === 'SMS')).toBe(true);
        expect(seen.map((c) => c.status)).toEqual(['PENDING', 'RENDERED', 'SENDING', 'SENT']);
      }
      feeds.forEach((f) => f.dispose());
    } finally {
      await client.dispose();
    }
  });
});
