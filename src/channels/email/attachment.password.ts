import { createHmac } from 'node:crypto';
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

/** Letters and digits a person reads off a phone without confusing them (no 0/O, 1/I/l). */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The password of an attachment sent with `attachmentPassword: "sms"`: made
 * per communication from the signing secret (HMAC), so the email and the SMS
 * deliveries, a retry or a fallback all derive the same one without it being
 * stored anywhere. 12 characters of 32 (60 bits).
 */
export function smsAttachmentPassword(secret: string, communicationId: string): string {
  const mac = createHmac('sha256', secret).update(`attachment-password:${communicationId}`).digest();
  return Array.from(mac.subarray(0, 12), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}
