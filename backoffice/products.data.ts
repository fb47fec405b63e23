import { RandomSource } from './random.source';
import type { CatalogProduct } from './wire.types';

export const PRODUCT_CATEGORIES = [
  'insurance-home', 'insurance-car', 'insurance-health', 'account', 'card', 'loan', 'savings', 'energy',
] as const;

export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

interface Family {
  readonly category: ProductCategory;
  readonly code: string;
  readonly name: string;
  /** Monthly price of the first level, in EUR. */
  readonly base: number;
  readonly levels: readonly (readonly [code: string, name: string])[];
  readonly about: string;
}

const FAMILIES: readonly Family[] = [
  { category: 'insurance-home', code: 'HOME', name: 'Home', base: 18, levels: [['BASIC', 'Basic'], ['COMFORT', 'Comfort'], ['PREMIUM', 'Premium']],
    about: 'Home insurance: fire, water damage, storm and burglary' },
  { category: 'insurance-home', code: 'TENANT', name: 'Tenant Contents', base: 9, levels: [['BASIC', 'Basic'], ['PLUS', 'Plus']],
    about: 'Contents cover for tenants: furniture, electronics and personal belongings' },
  { category: 'insurance-home', code: 'BUILD', name: 'Buildings', base: 32, levels: [['STANDARD', 'Standard'], ['PLUS', 'Plus']],
    about: 'Buildings insurance for the structure, roof and fixed installations' },
  { category: 'insurance-car', code: 'CAR', name: 'Car', base: 28, levels: [['BASIC', 'Basic'], ['COMFORT', 'Comfort'], ['ALLRISK', 'All Risk']],
    about: 'Motor insurance: third-party liability, with theft and own damage from the second level' },
  { category: 'insurance-car', code: 'MOTO', name: 'Motorbike', base: 19, levels: [['BASIC', 'Basic'], ['COMFORT', 'Comfort']],
    about: 'Motorbike insurance with rider protection and helmet and clothing cover' },
  { category: 'insurance-car', code: 'FLEET', name: 'Fleet', base: 145, levels: [['STANDARD', 'Standard'], ['PLUS', 'Plus']],
    about: 'Company fleet insurance for up to 50 vehicles under one policy' },
  { category: 'insurance-health', code: 'HEALTH', name: 'Health', base: 42, levels: [['ESSENTIAL', 'Essential'], ['COMFORT', 'Comfort'], ['PREMIUM', 'Premium']],
    about: 'Supplementary health insurance: hospital, specialists and medicines' },
  { category: 'insurance-health', code: 'DENTAL', name: 'Dental', base: 14, levels: [['BASIC', 'Basic'], ['PLUS', 'Plus']],
    about: 'Dental cover for check-ups, treatment and orthodontics' },
  { category: 'insurance-health', code: 'TRAVEL', name: 'Travel', base: 7, levels: [['ANNUAL', 'Annual'], ['FAMILY', 'Family']],
    about: 'Travel insurance: medical costs abroad, repatriation and cancellation' },
  { category: 'account', code: 'CURR', name: 'Current Account', base: 4, levels: [['BASIC', 'Basic'], ['PLUS', 'Plus'], ['PREMIUM', 'Premium']],
    about: 'Everyday account with debit card, online and mobile banking' },
  { category: 'account', code: 'BIZACC', name: 'Business Account', base: 12, levels: [['START', 'Start'], ['PRO', 'Pro']],
    about: 'Business current account with several users and bulk payments' },
  { category: 'account', code: 'YOUTH', name: 'Youth Account', base: 0, levels: [['FREE', 'Free']],
    about: 'Free everyday account for customers under 26' },
  { category: 'card', code: 'DEBIT', name: 'Debit Card', base: 1.5, levels: [['CLASSIC', 'Classic'], ['VIRTUAL', 'Virtual']],
    about: 'Debit card for payments and cash withdrawals, in wallets on request' },
  { category: 'card', code: 'CREDIT', name: 'Credit Card', base: 4, levels: [['CLASSIC', 'Classic'], ['GOLD', 'Gold'], ['PLATINUM', 'Platinum']],
    about: 'Credit card with a monthly statement; travel insurance from Gold' },
  { category: 'card', code: 'BIZCARD', name: 'Business Card', base: 8, levels: [['STANDARD', 'Standard']],
    about: 'Company card with per-employee limits and expense reports' },
  { category: 'loan', code: 'PLOAN', name: 'Personal Loan', base: 180, levels: [['FLEX', 'Flex'], ['FIXED', 'Fixed']],
    about: 'Unsecured personal loan from 1,000 to 50,000 over 12 to 84 months' },
  { category: 'loan', code: 'MORTG', name: 'Mortgage', base: 950, levels: [['FIXED', 'Fixed'], ['VARIABLE', 'Variable']],
    about: 'Home loan with a fixed or variable rate over 10 to 30 years' },
  { category: 'loan', code: 'AUTOLN', name: 'Car Loan', base: 260, levels: [['STANDARD', 'Standard']],
    about: 'Vehicle financing with the car as collateral' },
  { category: 'savings', code: 'SAVE', name: 'Savings Account', base: 50, levels: [['FLEX', 'Flex'], ['BONUS', 'Bonus']],
    about: 'Instant-access savings fed by a monthly standing order' },
  { category: 'savings', code: 'PENSION', name: 'Pension Plan', base: 150, levels: [['CLASSIC', 'Classic'], ['DYNAMIC', 'Dynamic']],
    about: 'Private pension plan with tax-advantaged monthly contributions' },
  { category: 'savings', code: 'INVEST', name: 'Investment Plan', base: 100, levels: [['BALANCED', 'Balanced'], ['GROWTH', 'Growth']],
    about: 'Monthly fund savings plan in a diversified portfolio' },
  { category: 'energy', code: 'POWER', name: 'Electricity', base: 65, levels: [['FIX', 'Fix'], ['FLEX', 'Flex'], ['GREEN', 'Green']],
    about: 'Electricity supply at a fixed or market-linked price' },
  { category: 'energy', code: 'GAS', name: 'Gas', base: 70, levels: [['FIX', 'Fix'], ['FLEX', 'Flex']],
    about: 'Natural gas supply for heating and hot water' },
  { category: 'energy', code: 'SOLAR', name: 'Solar Feed-in', base: 15, levels: [['STANDARD', 'Standard']],
    about: 'Feed-in tariff and metering for rooftop solar panels' },
];

