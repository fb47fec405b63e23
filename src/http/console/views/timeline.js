import { h, when, statusBadge } from '../dom.js';

/** A delivery's timeline, oldest first. */
export function timelineList(events) {
  return h('ol', { class: 'timeline' }, events.map((e) => h('li', {}, statusBadge(e.status), ' ', h('span', { class: 'muted' }, when(e.at)), e.detail ? ` — ${e.detail}` : '')));
}
