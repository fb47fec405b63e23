import jsonata from 'jsonata';
import { join } from 'node:path';
import { compileCustomerMapper } from '../src/connectors/mapping/customer.mapper';
import { compileField, MappingError } from '../src/connectors/mapping/field.compile';
import { compileProductMapper } from '../src/connectors/mapping/product.mapper';
import { readBackofficeFile } from '../src/connectors/spec/spec.loader';

const LEGACY_VARS = {
  LEGACY_CRM_URL: 'http://127.0.0.1:3/crm', LEGACY_CRM_API_KEY: 'k', LEGACY_CONTRACTS_URL: 'postgres://u:p@127.0.0.1/x',
  LEGACY_CATALOG_URL: 'http://127.0.0.1:4', LEGACY_CATALOG_TOKEN_URL: 'http://127.0.0.1:4/oauth/token', LEGACY_CATALOG_CLIENT_ID: 'id', LEGACY_CATALOG_CLIENT_SECRET: 's',
};

function legacyFile() {
  const result = readBackofficeFile(join(__dirname, '..', 'config', 'backoffice.legacy.yaml'), LEGACY_VARS);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.file;
}

/** Parties as the legacy SOAP CRM answers them, with the gaps real data has: no opt-ins, no second line, no ClientSince. */
function parties(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    PartyNo: `P${String(i).padStart(6, '0')}`,
    PartyType: i % 7 === 0 ? 'O' : 'P',
    Forename: i % 7 === 0 ? undefined : `Name${i}`,
    Surname: `Surname${i}`,
    OrgName: i % 7 === 0 ? `Org ${i}` : undefined,
    EMail: i % 5 === 0 ? '' : `p${i}@example.com`,
    MobileNo: i % 3 === 0 ? undefined : '06 12 34 56 78',
    Locale: ['fr-FR', 'de', 'EN_gb', ''][i % 4],
    Tier: ['RET', 'PRM', 'BUS', 'XXX'][i % 4],
    Addr: i % 11 === 0 ? undefined : { Line1: `${i} rue des Lilas`, Line2: i % 2 ? 'Bât. B' : undefined, Zip: '69003', City: 'Lyon', CountryIso: 'fr' },
    ContactPref: ['EM', 'SM', 'LT', 'PO', 'ZZ'][i % 5],
    OptIns: ['EM;SM', '', 'PO', undefined, 'SM;EM;PO'][i % 5],
    ClientSince: i % 6 === 0 ? undefined : String(1990 + (i % 30)),
  }));
}

describe('declared mappings', () => {
  // Plain paths, paths through lists, conditionals, functions, lambdas, constructors, and results that are lists or nothing.
  const EXPRESSIONS = [
    'Surname',
    'Addr.City',
    'Lines.text',
    'Lines[0].text',
    'Tags',
    '$count(Tags)',
    'Forename & " " & Surname',
    'ClientSince ? 2026 - $number(ClientSince) : null',
    '$map($split(OptIns ? OptIns : "", ";"), function($c) { {"EM": "EMAIL", "SM": "SMS", "PO": "PORTAL"}.$lookup($, $c) })',
    '$uppercase(Addr.CountryIso)',
    '{"city": Addr.City, "zip": Addr.Zip}',
    '[Addr.Line1, Addr.Line2]',
    'Missing.field',
    'Tags[$ = "vip"] ? true : false',
    '$$.Surname',
  ];
  const RECORDS = [
    ...parties(6),
    { Surname: 'Only', Lines: [{ text: 'a' }, { text: 'b' }], Tags: ['vip', 'new'] },
    { Surname: 'One line', Lines: [{ text: 'single' }], Tags: ['solo'] },
    { Surname: 'Empty lists', Lines: [], Tags: [] },
  ];

  it.each(EXPRESSIONS)('gives what JSONata gives for every record, one by one and as a batch: %s', async (expr) => {
    const reader = compileField(expr, 'customer x');
    const truth = await Promise.all(RECORDS.map((record) => jsonata(expr).evaluate(record)));
    const one = await Promise.all(RECORDS.map((record) => reader(record)));
    const batch = reader.many ? await reader.many(RECORDS) : one;
    // JSON: JSONata marks the lists it builds as sequences; the values are what count.
    expect(JSON.parse(JSON.stringify(one))).toEqual(JSON.parse(JSON.stringify(truth)));
    expect(JSON.parse(JSON.stringify(batch))).toEqual(JSON.parse(JSON.stringify(truth)));
    expect(batch).toHaveLength(RECORDS.length);
  });

  it('maps a batch of legacy parties exactly as it maps them one by one', async () => {
    const map = compileCustomerMapper(legacyFile().backoffice.crm.customers.map, 'en');
    const records = parties(300);
    const one = await Promise.all(records.map((record) => map(record)));
    const batch = await map.many(records);
    expect(batch).toEqual(one);
    expect(batch[1]).toMatchObject({ id: 'P000001', consents: [], attributes: { clientSince: '1991', yearsAsClient: 35 } });
    expect(batch[4]).toMatchObject({ consents: ['EMAIL', 'SMS', 'PORTAL'], phone: '+33612345678', postalAddress: { country: 'FR' } });
    expect(batch[0].attributes).toEqual({ clientSince: null, yearsAsClient: null });
  });

  it('reports an expression that fails on a record as a MappingError naming the field, never the value', async () => {
    const map = compileProductMapper({ ...legacyFile().backoffice.catalog.products.map, attributes: { weight: '$number(weight)' } });
    const good = { articleNo: 'A1', sku: 'S1', title: 'T', family: 'F', listPrice: { amount: '1.00', ccy: 'EUR' }, weight: '12' };
    const bad = { ...good, articleNo: 'A2', weight: 'twelve-secret' };
    await expect(Promise.resolve(map.many([good]))).resolves.toMatchObject([{ attributes: { weight: 12 } }]);
    for (const run of [(): unknown => map.many([good, bad]), (): unknown => map(bad)]) {
      const error = await Promise.resolve().then(run).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MappingError);
      expect((error as Error).message).toMatch(/^product attributes\.weight: the expression failed \(D3030\)$/);
      expect((error as Error).message).not.toContain('twelve-secret');
    }
  });

  it('maps 2,000 legacy parties with JSONata fields as a batch faster than one by one', async () => {
    const map = compileCustomerMapper(legacyFile().backoffice.crm.customers.map, 'en');
    const records = parties(2_000);
    // Warm both ways first: the figure is the steady state, not the first compilation of the code.
    await Promise.all(records.slice(0, 200).map((record) => map(record)));
    await map.many(records.slice(0, 200));
    const time = async (work: () => unknown): Promise<number> => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const one = await time(() => Promise.all(records.map((record) => map(record))));
    const batch = await time(() => map.many(records));
    expect(batch).toBeLessThan(one);
  });
});
