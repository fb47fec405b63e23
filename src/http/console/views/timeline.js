import { h, when, statusBadge } from '../dom.js';

/** A delivery's timeline, oldest first. */
export function timelineList(events) {
  return h('ol', { class: 'timeline' }, events.map((e) => h('li', {}, statusBadge(e.status), ' ', h('span', { class: 'muted' }, when(e.at)), e.detail ? ` — ${e.detail}` : '')));
}

/** What the customer did with a delivery (opened, clicked, read…), or nothing when there is no signal yet. */
export function engagementLine(d) {
  const signals = d.engagement ?? [];
  if (signals.length === 0) return '';
  return h('p', { class: 'engagement', dataset: { kinds: signals.map((e) => e.kind).join(' ') } }, 'Customer: ',
    signals.map((e, i) => [i ? ', ' : '', h('strong', {}, e.kind.toLowerCase()), e.detail ? ` (${e.detail})` : '', ' ', h('span', { class: 'muted' }, when(e.at))]));
}

/** A pending "paper if unread" deadline, or when the delivery escalated. */
export function escalationLine(d) {
  if (d.escalatesAt) return h('p', { class: 'escalation', dataset: { state: 'pending' } }, 'Escalates if unread by ', when(d.escalatesAt));
  if (d.escalatedAt) return h('p', { class: 'escalation', dataset: { state: 'escalated' } }, 'Escalated unread ', when(d.escalatedAt));
  return '';
}

/** "72 h", "90 min", "45 s", as the timeline writes them. */
export function duration(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
