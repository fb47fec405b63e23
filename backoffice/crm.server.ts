import { crmOpenApi } from './crm.openapi';
import { patchPreferences } from './crm.preferences';
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

/**
 * The CRM over REST/JSON (see the README): search with cursor paging (or by
 * mobile number), one customer, batch lookup, and preference writes. A
 * written customer is replaced by its patched copy: the seeded records stay
 * as generated.
 */
export function createCrmService(customers: readonly CrmCustomer[], options: SimulatedServiceOptions = {}): JsonService {
  const byId = new Map(customers.map((customer) => [customer.customerId, customer]));
  const current = (customer: CrmCustomer): CrmCustomer => byId.get(customer.customerId) ?? customer;
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
          const phone = query.get('phone');
          if (phone !== null) {
            // Mobile numbers are stored E.164; a caller's spaces or dashes do not matter.
            const wanted = phone.replace(/[\s().-]/g, '');
            if (!/^\+[1-9]\d{6,14}$/.test(wanted)) throw new HttpError(400, 'BAD_REQUEST', `phone: expected an E.164 number, got ${JSON.stringify(phone.slice(0, 40))}`);
            const found = [...byId.values()].filter((c) => c.contact.mobile?.replace(/[\s().-]/g, '') === wanted);
            return { data: found, page: { total: found.length, nextCursor: null } };
          }
          const term = (query.get('search') ?? '').trim().toLowerCase();
          if (term.length > MAX_SEARCH_LENGTH) {
            throw new HttpError(400, 'BAD_REQUEST', `search: expected at most ${MAX_SEARCH_LENGTH} characters, got ${term.length}`);
          }
          const matches = term === '' ? customers : customers.filter((_, i) => texts[i].includes(term));
          const page = slicePage(matches, query, `search:${term}`, 20, 200);
          return { data: page.items.map(current), page: { total: page.total, nextCursor: page.nextCursor } };
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
        method: 'PATCH',
        path: '/customers/{customerId}/preferences',
        handle: ({ params, body }) => {
          const customer = byId.get(params.customerId);
          if (!customer) throw new HttpError(404, 'NOT_FOUND', `customer ${JSON.stringify(params.customerId)} was not found`);
          const patched = patchPreferences(customer, body, new Date());
          byId.set(customer.customerId, patched);
          return patched;
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
