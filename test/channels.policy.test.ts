import { planDeliveries, type DeliveryPlanInput } from '../src/channels/channel-policy';
import { ChannelRegistry } from '../src/channels/registry';
import { Channel, ChannelPolicy, PreferenceSource, type CustomerRecord } from '../src/domain';

const { EMAIL, SMS, LETTER, PORTAL } = Channel;
const ALL = [EMAIL, SMS, LETTER, PORTAL];
const registry = new ChannelRegistry();

function customer(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return Object.freeze({
    id: 'C0000001',
    kind: 'person',
    firstName: 'Claire',
    lastName: 'Martin',
    companyName: null,
    email: 'claire.martin@example.fr',
    phone: '+33612345678',
    language: 'fr',
    segment: 'retail',
    postalAddress: { lines: ['12 rue des Lilas'], postalCode: '69003', city: 'Lyon', country: 'FR' },
    preferredChannel: SMS,
    consents: Object.freeze([EMAIL, SMS, PORTAL]),
    webhookUrl: null,
    ...overrides,
  });
}

const PAPERLESS = Object.freeze({ paperless: true, language: null, timeZone: null, quietHours: null, source: PreferenceSource.PORTAL, updatedAt: null });

interface Case {
  readonly name: string;
  readonly paperRequired?: boolean;
  readonly policy: ChannelPolicy;
  readonly channels?: Channel[] | null;
  readonly customer?: Partial<CustomerRecord>;
  readonly template?: Channel[];
  /** The chains, one per delivery, or a pattern the error must match. */
  readonly expect: Channel[][] | RegExp;
}

