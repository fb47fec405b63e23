import { gql, subscribe } from '../api.js';
import { h, when, statusBadge, errorBox } from '../dom.js';
import { duration, engagementLine, escalationLine, timelineList } from './timeline.js';

const DELIVERY = 'id channel status recipient attempts providerMessageId error updatedAt escalatesAt escalatedAt readAt engagement { at kind detail } events { at status detail }';
const GET = `query ConsoleCommunication($id: ID!) { communication(id: $id) { id customerId templateKey status createdAt escalation { unreadAfterSeconds then }
  deliveries { ${DELIVERY} } documents { id kind pages downloadUrl } } }`;
const CHANGES = `subscription ConsoleDeliveryChanges($communicationId: ID) { deliveryStatusChanged(communicationId: $communicationId) {
  ${DELIVERY} communication { id status } } }`;

/** One communication, its deliveries' timelines updated live over the subscription. */
export const communicationView = {
  name: 'communication',
  pattern: /^\/communication\/(?<id>[^/]+)$/,
  roles: null,
  async render(ctx) {
    const id = ctx.params.id;
    const deliveries = new Map();
    const list = h('div', { id: 'deliveries' });
    const overall = h('span', { id: 'communication-status' });
    const live = h('p', { class: 'muted', id: 'live' }, 'Live updates: connecting…');
    const draw = () => list.replaceChildren(...[...deliveries.values()].map((d) => h('div', { class: 'delivery', dataset: { id: d.id, channel: d.channel, status: d.status } },
      h('h2', {}, `${d.channel} `, statusBadge(d.status)),
      h('p', { class: 'muted' }, `attempts ${d.attempts}`, d.providerMessageId ? `, provider id ${d.providerMessageId}` : '', d.error ? `, ${d.error}` : ''),
      engagementLine(d), escalationLine(d),
      timelineList(d.events))));
    // A change carries the delivery as of that change; the newer one wins (pub/sub keeps order per publisher only).
    const merge = (d) => {
      const known = deliveries.get(d.id);
      if (!known || d.events.length >= known.events.length) deliveries.set(d.id, d);
    };
    // Subscribe before reading, so no change between the read and the subscription is missed.
    const stop = subscribe(CHANGES, { communicationId: id }, {
      next: (data) => {
        const change = data.deliveryStatusChanged;
        merge(change);
        overall.replaceChildren(statusBadge(change.communication.status));
        live.textContent = `Live updates: last change ${when(change.updatedAt)}`;
        draw();
      },
      error: (error) => { live.replaceChildren(errorBox(error)); },
    });
    ctx.onDispose(stop);
    const { communication: c } = await gql(GET, { id });
    if (!c) {
      stop();
      return h('section', {}, h('h1', {}, 'Communication not found'));
    }
    c.deliveries.forEach(merge);
    overall.replaceChildren(statusBadge(c.status));
    live.textContent = 'Live updates: on';
    draw();
    const documents = c.documents.length ? h('section', {}, h('h2', {}, 'Documents'), ...c.documents.map((d) => h('p', {}, h('a', { href: d.downloadUrl, target: '_blank', rel: 'noopener' }, `${d.kind}${d.pages ? `, ${d.pages} page(s)` : ''}`)))) : '';
    return h('section', { id: 'communication', dataset: { id: c.id } },
      h('h1', {}, `${c.templateKey} `, overall),
      h('p', {}, h('a', { href: `#/customer/${c.customerId}` }, `Customer ${c.customerId}`), ' · ', h('span', { class: 'muted' }, when(c.createdAt)),
        c.escalation ? h('span', { id: 'escalation' }, ` · if unread after ${duration(c.escalation.unreadAfterSeconds)}: ${c.escalation.then.join(', then ')}`) : ''),
      live, list, documents);
  },
};
