import { gql } from '../api.js';
import { h, table, when, money, statusBadge, errorBox } from '../dom.js';
import { engagementLine, escalationLine, timelineList } from './timeline.js';

const PREFERENCES = `preferences { preferredChannel consents paperless language timeZone quietHours { start end } tracking updatedAt source }
    preferenceHistory(first: 10) { totalCount edges { node { at source actor field from to reason } } }`;
const DELIVERIES = 'deliveries { id channel status recipient updatedAt escalatesAt escalatedAt engagement { at kind detail } events { at status detail } }';
const CUSTOMER = `query ConsoleCustomer($id: ID!) {
  customer(id: $id) {
    id displayName firstName lastName companyName email phone language segment
    postalAddress { lines postalCode city country }
    ${PREFERENCES}
    contracts { id number status startDate endDate monthlyAmount { amount currency } product { id name category } }
    contactHistory(first: 20) { totalCount edges { node {
      __typename
      ... on Communication { id templateKey status createdAt ${DELIVERIES} }
      ... on Interaction { id channel direction occurredAt reason summary agentId internal relatedCommunication { id templateKey } }
    } } }
  } }`;
const UPDATE = `mutation ConsoleUpdatePreferences($customerId: ID!, $input: PreferencesInput!, $reason: String) {
  updatePreferences(customerId: $customerId, input: $input, reason: $reason) { id ${PREFERENCES} } }`;

/** Channels a customer can consent to (a letter needs no consent, the API refuses LETTER there). */
const CONSENTABLE = ['EMAIL', 'SMS', 'WHATSAPP', 'PORTAL', 'WEBHOOK'];
/** Who may change preferences from the desk (the API records them as source AGENT). */
const EDITORS = ['agent', 'admin'];

function preferencesTable(p) {
  return table(['', ''], [
    ['Preferred channel', h('strong', { id: 'pref-channel' }, p.preferredChannel || 'none')],
    ['Consents', h('span', { id: 'pref-consents' }, p.consents.join(', ') || 'none')],
    ['Paperless', h('span', { id: 'pref-paperless' }, p.paperless ? 'yes' : 'no')],
    ['Email tracking', h('span', { id: 'pref-tracking' }, p.tracking ? 'allowed' : 'declined')],
    ['Language', p.language || 'as in the CRM'],
    ['Time zone', p.timeZone],
    ['Quiet hours', p.quietHours ? `${p.quietHours.start}–${p.quietHours.end}` : 'default'],
    ['Source', h('span', { id: 'pref-source' }, p.source)],
    ['Last changed here', p.updatedAt ? when(p.updatedAt) : 'never'],
  ]);
}

function historyTable(history) {
  if (history.edges.length === 0) return h('p', { class: 'muted', id: 'preference-history' }, 'No change recorded.');
  return h('div', { id: 'preference-history' },
    h('h3', {}, `History (${history.totalCount})`),
    table(['When', 'What', 'From → to', 'Who', 'Why'], history.edges.map(({ node: p }) => [when(p.at), p.field, `${p.from ?? '—'} → ${p.to ?? '—'}`, `${p.actor} (${p.source})`, p.reason || ''])));
}

/** Consents, paperless and email tracking, with the reason the history keeps; the section redraws from the mutation's answer. */
function preferencesForm(customerId, p, redraw) {
  const boxes = CONSENTABLE.map((channel) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'consent', value: channel, checked: p.consents.includes(channel) }), ` ${channel}`));
  const paperless = h('input', { type: 'checkbox', id: 'pref-edit-paperless', checked: p.paperless });
  const tracking = h('input', { type: 'checkbox', id: 'pref-edit-tracking', checked: p.tracking });
  const reason = h('input', { id: 'pref-reason', name: 'reason', maxlength: 500, placeholder: 'e.g. customer called' });
  const message = h('div');
  const save = async (event) => {
    event.preventDefault();
    const consents = boxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    try {
      const { updatePreferences: updated } = await gql(UPDATE, { customerId, input: { consents, paperless: paperless.checked, tracking: tracking.checked }, reason: reason.value.trim() || null });
      redraw(updated);
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  };
  return h('form', { id: 'preferences-form', onsubmit: save },
    h('h3', {}, 'Change consents'), h('div', {}, boxes),
    h('label', { class: 'inline' }, paperless, ' Paperless'),
    h('label', { class: 'inline' }, tracking, ' Email tracking (open pixel, tracked links)'),
    h('label', { for: 'pref-reason' }, 'Reason'), reason,
    h('div', {}, h('button', { type: 'submit', id: 'pref-save' }, 'Save')), message);
}

