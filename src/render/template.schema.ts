import { Channel, MAX_UNREAD_SECONDS, type Escalation } from '../domain';
import type { TemplateInfo } from './document';
import { FIELD_TYPES, type FieldSpec } from './template.data';
import { TemplateFileReader } from './template-file.reader';
import { SCOPE_ROOTS, TemplateText, ValuePath, type ScopeRoot } from './template.text';

/** TemplateInfo plus what the API and the channels need to know before composing. */
export interface TemplateDescriptor extends TemplateInfo {
  /** 1: the file in templates/; 2, 3, …: published through the API. */
  readonly version: number;
  readonly attachPdf: boolean;
  /** The attached PDF is encrypted (AES-256) with the customer's password; the archive keeps the original. */
  readonly encryptAttachment: boolean;
  /** Where that password comes from: the configured customer field, or one made per communication and sent by SMS. */
  readonly attachmentPassword: 'customerField' | 'sms';
  /** Slots an agent may fill (`blocks` of a send); their text follows the template's own blocks, in this order. */
  readonly editableBlocks: readonly string[];
  /** A communication of this template waits in AWAITING_APPROVAL for a second person. */
  readonly approvalRequired: boolean;
  /** Only when the request fills an editable block: the agent's own words get a second look. */
  readonly approvalWhenEdited: boolean;
  /** A notice that must reach paper even for a paperless customer (a legal or contractual notice). */
  readonly paperRequired: boolean;
  /** The escalation a send gets when its request names none ("digital first, paper if unread"); null: none. */
  readonly escalation: Escalation | null;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** `when: "data.lines"` shows a block or item only when the value is there; `"!data.x"` only when it is not. */
export interface Condition {
  readonly path: ValuePath;
  readonly negate: boolean;
}

interface Item {
  readonly label: TemplateText;
  readonly value: TemplateText;
  readonly when: Condition | null;
  /** Totals only: the line that carries the amount to pay. */
  readonly emphasis: boolean;
}

export type BlockTemplate = { readonly when: Condition | null } & (
  | { readonly kind: 'heading'; readonly level: 1 | 2; readonly text: TemplateText }
  | { readonly kind: 'paragraph'; readonly text: TemplateText }
  | { readonly kind: 'keyValue'; readonly items: readonly Item[] }
  | { readonly kind: 'totals'; readonly items: readonly Item[] }
  | {
      readonly kind: 'table';
      readonly columns: readonly { readonly header: TemplateText; readonly align: 'left' | 'right'; readonly width?: number }[];
      /** Either one row per item of an array in data (cells read `row.…`)… */
      readonly rowsFrom: { readonly path: ValuePath; readonly cells: readonly TemplateText[] } | null;
      /** …or fixed rows. */
      readonly rows: readonly (readonly TemplateText[])[];
    }
);

export interface LanguageTemplate {
  readonly title: TemplateText;
  readonly subject: TemplateText;
  readonly salutation: TemplateText;
  readonly intro: TemplateText;
  readonly blocks: readonly BlockTemplate[];
  readonly closing: TemplateText;
  readonly signature: TemplateText;
  readonly sms: TemplateText | null;
  readonly portalNotification: TemplateText | null;
  /** A WhatsApp Content template (business-initiated messages need one) and its variables. */
  readonly whatsapp: { readonly contentSid: string; readonly variables: ReadonlyMap<string, TemplateText> } | null;
}

/** What a template may list as a channel, and the language texts that channel needs (its module says). */
export interface TemplateChannel {
  readonly id: Channel;
  readonly templateTexts: readonly string[];
}

export interface CompiledTemplate {
  readonly descriptor: TemplateDescriptor;
  readonly languages: ReadonlyMap<string, LanguageTemplate>;
}

const TOP_KEYS = ['key', 'name', 'description', 'channels', 'requiresContract', 'attachPdf', 'paperRequired', 'data', 'languages', 'editableBlocks', 'approvalRequired', 'approvalWhenEdited', 'encryptAttachment', 'attachmentPassword', 'escalation'];
const SLOT = /^[a-z][A-Za-z0-9]{0,39}$/;
const LANGUAGE_KEYS = ['title', 'subject', 'salutation', 'intro', 'blocks', 'closing', 'signature', 'sms', 'portalNotification', 'whatsapp'];
const FIELD_KEYS = ['type', 'required', 'maxLength', 'maxItems', 'items', 'description'];

/** Checks one template file's JSON and parses every placeholder once, so composing never meets a surprise. */
export function compileTemplate(json: unknown, file: string, expectedKey: string, known: readonly TemplateChannel[], version = 1): CompiledTemplate {
  const r = new TemplateFileReader(file);
  const top = r.object(json, '', TOP_KEYS);
  const key = r.string(top.key, 'key');
  if (key !== expectedKey) r.fail('key', `expected ${JSON.stringify(expectedKey)} (the file name), got ${JSON.stringify(key)}`);
  const channels = r.array(top.channels, 'channels', 1).map((c, i) => r.oneOf(c, `channels[${i}]`, known.map((k) => k.id)));
  const required = new Set(known.filter((k) => channels.includes(k.id)).flatMap((k) => k.templateTexts));
  if (new Set(channels).size !== channels.length) r.fail('channels', 'expected each channel once, got a repeat');
  const fields = parseFields(r, top.data ?? {}, 'data', true);
  const languageJson = r.object(top.languages, 'languages', null);
  if (!Object.hasOwn(languageJson, 'en')) r.fail('languages', `expected "en" (the fallback language) among ${Object.keys(languageJson).join(', ') || 'none'}`);
  const languages = new Map<string, LanguageTemplate>();
  for (const [language, value] of Object.entries(languageJson)) {
    if (!/^[a-z]{2,3}$/.test(language)) r.fail(`languages.${language}`, 'expected a primary language subtag such as "fr"');
    languages.set(language, parseLanguage(new LanguageReader(r, fields, `languages.${language}`), value, required));
  }
  const descriptor: TemplateDescriptor = {
    key,
    version,
    name: r.string(top.name, 'name'),
    channels,
    languages: [...languages.keys()],
    requiresContract: r.boolean(top.requiresContract, 'requiresContract', false),
    attachPdf: r.boolean(top.attachPdf, 'attachPdf', false),
    paperRequired: r.boolean(top.paperRequired, 'paperRequired', false),
    escalation: parseEscalation(r, top.escalation, channels),
    encryptAttachment: r.boolean(top.encryptAttachment, 'encryptAttachment', false),
    attachmentPassword: top.attachmentPassword === undefined ? 'customerField' : (r.oneOf(top.attachmentPassword, 'attachmentPassword', ['customerField', 'sms']) as 'customerField' | 'sms'),
    fields,
    editableBlocks: parseSlots(r, top.editableBlocks),
    approvalRequired: r.boolean(top.approvalRequired, 'approvalRequired', false),
    approvalWhenEdited: r.boolean(top.approvalWhenEdited, 'approvalWhenEdited', false),
  };
  if (descriptor.attachmentPassword === 'sms' && !descriptor.channels.includes(Channel.SMS)) r.fail('attachmentPassword', 'expected SMS among the channels to send the password by SMS');
  if (descriptor.encryptAttachment && !descriptor.attachPdf) r.fail('encryptAttachment', 'expected attachPdf: true alongside (there is no attachment to encrypt), got attachPdf false');
  return { descriptor, languages };
}

/** A template's default escalation: at least a minute (a default is for real use), channels of the template, each once. */
function parseEscalation(r: TemplateFileReader, json: unknown, channels: readonly Channel[]): Escalation | null {
  if (json === undefined || json === null) return null;
  const top = r.object(json, 'escalation', ['unreadAfterSeconds', 'then']);
  if (top.unreadAfterSeconds === undefined) r.fail('escalation.unreadAfterSeconds', 'expected a number of seconds, got none');
  const unreadAfterSeconds = r.positiveInteger(top.unreadAfterSeconds, 'escalation.unreadAfterSeconds', 0);
  if (unreadAfterSeconds < 60 || unreadAfterSeconds > MAX_UNREAD_SECONDS) r.fail('escalation.unreadAfterSeconds', `expected 60 to ${MAX_UNREAD_SECONDS} seconds, got ${unreadAfterSeconds}`);
  const then = r.array(top.then, 'escalation.then', 1).map((c, i) => r.oneOf(c, `escalation.then[${i}]`, channels));
  if (new Set(then).size !== then.length) r.fail('escalation.then', 'expected each channel once, got a repeat');
  if (channels.every((c) => then.includes(c))) r.fail('escalation.then', 'expected a channel of the template left to escalate from, got all of them');
  return { unreadAfterSeconds, then };
}

function parseSlots(r: TemplateFileReader, json: unknown): string[] {
  if (json === undefined) return [];
  const slots = r.array(json, 'editableBlocks').map((s, i) => {
    const slot = r.string(s, `editableBlocks[${i}]`);
    if (!SLOT.test(slot)) r.fail(`editableBlocks[${i}]`, `expected a slot name of letters and digits starting lower-case (at most 40), got ${JSON.stringify(slot)}`);
    return slot;
  });
  if (new Set(slots).size !== slots.length) r.fail('editableBlocks', 'expected each slot once, got a repeat');
  return slots;
}

function parseFields(r: TemplateFileReader, json: unknown, at: string, topLevel: boolean): Record<string, FieldSpec> {
  const fields: Record<string, FieldSpec> = {};
  for (const [name, value] of Object.entries(r.object(json, at, null))) {
    const here = `${at}.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) r.fail(here, 'expected a field name of letters, digits and "_"');
    const spec = r.object(value, here, FIELD_KEYS);
    const type = r.oneOf(spec.type, `${here}.type`, FIELD_TYPES);
    if (type === 'array' && !topLevel) r.fail(`${here}.type`, 'expected a scalar type inside array items, got "array"');
    if ((type === 'array') !== (spec.items !== undefined)) r.fail(`${here}.items`, type === 'array' ? 'expected the fields of each item' : `expected no items for type ${type}`);
    fields[name] = {
      type,
      required: r.boolean(spec.required, `${here}.required`, false),
      maxLength: r.positiveInteger(spec.maxLength, `${here}.maxLength`, 500),
      maxItems: r.positiveInteger(spec.maxItems, `${here}.maxItems`, 500),
      items: type === 'array' ? parseFields(r, spec.items, `${here}.items`, false) : null,
      description: r.optionalString(spec.description, `${here}.description`),
    };
  }
  return fields;
}

/** Parses texts and paths of one language and checks every `data.…` and `row.…` against the declared fields. */
class LanguageReader {
  constructor(readonly r: TemplateFileReader, readonly fields: Readonly<Record<string, FieldSpec>>, readonly at: string) {}

  text(value: unknown, at: string, rowFields: Readonly<Record<string, FieldSpec>> | null = null): TemplateText {
    const source = this.r.string(value, at);
    const roots: readonly ScopeRoot[] = rowFields ? [...SCOPE_ROOTS, 'row'] : SCOPE_ROOTS;
    const text = this.r.attempt(at, () => TemplateText.parse(source, roots));
    for (const path of text.paths) this.checkPath(path, at, rowFields);
    return text;
  }

  path(value: unknown, at: string): ValuePath {
    const path = this.r.attempt(at, () => ValuePath.parse(this.r.string(value, at), SCOPE_ROOTS));
    this.checkPath(path, at, null);
    return path;
  }

  condition(value: unknown, at: string): Condition | null {
    if (value === undefined) return null;
    const source = this.r.string(value, at).trim();
    const negate = source.startsWith('!');
    return { path: this.path(negate ? source.slice(1) : source, at), negate };
  }

  private checkPath(path: ValuePath, at: string, rowFields: Readonly<Record<string, FieldSpec>> | null): void {
    const declared = path.root === 'data' ? this.fields : path.root === 'row' ? rowFields : null;
    const field = path.segments[0];
    if (declared && (field === undefined || !Object.hasOwn(declared, field))) {
      const names = Object.keys(declared).join(', ') || 'none';
      this.r.fail(at, `${path.text} reads a field the template does not declare (declared: ${names})`);
    }
  }
}

function parseLanguage(l: LanguageReader, json: unknown, required: ReadonlySet<string>): LanguageTemplate {
  const { r, at } = l;
  const o = r.object(json, at, LANGUAGE_KEYS);
  const needs = (name: string): TemplateText | null =>
    required.has(name) || o[name] !== undefined ? l.text(o[name], `${at}.${name}`) : null;
  return {
    title: l.text(o.title, `${at}.title`),
    subject: l.text(o.subject, `${at}.subject`),
    salutation: l.text(o.salutation, `${at}.salutation`),
    intro: l.text(o.intro, `${at}.intro`),
    blocks: r.array(o.blocks, `${at}.blocks`, 1).map((b, i) => parseBlock(l, b, `${at}.blocks[${i}]`)),
    closing: l.text(o.closing, `${at}.closing`),
    signature: l.text(o.signature, `${at}.signature`),
    sms: needs('sms'),
    portalNotification: needs('portalNotification'),
    whatsapp: o.whatsapp === undefined ? null : parseWhatsapp(l, o.whatsapp, `${at}.whatsapp`),
  };
}

/** `{ "contentSid": "HX…", "variables": { "1": "{{customer.displayName}}" } }`: Twilio's Content template and what fills it. */
function parseWhatsapp(l: LanguageReader, json: unknown, at: string): LanguageTemplate['whatsapp'] {
  const { r } = l;
  const o = r.object(json, at, ['contentSid', 'variables']);
  const contentSid = r.string(o.contentSid, `${at}.contentSid`);
  if (!/^HX[0-9a-f]{32}$/.test(contentSid)) r.fail(`${at}.contentSid`, `expected a Content SID (HX followed by 32 hex digits), got ${JSON.stringify(contentSid)}`);
  const variables = new Map<string, TemplateText>();
  for (const [name, value] of Object.entries(r.object(o.variables ?? {}, `${at}.variables`, null))) {
    if (!/^[A-Za-z0-9_]{1,40}$/.test(name)) r.fail(`${at}.variables.${name}`, 'expected a variable name of letters, digits or "_"');
    variables.set(name, l.text(value, `${at}.variables.${name}`));
  }
  return { contentSid, variables };
}

function parseBlock(l: LanguageReader, json: unknown, at: string): BlockTemplate {
  const { r } = l;
  const kind = r.oneOf(r.object(json, at, null).kind, `${at}.kind`, ['heading', 'paragraph', 'keyValue', 'totals', 'table'] as const);
  const item = (v: unknown, here: string) => {
    const o = r.object(v, here, kind === 'totals' ? ['label', 'value', 'when', 'emphasis'] : ['label', 'value', 'when']);
    const base = { label: l.text(o.label, `${here}.label`), value: l.text(o.value, `${here}.value`), when: l.condition(o.when, `${here}.when`) };
    return { ...base, emphasis: r.boolean(o.emphasis, `${here}.emphasis`, false) };
  };
  switch (kind) {
    case 'heading': {
      const o = r.object(json, at, ['kind', 'text', 'level', 'when']);
      const level = o.level === undefined ? 1 : o.level === 1 || o.level === 2 ? o.level : r.fail(`${at}.level`, `expected 1 or 2, got ${JSON.stringify(o.level)}`);
      return { kind, level, text: l.text(o.text, `${at}.text`), when: l.condition(o.when, `${at}.when`) };
    }
    case 'paragraph': {
      const o = r.object(json, at, ['kind', 'text', 'when']);
      return { kind, text: l.text(o.text, `${at}.text`), when: l.condition(o.when, `${at}.when`) };
    }
    case 'keyValue':
    case 'totals': {
      const o = r.object(json, at, ['kind', 'items', 'when']);
      const items = r.array(o.items, `${at}.items`, 1).map((v, i) => item(v, `${at}.items[${i}]`));
      return { kind, items, when: l.condition(o.when, `${at}.when`) };
    }
    case 'table':
      return parseTable(l, r.object(json, at, ['kind', 'columns', 'rowsFrom', 'rows', 'when']), at);
  }
}

function parseTable(l: LanguageReader, o: Record<string, unknown>, at: string): BlockTemplate {
  const { r } = l;
  if ((o.rowsFrom === undefined) === (o.rows === undefined)) r.fail(at, 'expected either "rowsFrom" (rows from an array in data) or "rows" (fixed rows)');
  let rowFields: Readonly<Record<string, FieldSpec>> | null = null;
  let rowsFrom: ValuePath | null = null;
  if (o.rowsFrom !== undefined) {
    rowsFrom = l.path(o.rowsFrom, `${at}.rowsFrom`);
    const field = rowsFrom.root === 'data' && rowsFrom.segments.length === 1 ? l.fields[rowsFrom.segments[0] ?? ''] : undefined;
    if (!field || field.type !== 'array') return r.fail(`${at}.rowsFrom`, `expected "data.<field>" naming a field of type array, got ${JSON.stringify(rowsFrom.text)}`);
    rowFields = field.items ?? {};
  }
  const columnJson = r.array(o.columns, `${at}.columns`, 1);
  const columns = columnJson.map((v, i) => {
    const here = `${at}.columns[${i}]`;
    const c = r.object(v, here, rowsFrom ? ['header', 'value', 'align', 'width'] : ['header', 'align', 'width']);
    const width = c.width === undefined ? undefined : r.positiveInteger(c.width, `${here}.width`, 1);
    return {
      column: { header: l.text(c.header, `${here}.header`), align: c.align === undefined ? 'left' as const : r.oneOf(c.align, `${here}.align`, ['left', 'right'] as const), ...(width ? { width } : {}) },
      cell: rowsFrom ? l.text(c.value, `${here}.value`, rowFields) : null,
    };
  });
  const rows = o.rows === undefined ? [] : r.array(o.rows, `${at}.rows`).map((row, i) => {
    const cells = r.array(row, `${at}.rows[${i}]`);
    if (cells.length !== columns.length) r.fail(`${at}.rows[${i}]`, `expected ${columns.length} cells (one per column), got ${cells.length}`);
    return cells.map((cell, j) => l.text(cell, `${at}.rows[${i}][${j}]`));
  });
  return {
    kind: 'table',
    columns: columns.map((c) => c.column),
    rowsFrom: rowsFrom ? { path: rowsFrom, cells: columns.map((c) => c.cell as TemplateText) } : null,
    rows,
    when: l.condition(o.when, `${at}.when`),
  };
}
