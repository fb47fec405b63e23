import type { Money } from '../../domain';
import { minorUnitsToDecimal } from '../contract.mapping';
import type { ContractMap } from '../spec/backoffice.schema';
import { compileField, MappingError, short, toText, type Slots } from './field.compile';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** `{amount, currency}` (a decimal) or `{minorUnits, currency}` (cents and the like, converted with integer arithmetic). */
export function moneySlots(spec: ContractMap['monthlyAmount'], name: string, slots: Slots): (values: readonly unknown[], label: string) => Money {
  const minor = spec.minorUnits !== undefined;
  const currencySlot = slots.add(compileField(spec.currency, `${name}.currency`));
  const amountSlot = slots.add(compileField((spec.amount ?? spec.minorUnits) as string, `${name}.${minor ? 'minorUnits' : 'amount'}`));
  return (values, label) => {
    const raw = values[currencySlot];
    const currency = toText(raw)?.toUpperCase() ?? '';
    if (!CURRENCY.test(currency)) throw new MappingError(`${label} ${name}.currency: expected an ISO 4217 code, got ${short(raw)}`);
    const value = values[amountSlot];
    if (minor) {
      try {
        return { amount: minorUnitsToDecimal(value as number | string, currency), currency };
      } catch {
        throw new MappingError(`${label} ${name}.minorUnits: expected an integer number of minor units, got ${short(value)}`);
      }
    }
    const decimal = typeof value === 'number' && Number.isFinite(value) ? String(value) : toText(value);
    if (!decimal || !DECIMAL.test(decimal)) throw new MappingError(`${label} ${name}.amount: expected a decimal such as "12.90", got ${short(value)}`);
    return { amount: decimal, currency };
  };
}
