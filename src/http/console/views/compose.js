import { gql, supports } from '../api.js';
import { h, errorBox } from '../dom.js';

const BASIC = 'query ConsoleTemplates { templates { key name channels languages requiresContract } }';
// `dataFields` and `previewCommunication` come with the composition issue; the form uses them once the server has them.
const WITH_FIELDS = 'query ConsoleTemplateFields { templates { key name channels languages requiresContract dataFields { name type required description maxLength items { name type required description maxLength } } } }';
const PREVIEW_PROBE = 'query ConsolePreviewProbe($input: SendCommunicationInput!) { previewCommunication(input: $input) { plan } }';
const PREVIEW = `query ConsolePreview($input: SendCommunicationInput!) {
  previewCommunication(input: $input) { plan previews { channel subject text smsSegments pdfPages pdfUrl } } }`;
const CONTRACTS = 'query ConsoleContracts($id: ID!) { customer(id: $id) { id displayName contracts { id number status product { name } } } }';
const SEND = 'mutation ConsoleSend($input: SendCommunicationInput!) { sendCommunication(input: $input) { id status } }';

/** Inputs for declared fields, nested by dotted names; `collect()` builds the `data` object. */
function fieldsForm(fields, prefix = '') {
  const inputs = [];
  const node = h('div', { class: 'fields' });
  for (const f of fields) {
    const name = `${prefix}${f.name}`;
    if (f.items && f.items.length && f.type === 'object') {
      const nested = fieldsForm(f.items, `${name}.`);
      node.append(h('fieldset', {}, h('legend', {}, f.name), nested.node));
      inputs.push(...nested.inputs);
      continue;
    }
    if (f.type === 'money') {
      // A money value is `{ amount, currency }` (decimal string, ISO 4217 code): one input each.
      const parts = [['amount', { inputmode: 'decimal' }], ['currency', { maxlength: 3 }]].map(([part, extra]) => {
        const input = h('input', { name: `${name}.${part}`, type: 'text', required: f.required, 'data-type': 'string', ...extra, id: `field-${name}.${part}` });
        inputs.push({ name: `${name}.${part}`, input, type: 'string' });
        return [h('label', { for: `field-${name}.${part}` }, part), input];
      });
      node.append(h('fieldset', {}, h('legend', {}, `${name}${f.required ? ' *' : ''}`, f.description ? h('span', { class: 'muted' }, ` — ${f.description}`) : ''), ...parts.flat()));
      continue;
    }
    // Dates as ISO text (what the API reads), not the browser's locale-dependent date picker; lists as JSON.
    const input = f.type === 'boolean' ? h('input', { type: 'checkbox', name })
      : f.type === 'array' ? h('textarea', { name, spellcheck: 'false', placeholder: '[ { … } ] (JSON)', 'data-type': f.type })
      : h('input', { name, type: f.type === 'number' || f.type === 'integer' ? 'number' : 'text', required: f.required, maxlength: f.maxLength ?? null, 'data-type': f.type,
        ...(f.type === 'date' ? { placeholder: 'YYYY-MM-DD', pattern: '\\d{4}-\\d{2}-\\d{2}.*' } : {}) });
    inputs.push({ name, input, type: f.type });
    node.append(h('label', { for: `field-${name}` }, `${name}${f.required ? ' *' : ''}`, f.description ? h('span', { class: 'muted' }, ` — ${f.description}`) : ''), Object.assign(input, { id: `field-${name}` }));
  }
  return { node, inputs };
}

function collect(inputs) {
  const data = {};
  for (const { name, input, type } of inputs) {
    let value = type === 'boolean' ? input.checked : input.value;
    if (value === '') continue;
    if (type === 'number' || type === 'integer') value = Number(value);
    if (type === 'array') value = JSON.parse(value);
    const path = name.split('.');
    let at = data;
    for (const key of path.slice(0, -1)) at = at[key] ??= {};
    at[path.at(-1)] = value;
  }
  return data;
}

