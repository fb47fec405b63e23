import type { ProductRecord } from '../../domain';
import type { ProductMap } from '../spec/backoffice.schema';
import { attributeSlots, compileField, MappingError, Slots, type RecordMapper } from './field.compile';
import { moneySlots } from './money.compile';

export type ProductMapper = RecordMapper<ProductRecord>;

function raw(value: unknown): string | null {
  if (value === undefined || value === null || typeof value === 'object') return null;
  const text = String(value);
  return text.trim() === '' ? null : text;
}

/** Source record → ProductRecord; catalog texts are kept as written (only blank ones become null). */
export function compileProductMapper(map: ProductMap): ProductMapper {
  const slots = new Slots();
  const id = slots.add(compileField(map.id, 'product id'));
  const code = slots.add(compileField(map.code, 'code'));
  const name = slots.add(compileField(map.name, 'name'));
  const category = slots.add(compileField(map.category, 'category'));
  const description = map.description ? slots.add(compileField(map.description, 'description')) : -1;
  const price = moneySlots(map.price, 'price', slots);
  const attributes = attributeSlots(map.attributes, 'product', slots);

  const build = (v: readonly unknown[]): ProductRecord => {
    const productId = raw(v[id])?.trim();
    if (!productId) throw new MappingError('product id: expected a value, got nothing');
    const label = `product ${productId}`;
    const required = (slot: number, field: string): string => {
      const value = raw(v[slot]);
      if (value === null) throw new MappingError(`${label} ${field}: expected a value, got nothing`);
      return value;
    };
    const record: ProductRecord = {
      id: productId,
      code: required(code, 'code'),
      name: required(name, 'name'),
      category: required(category, 'category'),
      description: description < 0 ? null : raw(v[description]),
      price: price(v, label),
    };
    const extra = attributes(v);
    return extra ? { ...record, attributes: extra } : record;
  };
  return slots.mapper(build);
}
