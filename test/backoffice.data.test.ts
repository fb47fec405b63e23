import { MOBILE_PATTERNS, POSTCODE_PATTERNS, type CountryCode } from '../backoffice/places.data';
import { PRODUCT_CATEGORIES } from '../backoffice/products.data';
import { generateBackofficeData } from '../backoffice/seed.data';
import type { CrmCustomer } from '../backoffice/wire.types';

const LANGUAGES_BY_COUNTRY: Record<CountryCode, string[]> = {
  FR: ['fr'], DE: ['de'], AT: ['de'], GB: ['en'], CH: ['de', 'fr'], BE: ['fr', 'de'], LU: ['fr', 'de'],
};

function share(customers: readonly CrmCustomer[], predicate: (c: CrmCustomer) => boolean): number {
  return customers.filter(predicate).length / customers.length;
}

describe('simulated back-office data', () => {
  // One full-size run shared by the checks below.
  const data = generateBackofficeData({ customers: 10_000, contracts: 25_000, products: 200, seed: 42 });

  it('generates the default sizes, in time that grows linearly with them', () => {
    expect(data.customers).toHaveLength(10_000);
    expect(data.contracts).toHaveLength(25_000);
    expect(data.products).toHaveLength(200);
    // A ratio, not a wall-clock bound: the suite starts many workers at once on two cores, and an
    // absolute limit failed on a busy machine while the generator was fine (0.2-0.4 s in plain Node).
    // Four times the size must take well under sixteen times as long: anything quadratic fails.
    const best = (customers: number): number => {
      let fastest = Infinity;
      for (let run = 0; run < 3; run += 1) {
        const started = performance.now();
        generateBackofficeData({ customers, contracts: customers * 2.5, products: 200, seed: 43 + run });
        fastest = Math.min(fastest, performance.now() - started);
      }
      return fastest;
    };
    best(2_500); // warm-up: the first run also compiles the generator
    const ratio = best(10_000) / best(2_500);
    expect(ratio).toBeLessThan(8);
  });

  it('is deterministic for a seed, differs across seeds, and keeps a prefix when sizes grow', () => {
    const small = generateBackofficeData({ customers: 300, contracts: 700, products: 60, seed: 7 });
    expect(generateBackofficeData({ customers: 300, contracts: 700, products: 60, seed: 7 })).toEqual(small);
    const other = generateBackofficeData({ customers: 300, contracts: 700, products: 60, seed: 8 });
    expect(other.customers.slice(10)).not.toEqual(small.customers.slice(10));
    expect(other.contracts).not.toEqual(small.contracts);
    const bigger = generateBackofficeData({ customers: 600, contracts: 700, products: 60, seed: 7 });
    expect(bigger.customers.slice(0, 300)).toEqual(small.customers);
  });

  it('keeps C0000001 fixed and complete whatever the seed', () => {
    for (const seed of [1, 42, 999]) {
      const [first] = generateBackofficeData({ customers: 5, contracts: 5, products: 10, seed }).customers;
      expect(first).toMatchObject({
        customerId: 'C0000001',
        type: 'PRIVATE',
        givenName: 'Claire',
        familyName: 'Martin',
        contact: { email: 'claire.martin@example.com', mobile: '+33612345678' },
        address: { postcode: '69003', town: 'Lyon', countryCode: 'FR' },
        preferredLanguage: 'fr',
      });
    }
    expect(data.contracts.filter((c) => c.CUST_REF === 'C0000001').length).toBeGreaterThanOrEqual(3);
  });

  it('gives the documented fixed traits to C0000002–C0000010', () => {
    const byId = (id: string): CrmCustomer => data.customers.find((c) => c.customerId === id)!;
    expect(byId('C0000002')).toMatchObject({ type: 'BUSINESS', segment: 'business', address: { countryCode: 'FR' } });
    expect(byId('C0000002').givenName).not.toBeNull();
    expect(byId('C0000003').contact.email).toBeNull();
    expect(byId('C0000003').contact.mobile).not.toBeNull();
    expect(byId('C0000004').contact.mobile).toBeNull();
    expect(byId('C0000004').contact.email).not.toBeNull();
    expect(byId('C0000005').contact).toEqual({ email: null, mobile: null });
    expect(byId('C0000005').address).not.toBeNull();
    expect(byId('C0000006').address).toBeNull();
    expect(byId('C0000007')).toMatchObject({ preferredLanguage: 'de', address: { countryCode: 'DE' } });
    expect(byId('C0000008')).toMatchObject({ preferredLanguage: 'en', address: { countryCode: 'GB' } });
    expect(byId('C0000009')).toMatchObject({ type: 'BUSINESS', givenName: null, familyName: null });
    expect(byId('C0000010').communication.preferredChannel).toBeNull();
    const holders = new Set(data.contracts.map((c) => c.CUST_REF));
    for (let i = 1; i <= 10; i += 1) expect(holders.has(`C${String(i).padStart(7, '0')}`)).toBe(true);
  });

  it('writes addresses, mobiles and languages the way each country does', () => {
    const wrong = data.customers.filter((customer) => {
      const country = customer.address?.countryCode as CountryCode | undefined;
      if (!country) return false;
      return (
        !LANGUAGES_BY_COUNTRY[country].includes(customer.preferredLanguage) ||
        !POSTCODE_PATTERNS[country].test(customer.address!.postcode) ||
        (customer.contact.mobile !== null && !MOBILE_PATTERNS[country].test(customer.contact.mobile))
      );
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    const countries = new Set(data.customers.map((c) => c.address?.countryCode));
    expect([...countries].filter(Boolean).sort()).toEqual(['AT', 'BE', 'CH', 'DE', 'FR', 'GB', 'LU']);
  });

  it('has the documented mix of customers', () => {
    const { customers } = data;
    expect(share(customers, (c) => c.type === 'BUSINESS')).toBeGreaterThan(0.15);
    expect(share(customers, (c) => c.type === 'BUSINESS')).toBeLessThan(0.25);
    expect(share(customers, (c) => c.contact.email === null)).toBeGreaterThan(0.07);
    expect(share(customers, (c) => c.contact.email === null)).toBeLessThan(0.13);
    expect(share(customers, (c) => c.contact.mobile === null)).toBeGreaterThan(0.12);
    expect(share(customers, (c) => c.contact.mobile === null)).toBeLessThan(0.18);
    expect(share(customers, (c) => c.address === null)).toBeGreaterThan(0.01);
    expect(share(customers, (c) => c.address === null)).toBeLessThan(0.03);
    expect(new Set(customers.map((c) => c.segment))).toEqual(new Set(['retail', 'premium', 'business']));
    const inconsistent = customers.filter((c) => {
      const { consents, preferredChannel } = c.communication;
      const named = c.type === 'PRIVATE' ? Boolean(c.givenName && c.familyName && !c.organisationName) : Boolean(c.organisationName);
      // Consent and preference never point at contact data the customer does not have.
      return (
        !named ||
        (consents.email && c.contact.email === null) ||
        (consents.sms && c.contact.mobile === null) ||
        (preferredChannel === 'letter' && c.address === null) ||
        (preferredChannel !== null && preferredChannel !== 'letter' && !consents[preferredChannel])
      );
    });
    expect(inconsistent.slice(0, 3)).toEqual([]);
    const emails = customers.map((c) => c.contact.email).filter((e): e is string => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
    // Only domains reserved for examples (RFC 2606): a misrouted message can reach nobody.
    expect(emails.filter((e) => !/^[a-z0-9.]+@([a-z0-9-]+\.example|example\.(com|net|org))$/.test(e))).toEqual([]);
  });

  it('has a catalog with unique codes in every category and decimal prices', () => {
    const { products } = data;
    expect(new Set(products.map((p) => p.code)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.category))).toEqual(new Set(PRODUCT_CATEGORIES));
    expect(products[0]).toMatchObject({ id: 'P0001', code: 'HOME-BASIC-01', name: 'Home Basic', category: 'insurance-home' });
    for (const p of products) {
      expect(p.id).toMatch(/^P\d{4}$/);
      expect(p.code).toMatch(/^[A-Z]+-[A-Z]+-\d{2}$/);
      expect(p.monthlyPrice.value).toMatch(/^\d+\.\d{2}$/);
      expect(['EUR', 'CHF', 'GBP']).toContain(p.monthlyPrice.currency);
    }
  });

  it('has contracts with legacy codes that reference real customers and products', () => {
    const customers = new Set(data.customers.map((c) => c.customerId));
    const products = new Map(data.products.map((p) => [p.id, p]));
    const numbers = new Set<string>();
    const statuses: Record<string, number> = {};
    const wrong = data.contracts.filter((row) => {
      numbers.add(row.CNTR_NO);
      statuses[row.STAT_CD] = (statuses[row.STAT_CD] ?? 0) + 1;
      const datesOk =
        row.STAT_CD === 'P'
          ? row.DT_START > '20260630' && row.DT_END === null
          : row.DT_START >= '20160630' && row.DT_START < '20260630' && (row.STAT_CD === 'T' ? row.DT_END! > row.DT_START : row.DT_END === null);
      return !(
        customers.has(row.CUST_REF) &&
        row.CCY_CD === products.get(row.PROD_REF)?.monthlyPrice.currency &&
        /^[A-Z]{2}-\d{4}-\d{6}$/.test(row.CNTR_NO) &&
        row.CNTR_NO.slice(3, 7) === row.DT_START.slice(0, 4) &&
        /^20\d{6}$/.test(row.DT_START) &&
        Number.isInteger(row.AMT_MONTHLY_CT) &&
        row.AMT_MONTHLY_CT >= 0 &&
        datesOk
      );
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(numbers.size).toBe(data.contracts.length);
    expect(data.contracts[0].CNTR_ID).toBe('K00000001');
    expect(statuses.A / data.contracts.length).toBeGreaterThan(0.7);
    expect(statuses.A / data.contracts.length).toBeLessThan(0.8);
    expect(statuses.S && statuses.T && statuses.P).toBeTruthy();
  });

  it('refuses impossible sizes with a message naming the option', () => {
    expect(() => generateBackofficeData({ customers: 0 })).toThrow(/customers: expected an integer from 1/);
    expect(() => generateBackofficeData({ products: 2.5 })).toThrow(/products: expected an integer/);
  });
});