export const composeView = {
  name: 'compose',
  pattern: /^\/compose\/(?<id>[^/]+)$/,
  roles: ['agent', 'admin', 'service'],
  async render(ctx) {
    const [withFields, canPreview, customerData] = await Promise.all([
      supports('query ConsoleFieldsProbe { templates { dataFields { name } } }'),
      supports(PREVIEW_PROBE.replace('($input: SendCommunicationInput!)', '').replace('(input: $input)', '(input: { customerId: "-", templateKey: "-" })')),
      gql(CONTRACTS, { id: ctx.params.id }, { partial: true }),
    ]);
    const customer = customerData.data && customerData.data.customer;
    if (!customer) return h('section', {}, h('h1', {}, 'Customer not found'));
    const { templates } = await gql(withFields ? WITH_FIELDS : BASIC);
    const template = h('select', { id: 'template', name: 'template' }, templates.map((t) => h('option', { value: t.key }, `${t.name} (${t.key})`)));
    const contract = h('select', { id: 'contract', name: 'contract' }, h('option', { value: '' }, '— none —'), (customer.contracts || []).map((k) => h('option', { value: k.id }, `${k.number} ${k.product ? k.product.name : ''} (${k.status})`)));
    const policy = h('select', { id: 'policy', name: 'policy' }, ['EXPLICIT', 'PREFERRED', 'ALL_CONSENTED'].map((p) => h('option', { value: p }, p)));
    const channelsBox = h('div', { id: 'channels' });
    const dataBox = h('div', { id: 'data' });
    const output = h('div', { id: 'compose-output' });
    let form = { inputs: null, json: null };

    const selected = () => templates.find((t) => t.key === template.value);
    const refresh = () => {
      const t = selected();
      channelsBox.replaceChildren(...t.channels.map((c) => h('label', {}, h('input', { type: 'checkbox', name: 'channel', value: c, checked: c === t.channels[0] }), ` ${c}`)));
      if (t.dataFields) {
        const built = fieldsForm(t.dataFields);
        form = { inputs: built.inputs, json: null };
        dataBox.replaceChildren(built.node);
      } else {
        const json = h('textarea', { id: 'data-json', name: 'data', spellcheck: 'false' }, '{}');
        form = { inputs: null, json };
        dataBox.replaceChildren(h('label', { for: 'data-json' }, 'Template data (JSON)'), json);
      }
      if (t.requiresContract && contract.value === '' && contract.options.length > 1) contract.selectedIndex = 1;
    };
    template.addEventListener('change', refresh);
    refresh();

    const input = () => {
      const channels = [...channelsBox.querySelectorAll('input[name=channel]:checked')].map((i) => i.value);
      const data = form.inputs ? collect(form.inputs) : JSON.parse(form.json.value || '{}');
      return { customerId: customer.id, templateKey: template.value, ...(contract.value ? { contractId: contract.value } : {}), channelPolicy: policy.value, ...(channels.length ? { channels } : {}), data };
    };
    const preview = async () => {
      try {
        const { previewCommunication: p } = await gql(PREVIEW, { input: input() });
        output.replaceChildren(h('h2', {}, `Preview — plan ${p.plan.map((step) => step.join(' + ')).join(' → ')}`), ...p.previews.map((v) => h('div', { class: 'preview', dataset: { channel: v.channel } },
          h('h3', {}, v.channel), v.subject ? h('p', {}, h('strong', {}, v.subject)) : '', v.text ? h('pre', {}, v.text) : '',
          v.pdfUrl ? h('p', {}, h('a', { href: v.pdfUrl, target: '_blank', rel: 'noopener', class: 'pdf-link', dataset: { pages: v.pdfPages } }, `PDF, ${v.pdfPages} page(s)`)) : '')));
      } catch (error) {
        output.replaceChildren(errorBox(error));
      }
    };
    const send = async (event) => {
      event.preventDefault();
      try {
        const { sendCommunication } = await gql(SEND, { input: input() });
        ctx.go(`#/communication/${sendCommunication.id}`);
      } catch (error) {
        output.replaceChildren(errorBox(error));
      }
    };
    return h('section', {}, h('h1', {}, `Compose for ${customer.displayName}`),
      h('form', { id: 'compose', onsubmit: send },
        h('label', { for: 'template' }, 'Template'), template,
        h('label', { for: 'contract' }, 'Contract'), contract,
        h('label', { for: 'policy' }, 'Channel policy'), policy,
        h('label', {}, 'Channels'), channelsBox,
        dataBox,
        h('div', {}, canPreview ? h('button', { type: 'button', class: 'secondary', id: 'preview', onclick: preview }, 'Preview') : '', ' ', h('button', { type: 'submit', id: 'send' }, 'Send'))),
      output);
  },
};
