import { ContractStatus, type ContractRecord } from '../domain';
import type { ContractRowEntity } from './contract-row.entity';

const STATUSES: Readonly<Record<string, ContractStatus>> = {
  A: ContractStatus.ACTIVE,
  S: ContractStatus.SUSPENDED,
  T: ContractStatus.TERMINATED,
  P: ContractStatus.PENDING,
};

/** ISO 4217 currencies whose minor unit is not 1/100. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BHD: 3, CLP: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, LYD: 3, OMR: 3, TND: 3, VND: 0,
};

/** A row the mapping cannot read; the message names the contract and column, never customer data. */
export class ContractRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractRowError';
  }
}

/** 1290 EUR → "12.90", 5 JPY → "5", -7 CHF → "-0.07": integer arithmetic only, never a float. */
export function minorUnitsToDecimal(minor: number | string | bigint, currency: string): string {
  let magnitude: string;
  let negative: boolean;
  if (typeof minor === 'number' && Number.isSafeInteger(minor)) {
    negative = minor < 0;
    magnitude = String(negative ? -minor : minor);
  } else {
    let value: bigint;
    try {
      value = BigInt(typeof minor === 'string' ? minor.trim() : minor);
    } catch {
      throw new ContractRowError(`amount: expected an integer number of minor units, got ${JSON.stringify(String(minor))}`);
    }
    negative = value < 0n;
    magnitude = (negative ? -value : value).toString();
  }
  const digits = MINOR_DIGITS[currency] ?? 2;
  magnitude = magnitude.padStart(digits + 1, '0');
  const decimal = digits === 0 ? magnitude : `${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
  return negative ? `-${decimal}` : decimal;
}

const LEGACY_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** `YYYYMMDD` → midnight UTC of that day; null for null or blank. */
export function parseLegacyDate(value: string | null, column: string, contractId: string): Date | null {
  const raw = value?.trim();
  if (!raw) return null;
  const match = LEGACY_DATE.exec(raw);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
    const date = new Date(Date.UTC(year, month, day));
    // Date.UTC rolls 20260231 over into March (and years below 100 into the 1900s); reading the parts back catches it.
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month && date.getUTCDate() === day) return date;
  }
  throw new ContractRowError(`contract ${contractId} ${column}: expected a date YYYYMMDD, got ${JSON.stringify(raw)}`);
}

export function toContractRecord(row: ContractRowEntity): ContractRecord {
  const code = row.statusCode?.trim() ?? '';
  const status = STATUSES[code];
  if (!status) throw new ContractRowError(`contract ${row.id} STAT_CD: expected A, S, T or P, got ${JSON.stringify(code)}`);
  const currency = row.currency.trim().toUpperCase();
  const startDate = parseLegacyDate(row.startDate, 'DT_START', row.id);
  if (!startDate) throw new ContractRowError(`contract ${row.id} DT_START: expected a date YYYYMMDD, got nothing`);
  return {
    id: row.id.trim(),
    number: row.number.trim(),
    status,
    startDate,
    endDate: parseLegacyDate(row.endDate, 'DT_END', row.id),
    monthlyAmount: { amount: minorUnitsToDecimal(row.monthlyAmountMinor, currency), currency },
    customerId: row.customerRef.trim(),
    productId: row.productRef.trim(),
  };
}
