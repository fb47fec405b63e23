import type { CustomerRecord } from '../../domain';

/**
 * The password of an encrypted attachment: the value of the configured field
 * of the customer record (`ATTACHMENT_PASSWORD_FIELD`, e.g.
 * `attributes.birthDate`), as the customer knows it: a date as YYYY-MM-DD,
 * numbers as written, text trimmed. Null when unset or empty. Never logged.
 */
export function attachmentPasswordOf(customer: CustomerRecord, field: string | null): string | null {
  if (!field) return null;
  let value: unknown = customer;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return null;
    value = (value as Record<string, unknown>)[part];
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}
