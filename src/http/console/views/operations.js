import { gql, queues, subscribe } from '../api.js';
import { h, table, when, errorBox } from '../dom.js';

const STATS = 'query ConsoleStats($from: DateTime!, $to: DateTime!) { deliveryStats(from: $from, to: $to) { total byChannel { channel status count } } }';
const PRINT = 'query ConsolePrintBatches { printBatches(first: 10) { id createdAt letters pages sheets duplex pdfUrl manifestCsvUrl manifestJsonUrl } }';
const BATCH = 'query ConsoleBatch($id: ID!) { batch(id: $id) { id key run templateKey status createdAt progress { total targeted queued rejected sent delivered failed settled done } } }';
const PROGRESS = 'subscription ConsoleBatchProgress($id: ID!) { batchProgress(id: $id) { status total targeted queued rejected sent delivered failed settled done at } }';
const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'];

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

    return h('div', { id: 'operations' }, h('h1', {}, 'Operations'), h('section', {}, h('h2', {}, 'Queue depths'), queueBox, h('p', { class: 'muted' }, 'Every 5 s. Jobs in detail: ', h('a', { href: '/admin/queues' }, 'queue dashboard'))), kpis, batches, print);
  },
};
