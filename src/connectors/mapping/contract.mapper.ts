import { ContractStatus, type ContractRecord } from '../../domain';
import type { ContractMap } from '../spec/backoffice.schema';
import { attributeSlots, compileField, MappingError, normalise, short, Slots, toDate, toText, type RecordMapper } from './field.compile';
import { moneySlots } from './money.compile';

export type ContractMapper = RecordMapper<ContractRecord>;

const STATUSES = Object.values(ContractStatus) as string[];

/** Source record → ContractRecord; a record that does not read (unknown status, bad date) is a MappingError naming the contract. */
export function compileContractMapper(map: ContractMap): ContractMapper {
  const slots = new Slots();
  const id = slots.add(compileField(map.id, 'contract id'));
  const number = slots.add(compileField(map.number, 'number'));
  const status = slots.add(compileField(map.status, 'contract status', { strictEnum: true }));
  const startDate = slots.add(compileField(map.startDate, 'startDate'));
  const customerId = slots.add(compileField(map.customerId, 'customerId'));
  const productId = slots.add(compileField(map.productId, 'productId'));
  const endDate = map.endDate ? slots.add(compileField(map.endDate, 'endDate')) : -1;
  const money = moneySlots(map.monthlyAmount, 'monthlyAmount', slots);
  const attributes = attributeSlots(map.attributes, 'contract', slots);
  const startFormat = normalise(map.startDate).format;
  const endFormat = map.endDate ? normalise(map.endDate).format : undefined;
  const statusEnum = normalise(map.status).enum;

  const build = (v: readonly unknown[]): ContractRecord => {
    const contractId = toText(v[id]);
    if (!contractId) throw new MappingError('contract id: expected a value, got nothing');
    const label = `contract ${contractId}`;
    const required = (slot: number, name: string): string => {
      const value = toText(v[slot]);
      if (!value) throw new MappingError(`${label} ${name}: expected a value, got nothing`);
      return value;
    };
    const code = toText(v[status])?.toUpperCase() ?? '';
    if (!STATUSES.includes(code)) {
      const expected = statusEnum ? Object.keys(statusEnum).join(', ') : STATUSES.join(', ');
      throw new MappingError(`${label} status: expected one of ${expected}, got ${short(v[status])}`);
    }
    const start = toDate(v[startDate], startFormat, `${label} startDate`);
    if (!start) throw new MappingError(`${label} startDate: expected a date, got nothing`);
    const record: ContractRecord = {
      id: contractId,
      number: required(number, 'number'),
      status: code as ContractStatus,
      startDate: start,
      endDate: endDate < 0 ? null : toDate(v[endDate], endFormat, `${label} endDate`),
      monthlyAmount: money(v, label),
      customerId: required(customerId, 'customerId'),
      productId: required(productId, 'productId'),
    };
    const extra = attributes(v);
    return extra ? { ...record, attributes: extra } : record;
  };
  return slots.mapper(build);
}
