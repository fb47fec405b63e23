import { join } from 'node:path';
import { Channel, ContractStatus, type ContractRecord, type CustomerRecord, type ProductRecord } from '../src/domain';
import type { RenderContext } from '../src/render/render-context';

/** Test data for the render suites, shaped like what the connectors return. */
export const TEMPLATES_DIR = join(__dirname, '..', 'templates');

export const claire: CustomerRecord = {
  id: 'C0000001',
  kind: 'person',
  firstName: 'Claire',
  lastName: 'Martin',
  companyName: null,
  email: 'claire.martin@example.com',
  phone: '+33612345678',
  language: 'fr',
  segment: 'retail',
  postalAddress: { lines: ['12 rue des Lilas'], postalCode: '69003', city: 'Lyon', country: 'FR' },
  preferredChannel: Channel.EMAIL,
  consents: [Channel.EMAIL, Channel.SMS, Channel.PORTAL],
  webhookUrl: null,
};

export const jonas: CustomerRecord = {
  ...claire,
  id: 'C0000007',
  firstName: 'Jonas',
  lastName: 'Müller',
  email: 'jonas.mueller@example.de',
  phone: '+4915112345678',
  language: 'de',
  postalAddress: { lines: ['Hauptstraße 5'], postalCode: '80331', city: 'München', country: 'DE' },
};

export const oliver: CustomerRecord = {
  ...claire,
  id: 'C0000008',
  firstName: 'Oliver',
  lastName: 'Bennett',
  email: 'oliver.bennett@example.org',
  phone: '+447700900123',
  language: 'en',
  postalAddress: { lines: ['10 Downing Street'], postalCode: 'SW1A 2AA', city: 'London', country: 'GB' },
};

/** Speaks Italian, which no template has: English is the fallback. */
export const giulia: CustomerRecord = {
  ...claire,
  id: 'C0000011',
  firstName: 'Giulia',
  lastName: 'Rossi',
  language: 'it',
  postalAddress: { lines: ['Via Nassa 12'], postalCode: '6900', city: 'Lugano', country: 'CH' },
};

export const homeContract: ContractRecord = {
  id: 'K00000001',
  number: 'HB-2021-004711',
  status: ContractStatus.ACTIVE,
  startDate: new Date('2021-03-01T00:00:00Z'),
  endDate: null,
  monthlyAmount: { amount: '24.90', currency: 'EUR' },
  customerId: 'C0000001',
  productId: 'P0001',
};

export const homeProduct: ProductRecord = {
  id: 'P0001',
  code: 'HOME-BASIC-01',
  name: 'Home Basic',
  category: 'insurance-home',
  description: 'Home insurance covering fire, water damage and theft.',
  price: { amount: '24.90', currency: 'EUR' },
};

export const sender = {
  name: 'Helvetia Assurances',
  addressLines: ['Service clients', '5 place de la Bourse', '69002 Lyon'],
  returnLine: 'Helvetia Assurances · 5 place de la Bourse · 69002 Lyon',
};

export const DATE = new Date('2026-11-22T09:30:00Z');

export function context(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    customer: claire,
    contract: homeContract,
    product: homeProduct,
    data: {},
    communicationId: 'comm-7f3a9c',
    reference: 'CCM-7F3A9C',
    date: DATE,
    sender,
    ...overrides,
  };
}

export const invoiceData = {
  invoiceNumber: 'INV-2026-000123',
  amountDue: { amount: '1234.50', currency: 'EUR' },
  dueDate: '2026-12-15',
};

/** `count` invoice lines, enough for several pages when large. */
export function invoiceLines(count: number): { description: string; quantity: number; unitPrice: { amount: string; currency: string }; amount: { amount: string; currency: string } }[] {
  return Array.from({ length: count }, (_, i) => ({
    description: `Consommation période ${i + 1} — relevé n° ${1000 + i}`,
    quantity: (i % 3) + 1,
    unitPrice: { amount: '12.35', currency: 'EUR' },
    amount: { amount: (12.35 * ((i % 3) + 1)).toFixed(2), currency: 'EUR' },
  }));
}
