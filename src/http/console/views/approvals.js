import { gql } from '../api.js';
import { h, when, errorBox } from '../dom.js';

const WAITING = `query ConsoleApprovals($first: Int, $after: String) { communications(status: AWAITING_APPROVAL, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id customerId templateKey templateVersion createdAt requestedBy priority blocks { slot text } deliveries { channel } } } } }`;
const APPROVE = 'mutation ConsoleApprove($id: ID!, $comment: String) { approveCommunication(id: $id, comment: $comment) { id status approvedBy } }';
const REJECT = 'mutation ConsoleReject($id: ID!, $reason: String!) { rejectCommunication(id: $id, reason: $reason) { id status } }';
const PREVIEW = 'query ConsoleRecordedPreview($id: ID!) { communicationPreview(id: $id) { previews { channel subject text pdfPages pdfUrl error } } }';

/** The communication as it will go out, channel by channel (what the approver reads before deciding). */
async function showPreview(id, box) {
  try {
    const { communicationPreview: p } = await gql(PREVIEW, { id });
    if (!p) return box.replaceChildren(h('p', {}, 'Not found.'));
    return box.replaceChildren(...p.previews.map((v) => h('div', { class: 'preview', dataset: { channel: v.channel } },
      h('h3', {}, v.channel), v.error ? h('p', { class: 'error' }, v.error) : '',
      v.subject ? h('p', {}, h('strong', {}, v.subject)) : '', v.text ? h('pre', { class: 'preview-text' }, v.text) : '',
      v.pdfUrl ? h('p', {}, h('a', { href: v.pdfUrl, target: '_blank', rel: 'noopener' }, `PDF, ${v.pdfPages ?? '?'} page(s)`)) : '')));
  } catch (error) {
    return box.replaceChildren(errorBox(error));
  }
}

/** One communication waiting for a second person: what the agent wrote, and the decision with its note. */
function waitingEntry(c, me) {
  const note = h('input', { class: 'approval-note', placeholder: 'Comment (approve) or reason (reject)', maxlength: '500' });
  const outcome = h('p', { class: 'approval-outcome', role: 'status' });
  const own = c.requestedBy === me.subject;
  const previewBox = h('div', { class: 'preview-box' });
  const preview = h('button', { type: 'button', class: 'secondary preview-button', onclick: () => showPreview(c.id, previewBox) }, 'Preview');
  const decide = async (mutation, variables, label) => {
    try {
      const data = await gql(mutation, variables);
      const decided = data.approveCommunication ?? data.rejectCommunication;
      entry.dataset.decided = decided.status;
      outcome.replaceChildren(`${label}: now ${decided.status}. `, h('a', { href: `#/communication/${c.id}` }, 'Follow it'));
      for (const button of entry.querySelectorAll('button')) button.disabled = true;
    } catch (error) {
      outcome.replaceChildren(errorBox(error));
    }
  };
  const approve = h('button', { type: 'button', class: 'approve', disabled: own, onclick: () => decide(APPROVE, { id: c.id, comment: note.value.trim() || null }, 'Approved') }, 'Approve');
  const reject = h('button', { type: 'button', class: 'secondary reject', disabled: own, onclick: () => {
    if (!note.value.trim()) return outcome.replaceChildren(errorBox('A rejection needs a reason.'));
    return decide(REJECT, { id: c.id, reason: note.value.trim() }, 'Rejected');
  } }, 'Reject');
  const entry = h('div', { class: 'approval entry', dataset: { id: c.id } },
    h('p', {}, h('a', { href: `#/communication/${c.id}` }, `${c.templateKey} v${c.templateVersion}`), ' to ', h('a', { href: `#/customer/${c.customerId}` }, c.customerId),
      ' by ', c.requestedBy ?? '?', ' ', h('span', { class: 'muted' }, `${when(c.createdAt)} · ${c.priority} · ${c.deliveries.map((d) => d.channel).join(', ')}`)),
    c.blocks.length ? c.blocks.map((b) => h('blockquote', { class: 'block', dataset: { slot: b.slot } }, h('strong', {}, `${b.slot}: `), b.text)) : h('p', { class: 'muted' }, 'No agent text: the template itself needs approval.'),
    own ? h('p', { class: 'muted' }, 'You asked for this one: another approver decides.') : h('p', {}, preview, ' ', note, ' ', approve, ' ', reject),
    previewBox, outcome);
  return entry;
}

/** Four-eyes approval: the communications waiting for a second person, newest first (as `communications` lists them). */
export const approvalsView = {
  name: 'approvals',
  pattern: /^\/approvals$/,
  roles: ['approver', 'admin'],
  menu: { label: 'Approvals', href: () => '/approvals' },
  async render(ctx) {
    const list = h('div', { id: 'approval-list' });
    const info = h('p', { class: 'muted', id: 'approval-info' });
    const more = h('button', { type: 'button', class: 'secondary', id: 'approval-more', hidden: true }, 'More');
    let cursor = null;
    const load = async (append) => {
      try {
        const { communications: page } = await gql(WAITING, { first: 20, after: append ? cursor : null });
        if (!append) list.replaceChildren();
        list.append(...page.edges.map(({ node }) => waitingEntry(node, ctx.me)));
        cursor = page.pageInfo.endCursor;
        more.hidden = !page.pageInfo.hasNextPage;
        info.textContent = page.totalCount === 0 ? 'Nothing waiting for approval.' : `${list.children.length} of ${page.totalCount} waiting`;
      } catch (error) {
        list.replaceChildren(errorBox(error));
      }
    };
    more.addEventListener('click', () => load(true));
    await load(false);
    return h('section', { id: 'approvals' }, h('h1', {}, 'Waiting for approval'), info, list, more);
  },
};
