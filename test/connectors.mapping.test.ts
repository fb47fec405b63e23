import jsonata from 'jsonata';
import { join } from 'node:path';
import { compileCustomerMapper } from '../src/connectors/mapping/customer.mapper';
import { compileField, MappingError } from '../src/connectors/mapping/field.compile';
import { compileFast } from '../src/connectors/mapping/jsonata.fast';
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
    '[Tags, [Addr.Zip]]',
    'Missing.field',
    'Tags[$ = "vip"] ? true : false',
    '$$.Surname',
    // What the synchronous evaluator must give exactly as JSONata does, or hand back to it.
    'Score * 2 + 1',
    'Score / 0',
    '-Score',
    'Score > 10',
    'Score <= Missing',
    'Surname < "S"',
    'Score = 12 or Flag',
    'Flag and Surname',
    '$not(Flag)',
    '$boolean(Tags)',
    '$exists(Addr.Line2)',
    '$number(Code)',
    '$string(Score)',
    '"n" & Score',
    '$trim(Padded)',
    '$lowercase(Surname)',
    '$join(Tags, "+")',
    '$contains(Surname, "1")',
    '$substringBefore(Padded, "b")',
    '$substringAfter(Code, "0")',
    '$lookup(Addr, "City")',
    '$map(Tags, function($t, $i) { $t & $string($i) })',
    '($x := Score; $x + 1)',
    '(Surname; Forename)',
    '{"k": Score, "k2": Missing}',
    'Addr.City.$uppercase()',
    'Tags.$uppercase($)',
  ];
  const RECORDS = [
    ...parties(6),
    { Surname: 'Only', Lines: [{ text: 'a' }, { text: 'b' }], Tags: ['vip', 'new'], Score: 12, Flag: true, Code: '007', Padded: '  a  b\tc ' },
    { Surname: 'One line', Lines: [{ text: 'single' }], Tags: ['solo'], Score: 2.5, Flag: false, Code: '12.5e1', Padded: 'abc' },
    { Surname: 'Empty lists', Lines: [], Tags: [], Score: -3, Code: 'x12', Padded: '' },
    { Surname: 'Odd types', Tags: [1, 'two', null], Score: '12', Flag: 'yes', Code: true, Padded: 5, Addr: { City: ['Lyon'], Zip: 69003 } },
    { Surname: 42, Score: null, Tags: 'single', Addr: [{ City: 'Lyon' }, { City: 'Nice' }] },
  ];

  type Outcome = { value: unknown } | { error: string };
  const outcome = async (run: () => unknown): Promise<Outcome> => {
    try {
      // JSON: JSONata marks the lists it builds as sequences; the values are what count.
      const value = await run();
      return { value: value === undefined ? '(nothing)' : JSON.parse(JSON.stringify(value)) };
    } catch (error) {
      const code = (error as { code?: string }).code ?? /\(([A-Z]\d{4})\)$/.exec((error as Error).message)?.[1];
      return { error: code ?? String(error) };
    }
  };

  it.each(EXPRESSIONS)('gives what JSONata gives for every record, one by one and as a batch: %s', async (expr) => {
    const reader = compileField(expr, 'customer x');
    for (const record of RECORDS) {
      const truth = await outcome(() => jsonata(expr).evaluate(record));
      expect(await outcome(() => reader(record))).toEqual(truth);
    }
    const truths = await Promise.all(RECORDS.map((record) => outcome(() => jsonata(expr).evaluate(record))));
    if (reader.many && truths.every((t) => 'value' in t)) {
      const batch = await reader.many(RECORDS);
      expect(batch.map((v) => (v === undefined ? '(nothing)' : JSON.parse(JSON.stringify(v))))).toEqual(truths.map((t) => (t as { value: unknown }).value));
    }
  });

  it('evaluates the legacy map’s expressions without JSONata, and leaves the rest to it', () => {
    const fast = (expr: string) => compileFast(jsonata(expr).ast());
    const legacy = legacyFile().backoffice.crm.customers.map;
    for (const expr of [legacy.consents as string, legacy.attributes!.yearsAsClient as string]) {
      const evaluate = fast(expr)!;
      expect(evaluate).not.toBeNull();
      // Every party answered by the evaluator itself, none handed back.
      for (const party of parties(20)) expect(() => evaluate(party)).not.toThrow();
    }
    for (const expr of ['Tags[$ = "vip"]', '$$.Surname', '($x := 1; $x)', 'Addr.City.$uppercase()', '$now()', 'a ~> $uppercase()']) expect(fast(expr)).toBeNull();
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

  it('maps 1,000 legacy parties, JSONata fields included, in less than half the time JSONata takes for those two fields alone', async () => {
    const map = compileCustomerMapper(legacyFile().backoffice.crm.customers.map, 'en');
    const legacy = legacyFile().backoffice.crm.customers.map;
    const expressions = [jsonata(legacy.consents as string), jsonata(legacy.attributes!.yearsAsClient as string)];
    const records = parties(1_000);
    // Warm both first: the figure is the steady state, not the first compilation of the code.
    await map.many(records.slice(0, 200));
    await Promise.all(records.slice(0, 200).map((record) => Promise.all(expressions.map((e) => e.evaluate(record)))));
    const time = async (work: () => unknown): Promise<number> => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const jsonataOnly = await time(() => Promise.all(records.map((record) => Promise.all(expressions.map((e) => e.evaluate(record))))));
    const mapped = await time(() => map.many(records));
    expect(mapped).toBeLessThan(jsonataOnly / 2);
  });
});
