import { gql } from '../api.js';
import { h, table, errorBox } from '../dom.js';

const SEARCH = `query ConsoleSearch($search: String, $first: Int) {
  customers(search: $search, first: $first) { totalCount edges { node { id displayName segment language } } } }`;

export const searchView = {
  name: 'search',
  pattern: /^\/customers$/,
  roles: ['agent', 'admin', 'service'],
  menu: { label: 'Customers', href: () => '/customers' },
  async render() {
    const input = h('input', { id: 'search', name: 'search', type: 'search', placeholder: 'Name, e-mail, phone or id', autofocus: true });
    const results = h('div', { id: 'results' });
    const run = async (event) => {
      event.preventDefault();
      try {
        const data = await gql(SEARCH, { search: input.value.trim() || null, first: 20 });
        const edges = data.customers ? data.customers.edges : [];
        results.replaceChildren(
          h('p', { class: 'muted' }, `${data.customers ? data.customers.totalCount : 0} found`),
          table(['Customer', 'Id', 'Segment', 'Language'], edges.map(({ node }) => [h('a', { href: `#/customer/${node.id}`, class: 'customer-link' }, node.displayName), node.id, node.segment || '', node.language])),
        );
      } catch (error) {
        results.replaceChildren(errorBox(error));
      }
    };
    return h('section', {}, h('h1', {}, 'Find a customer'), h('form', { id: 'search-form', onsubmit: run }, input, ' ', h('button', { type: 'submit' }, 'Search')), results);
  },
};
