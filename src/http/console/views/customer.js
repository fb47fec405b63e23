import { gql, supports } from '../api.js';
import { h, table, when, money, statusBadge, errorBox } from '../dom.js';
import { timelineList } from './timeline.js';

const CUSTOMER = `query ConsoleCustomer($id: ID!) {
  customer(id: $id) {
    id displayName firstName lastName companyName email phone language segment
    postalAddress { lines postalCode city country }
    preferences { preferredChannel consents }
    contracts { id number status startDate endDate monthlyAmount { amount currency } product { id name category } }
    communications(first: 20) { totalCount edges { node { id templateKey status createdAt
      deliveries { id channel status recipient updatedAt events { at status detail } } } } }
  } }`;

// Shown once the preferences issue has landed it on the server (feature detection, not a version check).
const HISTORY_PROBE = 'query ConsoleProbe { customer(id: "-") { preferenceHistory(first: 1) { edges { node { at } } } } }';
const HISTORY = `query ConsolePreferenceHistory($id: ID!) { customer(id: $id) { preferenceHistory(first: 20) { edges { node { at source actor field from to reason } } } } }`;

export const customerView = {
  name: 'customer',
  pattern: /^\/customer\/(?<id>[^/]+)$/,
  roles: null,
  menu: { label: 'My view', href: (me) => `/customer/${me && me.customerId}`, onlyFor: 'portal' },
  async render(ctx) {
    const { data, errors } = await gql(CUSTOMER, { id: ctx.params.id }, { partial: true });
    const c = data && data.customer;
    if (!c) {
      const notFound = errors.length === 0 || errors.some((e) => (e.extensions || {}).code === 'NOT_FOUND');
      return h('section', { id: 'customer-missing' }, h('h1', {}, notFound ? 'Customer not found' : 'Customer unavailable'), errors.length ? errorBox(new Error(errors.map((e) => e.message).join('; '))) : '');
    }
    const canSend = ctx.me.role !== 'portal';
    const contact = h('section', { id: 'contact' }, h('h2', {}, 'Contact data'), table(['', ''], [
      ['Name', c.displayName], ['E-mail', c.email || '—'], ['Phone', c.phone || '—'], ['Language', c.language], ['Segment', c.segment || '—'],
      ['Address', c.postalAddress ? [...c.postalAddress.lines, `${c.postalAddress.postalCode} ${c.postalAddress.city}`, c.postalAddress.country].join(', ') : '—'],
    ]));
    const prefs = h('section', { id: 'preferences' }, h('h2', {}, 'Preferences'),
      h('p', {}, 'Preferred channel: ', h('strong', {}, c.preferences.preferredChannel || 'none')),
      h('p', {}, 'Consents: ', c.preferences.consents.join(', ') || 'none'));
    if (await supports(HISTORY_PROBE)) {
      const history = await gql(HISTORY, { id: c.id }).catch(() => null);
      const edges = history && history.customer ? history.customer.preferenceHistory.edges : [];
      prefs.append(h('h2', {}, 'History'), table(['When', 'What', 'From → to', 'Who', 'Why'], edges.map(({ node: p }) => [when(p.at), p.field, `${p.from ?? '—'} → ${p.to ?? '—'}`, `${p.actor} (${p.source})`, p.reason || ''])));
    }
    const contracts = h('section', { id: 'contracts' }, h('h2', {}, 'Contracts and products'), c.contracts
      ? table(['Contract', 'Status', 'Product', 'Monthly', 'From', 'To'], c.contracts.map((k) => [k.number, k.status, k.product ? `${k.product.name} (${k.product.category})` : '—', money(k.monthlyAmount), when(k.startDate), when(k.endDate)]))
      : h('p', { class: 'error' }, 'The contract system is unavailable.'));
    const comms = h('section', { id: 'communications' }, h('h2', {}, `Contact history (${c.communications.totalCount})`),
      c.communications.edges.length === 0 ? h('p', { class: 'muted' }, 'No communication yet.') : '',
      ...c.communications.edges.map(({ node: m }) => h('div', { class: 'communication', dataset: { id: m.id } },
        h('p', {}, h('a', { href: `#/communication/${m.id}` }, m.templateKey), ' ', statusBadge(m.status), ' ', h('span', { class: 'muted' }, when(m.createdAt))),
        ...m.deliveries.map((d) => h('div', {}, h('span', {}, `${d.channel} `), statusBadge(d.status), timelineList(d.events))))));
    const actions = canSend ? h('p', {}, h('a', { href: `#/compose/${c.id}`, id: 'compose-link' }, 'Compose a communication')) : '';
    return h('div', { id: 'customer', dataset: { id: c.id } }, h('h1', {}, c.displayName, ' ', h('span', { class: 'muted' }, c.id)), actions, h('div', { class: 'grid' }, contact, prefs), contracts, comms);
  },
};
