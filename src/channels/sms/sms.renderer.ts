import type { DocumentModel } from '../../render/document';
import { smsLength, truncateToSegments, type SmsEncoding } from './sms-segments';

export interface SmsOptions {
  /** Longest body in message parts; longer texts are cut with an ellipsis (default 3). */
  readonly maxSegments?: number;
}

export interface RenderedSms {
  readonly body: string;
  readonly encoding: SmsEncoding;
  readonly segments: number;
}

/**
 * Typographic characters that Intl and template authors produce but that are
 * not in the GSM alphabet; replacing them keeps a French or German text with
 * an amount in GSM-7 (160 characters a part) instead of UCS-2 (70).
 * Letters are left alone: a name is spelt as it is.
 */
const PLAIN: Readonly<Record<string, string>> = {
  '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '\u2007': ' ', '\u2002': ' ', '\u2003': ' ', '\u200b': '',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2013': '-', '\u2014': '-', '\u2212': '-', '\u2026': '...',
};
const PLAIN_RE = new RegExp(`[${Object.keys(PLAIN).join('')}]`, 'g');

/** The SMS form of a document: its short text, on one line, within `maxSegments` parts. */
export function renderSms(model: DocumentModel, options: SmsOptions = {}): RenderedSms {
  const maxSegments = options.maxSegments ?? 3;
  const plain = model.sms
    .replace(PLAIN_RE, (c) => PLAIN[c] ?? c)
    .replace(/\s+/g, ' ')
    .trim();
  const body = truncateToSegments(plain, maxSegments);
  const { encoding, segments } = smsLength(body);
  return { body, encoding, segments };
}
