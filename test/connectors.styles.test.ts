import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectBackoffice, defaultBackofficeFile, type ConnectedBackoffice } from '../src/connectors/backoffice.connect';
import type { BackofficeFile } from '../src/connectors/spec/backoffice.schema';
import { parseBackofficeText } from '../src/connectors/spec/spec.loader';
import { ErrorCode } from '../src/errors';

/*
 * The call styles the simulated systems do not use: ids in one query parameter
 * and in a repeated one, and paging by page number, against a small CRM of our
 * own that records every request it gets.
 */

const PEOPLE = Array.from({ length: 11 }, (_, i) => ({ no: `K${String(i + 1).padStart(2, '0')}`, name: `Person ${i + 1}`, mail: `p${i + 1}@example.com` }));

describe('ids in the query, repeated parameters, page-numbered paging', () => {
  let server: Server;
  let base: string;
  const requests: URL[] = [];
  const opened: ConnectedBackoffice[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://crm.local');
      requests.push(url);
      const send = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/people/by-ids') return send({ people: PEOPLE.filter((p) => (url.searchParams.get('nos') ?? '').split('|').includes(p.no)) });
      if (url.pathname === '/people/each') return send({ people: PEOPLE.filter((p) => url.searchParams.getAll('no').includes(p.no)) });
      if (url.pathname === '/people') {
        const page = Number(url.searchParams.get('page'));
        const size = Number(url.searchParams.get('size'));
        const matching = PEOPLE.filter((p) => p.name.includes(url.searchParams.get('q') ?? ''));
        return send({ rows: matching.slice(page * size, page * size + size), count: matching.length });
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const connect = async (byIds: Record<string, unknown>): Promise<ConnectedBackoffice> => {
    // Contracts and catalog are never called here; unreachable addresses are enough.
    const file: any = structuredClone(defaultBackofficeFile({ crmUrl: base, catalogUrl: 'http://127.0.0.1:9', contractsDatabaseUrl: 'sqlite:/nonexistent/c.sqlite' }));
    file.backoffice.crm.customers = {
      byIds: { ...byIds, items: 'people' },
      search: {
        url: '/people',
        query: { q: '{search}', page: '{page}', size: '{limit}' },
        items: 'rows',
        paging: { style: 'page', firstPage: 0, total: 'count', maxPageSize: 4 },
      },
      map: { id: 'no', lastName: 'name', email: 'mail' },
    };
    const result = parseBackofficeText(JSON.stringify(file), {});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const connected = await connectBackoffice(result.file as BackofficeFile, { timeoutMs: 1_000, retries: 0, cacheTtlMs: 0 });
    opened.push(connected);
    return connected;
  };

  it('puts the ids in one parameter joined by the separator, in batches of maxBatch', async () => {
    const crm = (await connect({ url: '/people/by-ids', ids: { in: 'query', name: 'nos', separator: '|' }, maxBatch: 4 })).crm;
    const ids = ['K03', 'K01', 'K99', 'K07', 'K11', 'K02'];
    const found = await crm.getCustomers(ids);
    expect(found.map((c) => c?.email ?? null)).toEqual(['p3@example.com', 'p1@example.com', null, 'p7@example.com', 'p11@example.com', 'p2@example.com']);
    expect(requests.map((r) => r.searchParams.get('nos')).sort()).toEqual(['K03|K01|K99|K07', 'K11|K02'].sort());
  });

  it('repeats the parameter once per id', async () => {
    const crm = (await connect({ url: '/people/each', ids: { in: 'repeat', name: 'no' } })).crm;
    const found = await crm.getCustomers(['K05', 'K06']);
    expect(found.map((c) => c?.lastName)).toEqual(['Person 5', 'Person 6']);
    expect(requests).toHaveLength(1);
    expect(requests[0].searchParams.getAll('no')).toEqual(['K05', 'K06']);
  });

  it('pages by page number with the page size it started with, handing out its own cursors', async () => {
    const crm = (await connect({ url: '/people/each', ids: { in: 'repeat', name: 'no' } })).crm;
    const seen: string[] = [];
    let after: string | null = null;
    let first = 3;
    do {
      const page: Awaited<ReturnType<typeof crm.searchCustomers>> = await crm.searchCustomers({ first, after, search: 'Person' });
      expect(page.totalCount).toBe(11);
      seen.push(...page.items.map((c) => c.id));
      after = page.nextCursor;
      // A later page asked with another size keeps the numbering of the first.
      first = 4;
    } while (after);
    expect(seen).toEqual(PEOPLE.map((p) => p.no));
    expect(requests.map((r) => [r.searchParams.get('page'), r.searchParams.get('size')])).toEqual([['0', '3'], ['1', '3'], ['2', '3'], ['3', '3']]);

    // Larger than the system serves: capped to maxPageSize.
    await crm.searchCustomers({ first: 50, search: '' });
    expect(requests.at(-1)?.searchParams.get('size')).toBe('4');
    const one = await crm.searchCustomers({ first: 2, search: 'Person' });
    const refused = await crm.searchCustomers({ first: 2, search: 'Person 1', after: one.nextCursor }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'after' } });
  });
});
