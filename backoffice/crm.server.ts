import { crmOpenApi } from './crm.openapi';
import { HttpError, JsonService, type SimulatedServiceOptions } from './json.service';
import { parseIds, slicePage } from './request.params';
import type { CrmCustomer } from './wire.types';

const MAX_SEARCH_LENGTH = 200;

/** What a search term can match: id, names both ways round, company, e-mail; lines keep terms from spanning fields. */
function searchText(customer: CrmCustomer): string {
  const { givenName, familyName } = customer;
  return [
    customer.customerId,
    givenName && familyName ? `${givenName} ${familyName}` : givenName ?? familyName,
    givenName && familyName ? `${familyName} ${givenName}` : null,
    customer.organisationName,
    customer.contact.email,
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n')
    .toLowerCase();
}

/** The CRM over REST/JSON (see the README): search with cursor paging, one customer, batch lookup. */
export function createCrmService(customers: readonly CrmCustomer[], options: SimulatedServiceOptions = {}): JsonService {
  const byId = new Map(customers.map((customer) => [customer.customerId, customer]));
  const texts = customers.map(searchText);
  const openApi = crmOpenApi();

  return new JsonService({
    name: 'CRM',
    ...options,
    routes: [
      { method: 'GET', path: '/openapi.json', handle: () => openApi },
      {
        method: 'GET',
        path: '/customers',
        handle: ({ query }) => {
          const term = (query.get('search') ?? '').trim().toLowerCase();
          if (term.length > MAX_SEARCH_LENGTH) {
            throw new HttpError(400, 'BAD_REQUEST', `search: expected at most ${MAX_SEARCH_LENGTH} characters, got ${term.length}`);
          }
          const matches = term === '' ? customers : customers.filter((_, i) => texts[i].includes(term));
          const page = slicePage(matches, query, `search:${term}`, 20, 200);
          return { data: page.items, page: { total: page.total, nextCursor: page.nextCursor } };
        },
      },
      {
        method: 'GET',
        path: '/customers/{customerId}',
        handle: ({ params }) => {
          const customer = byId.get(params.customerId);
          if (!customer) throw new HttpError(404, 'NOT_FOUND', `customer ${JSON.stringify(params.customerId)} was not found`);
          return customer;
        },
      },
      {
        method: 'POST',
        path: '/customers/lookup',
        handle: ({ body }) => {
          const data: CrmCustomer[] = [];
          const missing: string[] = [];
          for (const id of parseIds(body, 500)) {
            const customer = byId.get(id);
            if (customer) data.push(customer);
            else missing.push(id);
          }
          return { data, missing };
        },
      },
    ],
  });
}