const LEVEL_NOTES = ['Entry level.', 'Extended level with assistance services.', 'Top level: highest limits, no excess, priority service.'];

/** Every family and level, in catalog order: P0001 is HOME-BASIC-01. */
const LINES = FAMILIES.flatMap((family) => family.levels.map((level, rank) => ({ family, level, rank })));

/** Editions cycle through the markets, so any catalog of a few dozen products sells in EUR, CHF and GBP. */
const MARKETS = [
  { currency: 'EUR', suffix: '', factor: 1 },
  { currency: 'CHF', suffix: ' CH', factor: 1.08 },
  { currency: 'GBP', suffix: ' UK', factor: 0.86 },
  { currency: 'EUR', suffix: '', factor: 1.04 },
];

export function productId(index: number): string {
  return `P${String(index).padStart(4, '0')}`;
}

/** Shop-window prices: 39.90 above ten, 4.50 below. */
function priceCents(amount: number): number {
  if (amount <= 0) return 0;
  if (amount < 10) return Math.max(10, Math.round(amount * 10) * 10);
  return Math.round(amount) * 100 - 10;
}

export function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** `count` products, P0001 upwards: every family and level once, then further editions. */
export function generateProducts(seed: number, count: number): CatalogProduct[] {
  const rng = RandomSource.forStream(seed, 'products');
  const products: CatalogProduct[] = [];
  for (let i = 0; i < count; i += 1) {
    const { family, level, rank } = LINES[i % LINES.length];
    const edition = Math.floor(i / LINES.length);
    const market = MARKETS[edition % MARKETS.length];
    const round = Math.floor(edition / MARKETS.length);
    const levelNote = family.levels.length > 1 ? ` ${LEVEL_NOTES[Math.min(rank, LEVEL_NOTES.length - 1)]}` : '';
    const cents = priceCents(family.base * (1 + 0.45 * rank) * market.factor * (0.92 + rng.next() * 0.16));
    products.push({
      id: productId(i + 1),
      code: `${family.code}-${level[0]}-${String(edition + 1).padStart(2, '0')}`,
      name: `${family.name} ${level[1]}${market.suffix}${round > 0 ? ` ${round + 1}` : ''}`,
      category: family.category,
      // A few legacy entries were never given a description.
      description: rng.chance(0.04) ? null : `${family.about}.${levelNote}`,
      monthlyPrice: { value: formatCents(cents), currency: market.currency },
    });
  }
  return products;
}