const cases: Case[] = [
  // EXPLICIT
  { name: 'one delivery per given channel', policy: ChannelPolicy.EXPLICIT, channels: [EMAIL, LETTER], expect: [[EMAIL], [LETTER]] },
  { name: 'keeps the given order', policy: ChannelPolicy.EXPLICIT, channels: [PORTAL, SMS], expect: [[PORTAL], [SMS]] },
  { name: 'channels are required', policy: ChannelPolicy.EXPLICIT, channels: null, expect: /channels: expected at least one channel with channelPolicy EXPLICIT, got none/ },
  { name: 'an empty list is refused', policy: ChannelPolicy.EXPLICIT, channels: [], expect: /got an empty list/ },
  { name: 'duplicates are refused', policy: ChannelPolicy.EXPLICIT, channels: [EMAIL, SMS, EMAIL], expect: /expected each channel at most once, got EMAIL more than once/ },
  { name: 'template must support the channel', policy: ChannelPolicy.EXPLICIT, channels: [SMS], template: [EMAIL, LETTER], expect: /SMS is not supported by the template/ },
  { name: 'EMAIL needs an address', policy: ChannelPolicy.EXPLICIT, channels: [EMAIL], customer: { email: null }, expect: /EMAIL needs an email address/ },
  { name: 'SMS needs a number', policy: ChannelPolicy.EXPLICIT, channels: [SMS], customer: { phone: null }, expect: /SMS needs a phone number/ },
  { name: 'LETTER needs a postal address', policy: ChannelPolicy.EXPLICIT, channels: [LETTER], customer: { postalAddress: null }, expect: /LETTER needs a postal address/ },
  { name: 'an opt-out wins over an explicit SMS', policy: ChannelPolicy.EXPLICIT, channels: [SMS], customer: { consents: [EMAIL] }, expect: /consent to SMS/ },
  { name: 'an opt-out wins over an explicit EMAIL', policy: ChannelPolicy.EXPLICIT, channels: [EMAIL], customer: { consents: [] }, expect: /consent to EMAIL/ },
  { name: 'PORTAL needs consent', policy: ChannelPolicy.EXPLICIT, channels: [PORTAL], customer: { consents: [SMS] }, expect: /consent to PORTAL/ },
  { name: 'LETTER needs no consent', policy: ChannelPolicy.EXPLICIT, channels: [LETTER], customer: { consents: [] }, expect: [[LETTER]] },
  { name: 'PORTAL needs no address', policy: ChannelPolicy.EXPLICIT, channels: [PORTAL], customer: { email: null, phone: null, postalAddress: null }, expect: [[PORTAL]] },
  { name: 'every problem is named', policy: ChannelPolicy.EXPLICIT, channels: [EMAIL, SMS, LETTER], customer: { email: null, consents: [EMAIL] }, expect: /EMAIL needs an email address.*; SMS needs the customer's consent to SMS/ },

  // PREFERRED
  { name: 'preferred first, then SMS → EMAIL → LETTER', policy: ChannelPolicy.PREFERRED, channels: null, customer: { preferredChannel: EMAIL }, expect: [[EMAIL, SMS, LETTER]] },
  { name: 'preferred SMS is not repeated', policy: ChannelPolicy.PREFERRED, channels: null, expect: [[SMS, EMAIL, LETTER]] },
  { name: 'no preference: the default order', policy: ChannelPolicy.PREFERRED, channels: null, customer: { preferredChannel: null }, expect: [[SMS, EMAIL, LETTER]] },
  { name: 'preferred PORTAL leads the default order', policy: ChannelPolicy.PREFERRED, channels: null, customer: { preferredChannel: PORTAL }, expect: [[PORTAL, SMS, EMAIL, LETTER]] },
  { name: 'an unusable preference is skipped', policy: ChannelPolicy.PREFERRED, channels: null, customer: { consents: [EMAIL] }, expect: [[EMAIL, LETTER]] },
  { name: 'the given fallback order replaces the default', policy: ChannelPolicy.PREFERRED, channels: [LETTER, EMAIL], expect: [[SMS, LETTER, EMAIL]] },
  { name: 'the preference is not repeated from the given order', policy: ChannelPolicy.PREFERRED, channels: [EMAIL, SMS], customer: { preferredChannel: EMAIL }, expect: [[EMAIL, SMS]] },
  { name: 'unsupported channels are left out', policy: ChannelPolicy.PREFERRED, channels: null, template: [LETTER, PORTAL], expect: [[LETTER]] },
  { name: 'missing addresses are left out', policy: ChannelPolicy.PREFERRED, channels: null, customer: { phone: null, postalAddress: null }, expect: [[EMAIL]] },
  { name: 'an error when nothing is usable', policy: ChannelPolicy.PREFERRED, channels: null, customer: { email: null, postalAddress: null }, template: [EMAIL, LETTER], expect: /No usable channel.*SMS is not supported by the template; EMAIL needs an email address.*LETTER needs a postal address/ },
  { name: 'an empty fallback list is refused', policy: ChannelPolicy.PREFERRED, channels: [], expect: /expected null \(default fallback order\) or at least one channel, got an empty list/ },
  { name: 'a repeated fallback is refused', policy: ChannelPolicy.PREFERRED, channels: [LETTER, LETTER], expect: /LETTER more than once/ },

  // ALL_CONSENTED
  { name: 'one delivery per usable digital channel', policy: ChannelPolicy.ALL_CONSENTED, channels: null, expect: [[EMAIL], [SMS], [PORTAL]] },
  { name: 'only consented channels', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { consents: [SMS] }, expect: [[SMS]] },
  { name: 'only supported channels', policy: ChannelPolicy.ALL_CONSENTED, channels: null, template: [EMAIL, SMS, LETTER], expect: [[EMAIL], [SMS]] },
  { name: 'only addressable channels', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { email: null }, expect: [[SMS], [PORTAL]] },
  { name: 'LETTER when no digital channel is consented', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { consents: [] }, expect: [[LETTER]] },
  { name: 'LETTER when consented channels lack addresses', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { consents: [SMS], phone: null }, expect: [[LETTER]] },
  { name: 'LETTER when the template is paper only', policy: ChannelPolicy.ALL_CONSENTED, channels: null, template: [LETTER], expect: [[LETTER]] },
  { name: 'an error when nothing is usable', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { consents: [], postalAddress: null }, expect: /No usable channel.*LETTER needs a postal address/ },
  // Paperless (the preference centre)
  { name: 'paperless: no LETTER in the chain while a digital channel is usable', policy: ChannelPolicy.PREFERRED, channels: null, customer: { preferences: PAPERLESS }, expect: [[SMS, EMAIL]] },
  { name: 'paperless: an explicit LETTER is refused with the reason', policy: ChannelPolicy.EXPLICIT, channels: [LETTER], customer: { preferences: PAPERLESS }, expect: /LETTER is not used: the customer is paperless and EMAIL is usable/ },
  { name: 'paperless: LETTER still when no digital channel is usable', policy: ChannelPolicy.PREFERRED, channels: null, customer: { preferences: PAPERLESS, consents: [] }, expect: [[LETTER]] },
  { name: 'paperless: ALL_CONSENTED plans the digital channels only', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { preferences: PAPERLESS }, expect: [[EMAIL], [SMS], [PORTAL]] },
  { name: 'paperless: the paper safety net when nothing digital is usable', policy: ChannelPolicy.ALL_CONSENTED, channels: null, customer: { preferences: PAPERLESS, consents: [] }, expect: [[LETTER]] },
  { name: 'paperless: a paperRequired template keeps its LETTER', policy: ChannelPolicy.PREFERRED, channels: null, paperRequired: true, customer: { preferences: PAPERLESS }, expect: [[SMS, EMAIL, LETTER]] },
  { name: 'paperless: a digital channel the template lacks does not count', policy: ChannelPolicy.PREFERRED, channels: null, template: [LETTER], customer: { preferences: PAPERLESS }, expect: [[LETTER]] },
  { name: 'channels have no meaning here', policy: ChannelPolicy.ALL_CONSENTED, channels: [EMAIL], expect: /channels: expected null with channelPolicy ALL_CONSENTED, got \[EMAIL\]/ },
];

describe('planDeliveries', () => {
  it.each(cases)('$policy: $name', (c) => {
    const input: DeliveryPlanInput = {
      policy: c.policy,
      channels: c.channels === undefined || c.channels === null ? null : Object.freeze([...c.channels]),
      customer: customer(c.customer),
      templateChannels: Object.freeze([...(c.template ?? ALL)]),
      registry,
      paperRequired: c.paperRequired,
    };
    const plan = planDeliveries(input);
    if (c.expect instanceof RegExp) {
      expect(plan).toEqual({ ok: false, error: expect.stringMatching(c.expect) });
    } else {
      expect(plan).toEqual({ ok: true, plans: c.expect.map((chain) => ({ chain })) });
    }
  });

  it('plans every policy for a fully reachable customer', () => {
    for (const policy of Object.values(ChannelPolicy)) {
      const plan = planDeliveries({
        policy,
        channels: policy === ChannelPolicy.EXPLICIT ? [EMAIL] : null,
        customer: customer(),
        templateChannels: ALL,
        registry,
      });
      expect(plan.ok).toBe(true);
    }
  });

  it('returns chains the caller may change without touching later plans', () => {
    const input = { policy: ChannelPolicy.PREFERRED, channels: null, customer: customer(), templateChannels: ALL, registry };
    const first = planDeliveries(input);
    if (!first.ok) throw new Error(first.error);
    first.plans[0].chain.push(PORTAL);
    expect(planDeliveries(input)).toEqual({ ok: true, plans: [{ chain: [SMS, EMAIL, LETTER] }] });
  });

  it('does not name personal data in its errors', () => {
    const plan = planDeliveries({
      policy: ChannelPolicy.EXPLICIT,
      channels: [SMS, EMAIL],
      customer: customer({ consents: [] }),
      templateChannels: ALL,
      registry,
    });
    expect(plan.ok).toBe(false);
    const error = plan.ok ? '' : plan.error;
    expect(error).not.toContain('+33612345678');
    expect(error).not.toContain('claire.martin@example.fr');
  });
});
