import { gql, queues, subscribe } from '../api.js';
import { h, table, when, errorBox } from '../dom.js';

const KPI = 'deliveries reached read readRate timeToReadMedianSeconds timeToReadP90Seconds fallbacks escalated lettersAvoided replies';
const STATS = `query ConsoleStats($from: DateTime!, $to: DateTime!) { deliveryStats(from: $from, to: $to) { total byChannel { channel status count }
  overall { ${KPI} } channels { channel ${KPI} } byTemplate { templateKey ${KPI} } interactions { total byChannel { channel count } } } }`;
const KPI_HEADERS = ['Deliveries', 'Reached', 'Read', 'Read rate', 'Time to read (median / p90)', 'Fallbacks', 'Escalated', 'Letters avoided', 'Replies'];
const PRINT = 'query ConsolePrintBatches { printBatches(first: 10) { id createdAt letters pages sheets duplex pdfUrl manifestCsvUrl manifestJsonUrl } }';
const BATCH = 'query ConsoleBatch($id: ID!) { batch(id: $id) { id key run templateKey status createdAt progress { total targeted queued rejected sent delivered failed settled done } } }';
const PROGRESS = 'subscription ConsoleBatchProgress($id: ID!) { batchProgress(id: $id) { status total targeted queued rejected sent delivered failed settled done at } }';
const BATCHES = `query ConsoleBatches($first: Int, $after: String, $status: BatchStatus) { batches(first: $first, after: $after, status: $status) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id key run templateKey status createdAt endedAt progress { total queued rejected sent delivered failed settled done } } } } }`;
const BATCH_STATUSES = ['EXPANDING', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED'];
const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'];

const percent = (rate) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);
const seconds = (s) => (s === null ? '—' : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`);
const kpiCells = (k) => [String(k.deliveries), String(k.reached), String(k.read), percent(k.readRate), `${seconds(k.timeToReadMedianSeconds)} / ${seconds(k.timeToReadP90Seconds)}`,
  String(k.fallbacks), String(k.escalated), String(k.lettersAvoided), String(k.replies)];

/** What customers did with what was sent, per channel and per template, and the contacts on other channels. */
function engagementSection(stats) {
  return h('section', { id: 'engagement-kpis' }, h('h2', {}, 'Engagement, last 24 h'),
    h('div', { id: 'kpi-overall' }, table(['', ...KPI_HEADERS], [['All', ...kpiCells(stats.overall)]])),
    h('div', { id: 'kpi-channels' }, table(['Channel', ...KPI_HEADERS], stats.channels.map((k) => [k.channel, ...kpiCells(k)]))),
    h('div', { id: 'kpi-templates' }, table(['Template', ...KPI_HEADERS], stats.byTemplate.map((k) => [k.templateKey, ...kpiCells(k)]))),
    h('p', { id: 'kpi-interactions' }, `Interactions: ${stats.interactions.total}`, stats.interactions.byChannel.map((c) => ` · ${c.channel} ${c.count}`)));
}

function progressTable(p) {
  return table(['Status', 'Total', 'Targeted', 'Queued', 'Rejected', 'Sent', 'Delivered', 'Failed', 'Settled'], [[p.status, p.total ?? '?', p.targeted, p.queued, p.rejected, p.sent, p.delivered, p.failed, `${p.settled}${p.done ? ' (done)' : ''}`]]);
}

export const operationsView = {
  name: 'operations',
  pattern: /^\/operations$/,
  roles: ['admin', 'service'],
  menu: { label: 'Operations', href: () => '/operations' },
  async render(ctx) {
    const queueBox = h('div', { id: 'queues' });
    const loadQueues = async () => {
      try {
        const counts = await queues();
        queueBox.replaceChildren(table(['Queue', ...STATES], Object.entries(counts).map(([name, c]) => [name, ...STATES.map((s) => String(c[s] ?? 0))])));
      } catch (error) {
        queueBox.replaceChildren(errorBox(error));
      }
    };
    await loadQueues();
    const timer = setInterval(loadQueues, 5000);
    ctx.onDispose(() => clearInterval(timer));

    const to = new Date();
    const from = new Date(to.getTime() - 24 * 3600_000);
    const { deliveryStats: stats } = await gql(STATS, { from: from.toISOString(), to: to.toISOString() });
    const kpis = h('section', { id: 'kpis' }, h('h2', {}, `Deliveries, last 24 h: ${stats.total}`), table(['Channel', 'Status', 'Count'], stats.byChannel.map((s) => [s.channel, s.status, String(s.count)])));
    const engagement = engagementSection(stats);

    const { printBatches } = await gql(PRINT);
    const print = h('section', { id: 'print-batches' }, h('h2', {}, 'Print batches'), printBatches.length === 0 ? h('p', { class: 'muted' }, 'None closed yet.') : table(['Closed', 'Letters', 'Pages', 'Sheets', 'Downloads'], printBatches.map((b) => [when(b.createdAt), String(b.letters), String(b.pages), `${b.sheets}${b.duplex ? ' duplex' : ''}`,
      h('span', {}, h('a', { href: b.pdfUrl }, 'PDF'), ' · ', h('a', { href: b.manifestCsvUrl }, 'CSV'), ' · ', h('a', { href: b.manifestJsonUrl }, 'JSON'))])));

    const batchId = h('input', { id: 'batch-id', placeholder: 'Batch id' });
    const batchBox = h('div', { id: 'batch' });
    let stopProgress = () => undefined;
    ctx.onDispose(() => stopProgress());
    const watch = async (event) => {
      event.preventDefault();
      stopProgress();
      try {
        const { batch } = await gql(BATCH, { id: batchId.value.trim() });
        if (!batch) return batchBox.replaceChildren(h('p', {}, 'No such batch.'));
        const live = h('div', {}, progressTable({ status: batch.status, ...batch.progress }));
        batchBox.replaceChildren(h('p', {}, `${batch.key} run ${batch.run} — ${batch.templateKey}, created ${when(batch.createdAt)}`), live);
        stopProgress = subscribe(PROGRESS, { id: batch.id }, { next: (data) => live.replaceChildren(progressTable(data.batchProgress)), error: (e) => live.append(errorBox(e)) });
      } catch (error) {
        batchBox.replaceChildren(errorBox(error));
      }
      return undefined;
    };
    const batches = h('section', {}, h('h2', {}, 'Batch progress'), h('form', { onsubmit: watch }, batchId, ' ', h('button', { type: 'submit' }, 'Watch')), batchBox);

    // Recent runs, newest first; "More" follows the keyset cursor, "Watch" opens a run's live progress above.
    const statusFilter = h('select', { id: 'batch-status' }, h('option', { value: '' }, 'any status'), BATCH_STATUSES.map((st) => h('option', { value: st }, st)));
    const rows = h('tbody');
    const listInfo = h('p', { class: 'muted', id: 'batch-list-info' });
    const more = h('button', { type: 'button', class: 'secondary', id: 'batch-more', hidden: true }, 'More');
    let cursor = null;
    const row = (b) => h('tr', { class: 'batch-row', dataset: { id: b.id, status: b.status } },
      h('td', {}, when(b.createdAt)), h('td', {}, `${b.key} (run ${b.run})`), h('td', {}, b.templateKey), h('td', {}, b.status),
      h('td', {}, `${b.progress.settled}/${b.progress.queued} settled, ${b.progress.failed} failed, ${b.progress.rejected} rejected${b.progress.total === null ? '' : ` of ${b.progress.total}`}`),
      h('td', {}, h('button', { type: 'button', class: 'secondary watch-batch', onclick: (event) => { batchId.value = b.id; watch(event); } }, 'Watch')));
    const loadBatches = async (append) => {
      try {
        const { batches: page } = await gql(BATCHES, { first: 20, after: append ? cursor : null, status: statusFilter.value || null });
        if (!append) rows.replaceChildren();
        rows.append(...page.edges.map(({ node }) => row(node)));
        cursor = page.pageInfo.endCursor;
        more.hidden = !page.pageInfo.hasNextPage;
        listInfo.textContent = `${rows.children.length} of ${page.totalCount} shown`;
      } catch (error) {
        listInfo.replaceChildren(errorBox(error));
      }
    };
    statusFilter.addEventListener('change', () => loadBatches(false));
    more.addEventListener('click', () => loadBatches(true));
    await loadBatches(false);
    const batchList = h('section', { id: 'batch-list' }, h('h2', {}, 'Recent batches'), h('label', { for: 'batch-status' }, 'Status'), statusFilter,
      h('table', {}, h('thead', {}, h('tr', {}, ['Created', 'Key', 'Template', 'Status', 'Progress', ''].map((t) => h('th', {}, t)))), rows), listInfo, more);

    return h('div', { id: 'operations' }, h('h1', {}, 'Operations'), h('section', {}, h('h2', {}, 'Queue depths'), queueBox, h('p', { class: 'muted' }, 'Every 5 s. Jobs in detail: ', h('a', { href: '/admin/queues' }, 'queue dashboard'))), kpis, engagement, batchList, batches, print);
  },
};
