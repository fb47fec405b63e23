import { twilioSignature } from '../backoffice/sinks/twilio.wire';
import { Channel, ChannelPolicy, DeliveryStatus, Priority } from '../src/domain';
import { createRedis } from '../src/jobs/redis.connection';
import { SendReceipts } from '../src/jobs/send.receipts';
import { EngagementRepository } from '../src/store/engagement.repository';
import { startHarness, type Harness } from './support/gateway.harness';

/**
 * A status callback that arrives before the worker has recorded the message's
 * SID (a fast provider, a slow database): the delivery id in the callback URL
 * and the send receipt, written the moment the provider answered, find it.
 */
describe('Twilio status callbacks that beat the SID to the database', () => {
  let h: Harness;
  let receipts: SendReceipts;
  let close: () => Promise<void>;

  beforeAll(async () => {
    h = await startHarness({ twilio: { callbacks: false } });
    const redis = createRedis(process.env.TEST_REDIS_URL!, 'client', 'test-receipts');
    receipts = new SendReceipts(redis, { prefix: h.config.queuePrefix });
    close = async () => void (await redis.quit());
  });
  afterAll(async () => {
    await close?.();
    await h?.close();
  });

  /** A delivery claimed for sending (SENDING, no SID yet), as a worker leaves it while Twilio answers. */
  async function claimedSms(channel: Channel.SMS | Channel.WHATSAPP = Channel.SMS): Promise<string> {
    const repository = h.gateway.store.communications;
    const { deliveries } = await repository.create({
      callerId: 'test', idempotencyKey: null, customerId: 'C0000001', contractId: null, templateKey: 'payment-reminder',
      channelPolicy: ChannelPolicy.EXPLICIT, requestedChannels: [channel], data: {}, priority: Priority.NORMAL, scheduledAt: null,
      plans: [{ chain: [channel], recipient: '+33612345678' }],
    });
    const id = deliveries[0].id;
    await repository.transition(id, DeliveryStatus.RENDERED, { detail: 'rendered' });
    await repository.transition(id, DeliveryStatus.SENDING, { attemptsIncrement: 1 });
    return id;
  }

  async function report(deliveryId: string, sid: string, status: string, to = '+33612345678'): Promise<number> {
    const path = `/webhooks/twilio/status?delivery=${deliveryId}`;
    const params = { AccountSid: h.sms.accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, To: to };
    const response = await fetch(`${h.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(h.sms.authToken, `${h.config.publicUrl.replace(/\/+$/, '')}${path}`, params) },
      body: new URLSearchParams(params).toString(),
    });
    return response.status;
  }

  it("applies a report whose SID only the send receipt knows yet, and records the SID", async () => {
    const id = await claimedSms();
    const sid = `SM${'a'.repeat(32)}`;
    await receipts.record(id, { providerMessageId: sid, final: false, detail: 'twilio status queued' });
    expect(await report(id, sid, 'delivered')).toBe(204);
    const delivery = await h.gateway.store.communications.getDelivery(id);
    expect(delivery).toMatchObject({ status: DeliveryStatus.DELIVERED, providerMessageId: sid });
    // The worker's own SENT, recorded afterwards, is a regression and changes nothing.
    const late = await h.gateway.store.communications.transition(id, DeliveryStatus.SENT, { providerMessageId: sid });
    expect(late.changed).toBe(false);
  });

  it('leaves the delivery alone when the report names another message (an earlier attempt)', async () => {
    const id = await claimedSms();
    await receipts.record(id, { providerMessageId: `SM${'b'.repeat(32)}`, final: false });
    expect(await report(id, `SM${'c'.repeat(32)}`, 'undelivered')).toBe(204);
    expect(await h.gateway.store.communications.getDelivery(id)).toMatchObject({ status: DeliveryStatus.SENDING, providerMessageId: null });
  });

  const engagementOf = async (deliveryId: string): Promise<string[]> => {
    const [rows] = await new EngagementRepository(h.gateway.store.dataSource).ofDeliveries([deliveryId]);
    return rows.map((r) => `${r.kind} ${r.detail}`);
  };
  const timelineOf = async (deliveryId: string): Promise<string[]> => {
    const [events] = await h.gateway.store.communications.eventsOf([deliveryId]);
    return events.map((e) => `${e.status} ${e.detail}`);
  };

  it('takes a WhatsApp "read" that overtakes "delivered" and the SID as DELIVERED then READ; the late "delivered" and SENT are steps back', async () => {
    const id = await claimedSms(Channel.WHATSAPP);
    const sid = `SM${'d'.repeat(32)}`;
    await receipts.record(id, { providerMessageId: sid, final: false, detail: 'twilio status queued' });
    expect(await report(id, sid, 'read', 'whatsapp:+33612345678')).toBe(204);
    const repository = h.gateway.store.communications;
    expect(await repository.getDelivery(id)).toMatchObject({ status: DeliveryStatus.READ, providerMessageId: sid });
    expect(await engagementOf(id)).toEqual(['READ whatsapp read receipt']);
    expect(await report(id, sid, 'delivered', 'whatsapp:+33612345678')).toBe(204);
    expect(await report(id, sid, 'read', 'whatsapp:+33612345678')).toBe(204);
    expect((await repository.transition(id, DeliveryStatus.SENT, { providerMessageId: sid })).changed).toBe(false);
    expect(await repository.getDelivery(id)).toMatchObject({ status: DeliveryStatus.READ });
    expect(await engagementOf(id)).toEqual(['READ whatsapp read receipt']);
    const timeline = await timelineOf(id);
    expect(timeline.slice(-2)).toEqual(['DELIVERED twilio status read', 'READ read: whatsapp read receipt']);
  });

  it('changes nothing for a "read" about an SMS or about a message it does not know', async () => {
    const id = await claimedSms(Channel.SMS);
    const sid = `SM${'e'.repeat(32)}`;
    await receipts.record(id, { providerMessageId: sid, final: false });
    expect(await report(id, sid, 'read')).toBe(204);
    expect(await h.gateway.store.communications.getDelivery(id)).toMatchObject({ status: DeliveryStatus.SENDING, providerMessageId: null });
    expect(await engagementOf(id)).toEqual([]);
    const whatsapp = await claimedSms(Channel.WHATSAPP);
    expect(await report(whatsapp, `SM${'f'.repeat(32)}`, 'read', 'whatsapp:+33612345678')).toBe(204);
    expect(await h.gateway.store.communications.getDelivery(whatsapp)).toMatchObject({ status: DeliveryStatus.SENDING, providerMessageId: null });
    expect(await engagementOf(whatsapp)).toEqual([]);
  });
});
