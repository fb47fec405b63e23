import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planDeliveries } from '../src/channels/channel-policy';
import type { ChannelProvider, RenderedMessage } from '../src/channels/channel';
import type { ChannelModule } from '../src/channels/channel.module';
import { builtInChannels, ChannelRegistry } from '../src/channels/registry';
import { Channel, ChannelPolicy, CommunicationStatus, DeliveryStatus, PreferenceSource } from '../src/domain';
import { deliverQueueOf } from '../src/jobs/queue.names';
import { TemplateCatalog } from '../src/render/template.catalog';
import { startPipeline, type Pipeline } from './jobs.harness';

/**
 * The claim of src/channels/README.md: a channel is one module plus one line
 * in the registry. A carrier-pigeon channel, defined here and nowhere else,
 * gets its deliver queue, its worker, its place in the policy and the template
 * check, and its provider receives what its renderer made.
 */
const PIGEON = 'PIGEON' as Channel;
interface PigeonContent { readonly loft: string; readonly note: string }

function pigeonChannel(received: RenderedMessage<PigeonContent>[]): ChannelModule<PigeonContent> {
  const provider: ChannelProvider<PigeonContent> = {
    channel: PIGEON,
    async send(message) {
      received.push(message);
      return { providerMessageId: `pigeon:${message.deliveryId}`, final: true, detail: `released to loft ${message.content.loft}` };
    },
  };
  return {
    id: PIGEON,
    key: 'pigeon',
    medium: 'digital',
    interruptive: false,
    consent: 'required',
    address: (customer) => (customer.postalAddress ? `loft ${customer.postalAddress.city}` : null),
    missingAddress: 'needs a loft and the customer has none',
    templateTexts: ['sms'],
    async render({ model, customer }) {
      const loft = customer.postalAddress?.city;
      if (!loft) return { ok: false, reason: 'no loft for this customer' };
      return { ok: true, content: { loft, note: model.sms }, documentId: null, detail: 'note rolled up' };
    },
    createProvider: () => provider,
  };
}

describe('a channel added as one module', () => {
  const received: RenderedMessage<PigeonContent>[] = [];
  const pigeon = pigeonChannel(received);
  let p: Pipeline;
  let templatesDir: string;

  beforeAll(async () => {
    templatesDir = mkdtempSync(join(tmpdir(), 'ccm-pigeon-'));
    const invoice = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'invoice-available.json'), 'utf8')) as { channels: string[] };
    invoice.channels = [...invoice.channels, 'PIGEON'];
    writeFileSync(join(templatesDir, 'invoice-available.json'), JSON.stringify(invoice));
    p = await startPipeline('pigeon', { extraChannels: [pigeon], templatesDir });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('derives its queue and worker, and delivers what its renderer made', async () => {
    expect(p.workers.workers.map((w) => w.name)).toContain(deliverQueueOf(PIGEON));
    expect(deliverQueueOf(PIGEON)).toBe('deliver-pigeon');
    // The CRM knows nothing of pigeons: the customer's consent is given through the preference centre,
    // and the deliver job checks it right before sending, as for every channel that needs one.
    const [customer] = await p.backoffice.crm.getCustomers(['C0000001']);
    await p.store.preferences.update({
      customerId: 'C0000001',
      values: { consents: [...customer!.consents, PIGEON] },
      crm: { preferredChannel: customer!.preferredChannel, consents: customer!.consents, paperless: false, language: customer!.language, timeZone: null, quietHours: null },
      source: PreferenceSource.AGENT,
      actor: 'agent-1',
      reason: 'keeps pigeons',
    });
    const communication = await p.send({ chain: [PIGEON] });
    const settled = await p.waitFor(communication.id, (s) => s === CommunicationStatus.DELIVERED || s === CommunicationStatus.FAILED, 15_000);
    expect(settled.status).toBe(CommunicationStatus.DELIVERED);
    const [[delivery]] = await p.repository.deliveriesOf([communication.id]);
    expect(delivery).toMatchObject({ channel: PIGEON, status: DeliveryStatus.DELIVERED, providerMessageId: `pigeon:${delivery.id}`, recipient: 'loft Lyon' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ channel: PIGEON, deliveryId: delivery.id, content: { loft: 'Lyon' } });
    expect(received[0].content.note).toMatch(/INV-2026-000123/);
  });

  it('takes part in the policy and the template check through its module alone', () => {
    const registry = new ChannelRegistry([...builtInChannels(), pigeon]);
    const customer = { id: 'C1', kind: 'person' as const, firstName: 'A', lastName: 'B', companyName: null, email: null, phone: null, language: 'en', segment: null,
      postalAddress: { lines: ['1 rue'], postalCode: '69003', city: 'Lyon', country: 'FR' }, preferredChannel: null, consents: [PIGEON], webhookUrl: null };
    expect(registry.digital()).toContain(PIGEON);
    expect(planDeliveries({ policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer, templateChannels: [PIGEON, Channel.LETTER], registry })).toEqual({ ok: true, plans: [{ chain: [PIGEON] }] });
    expect(planDeliveries({ policy: ChannelPolicy.EXPLICIT, channels: [PIGEON], customer: { ...customer, consents: [] }, templateChannels: [PIGEON], registry }))
      .toEqual({ ok: false, error: "Cannot deliver as requested: PIGEON needs the customer's consent to PIGEON, which is missing" });
    // A template listing the channel must have the texts its module needs.
    const broken = mkdtempSync(join(tmpdir(), 'ccm-pigeon-broken-'));
    const welcome = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'welcome.json'), 'utf8')) as { channels: string[] };
    welcome.channels = ['PIGEON'];
    writeFileSync(join(broken, 'welcome.json'), JSON.stringify(welcome));
    expect(() => TemplateCatalog.load(broken, { channels: registry.modules })).toThrow(/languages\.en\.sms: expected a string, got nothing/);
    expect(() => TemplateCatalog.load(broken)).toThrow(/channels\[0\]: expected one of .*, got string "PIGEON"/);
  });
});