function preferencesSection(c, canEdit) {
  const section = h('section', { id: 'preferences' });
  const draw = (customer) => section.replaceChildren(h('h2', {}, 'Preferences'), preferencesTable(customer.preferences),
    canEdit ? preferencesForm(customer.id, customer.preferences, draw) : '', historyTable(customer.preferenceHistory));
  draw(c);
  return section;
}

function communicationEntry(m) {
  return h('div', { class: 'communication entry', dataset: { id: m.id, kind: 'communication' } },
    h('p', {}, h('a', { href: `#/communication/${m.id}` }, m.templateKey), ' ', statusBadge(m.status), ' ', h('span', { class: 'muted' }, when(m.createdAt))),
    ...m.deliveries.map((d) => h('div', {}, h('span', {}, `${d.channel} `), statusBadge(d.status), engagementLine(d), escalationLine(d), timelineList(d.events))));
}

function interactionEntry(i) {
  return h('div', { class: 'interaction entry', dataset: { id: i.id, kind: 'interaction', channel: i.channel } },
    h('p', {}, h('strong', {}, `${i.channel} ${i.direction === 'INBOUND' ? 'from' : 'to'} the customer`), i.internal ? h('span', { class: 'muted' }, ' (internal note)') : '', ' ', h('span', { class: 'muted' }, when(i.occurredAt))),
    i.reason ? h('p', {}, i.reason) : '', i.summary ? h('p', { class: 'muted' }, i.summary) : '',
    i.agentId || i.relatedCommunication ? h('p', { class: 'muted' }, i.agentId ? `by ${i.agentId}` : '', i.agentId && i.relatedCommunication ? ' · ' : '',
      i.relatedCommunication ? h('span', {}, 'about ', h('a', { href: `#/communication/${i.relatedCommunication.id}` }, i.relatedCommunication.templateKey)) : '') : '');
}

function contactHistorySection(history) {
  if (!history) return h('section', { id: 'contact-history' }, h('h2', {}, 'Contact history'), h('p', { class: 'error' }, 'The contact history could not be read.'));
  return h('section', { id: 'contact-history' }, h('h2', {}, `Contact history (${history.totalCount})`),
    history.edges.length === 0 ? h('p', { class: 'muted' }, 'No contact yet.') : '',
    ...history.edges.map(({ node }) => (node.__typename === 'Interaction' ? interactionEntry(node) : communicationEntry(node))));
}

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
    const prefs = preferencesSection(c, EDITORS.includes(ctx.me.role));
    const contracts = h('section', { id: 'contracts' }, h('h2', {}, 'Contracts and products'), c.contracts
      ? table(['Contract', 'Status', 'Product', 'Monthly', 'From', 'To'], c.contracts.map((k) => [k.number, k.status, k.product ? `${k.product.name} (${k.product.category})` : '—', money(k.monthlyAmount), when(k.startDate), when(k.endDate)]))
      : h('p', { class: 'error' }, 'The contract system is unavailable.'));
    const actions = canSend ? h('p', {}, h('a', { href: `#/compose/${c.id}`, id: 'compose-link' }, 'Compose a communication')) : '';
    return h('div', { id: 'customer', dataset: { id: c.id } }, h('h1', {}, c.displayName, ' ', h('span', { class: 'muted' }, c.id)), actions, h('div', { class: 'grid' }, contact, prefs), contracts, contactHistorySection(c.contactHistory));
  },
};
