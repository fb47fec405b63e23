import { displayName, type ContractRecord, type CustomerRecord, type ProductRecord } from '../domain';
import type { Block, DocumentModel } from './document';
import { LocaleFormat } from './locale.format';
import type { RenderContext } from './render-context';
import type { BlockTemplate, CompiledTemplate, Condition, TemplateDescriptor } from './template.schema';
import type { Scope } from './template.text';

/** The template's language for this customer: their own when the template has it, else English. */
export function pickLanguage(template: CompiledTemplate, customerLanguage: string): string {
  const primary = customerLanguage.toLowerCase().split(/[-_]/)[0] ?? '';
  return template.languages.has(primary) ? primary : 'en';
}

/**
 * Fills one language of a checked template with back-office and request data
 * (`data` already checked and converted by checkData). Empty parts drop out:
 * a key/value item or total whose value renders empty, a table without rows,
 * a heading or paragraph with no text.
 */
export function composeDocument(
  template: CompiledTemplate,
  ctx: RenderContext,
  data: Readonly<Record<string, unknown>>,
  formatFor: (language: string, country: string | null) => LocaleFormat = (language, country) => new LocaleFormat(language, country),
): DocumentModel {
  const language = pickLanguage(template, ctx.customer.language);
  const parts = template.languages.get(language);
  if (!parts) throw new Error(`template ${template.descriptor.key}: expected language ${language}, found none`);
  const format = formatFor(language, ctx.customer.postalAddress?.country ?? null);
  const sender = { name: ctx.sender.name, addressLines: [...ctx.sender.addressLines], returnLine: ctx.sender.returnLine };
  const scope: Scope = {
    customer: customerView(ctx.customer),
    contract: ctx.contract ? contractView(ctx.contract) : null,
    product: ctx.product ? productView(ctx.product) : null,
    data,
    communication: { id: ctx.communicationId, reference: ctx.reference, date: ctx.date },
    sender,
  };
  const edited = editedTexts(template.descriptor.editableBlocks, ctx.blocks);
  // Agent text is data, never template syntax: it becomes plain paragraphs, escaped by each renderer like any value.
  const blocks = [
    ...parts.blocks.flatMap((block) => (shows(block.when, scope) ? composeBlock(block, scope, format) : [])),
    ...edited.flatMap((text) => paragraphsOf(text).map((p): Block => ({ kind: 'paragraph', text: p }))),
  ];
  const sms = [parts.sms?.render(scope, format) ?? '', ...edited.map((text) => paragraphsOf(text).join(' '))].filter((t) => t !== '').join('\n');
  return {
    templateKey: template.descriptor.key,
    language,
    title: parts.title.render(scope, format),
    reference: ctx.reference,
    date: ctx.date,
    sender,
    recipient: { name: displayName(ctx.customer), address: ctx.customer.postalAddress },
    salutation: parts.salutation.render(scope, format),
    blocks,
    closing: parts.closing.render(scope, format),
    signature: parts.signature.render(scope, format),
    sms: parts.sms ? sms : '',
    email: { subject: parts.subject.render(scope, format), intro: parts.intro.render(scope, format), attachPdf: template.descriptor.attachPdf, ...attachmentProtection(template.descriptor, ctx) },
    portal: { notification: parts.portalNotification?.render(scope, format) ?? '' },
    whatsapp: parts.whatsapp
      ? { contentSid: parts.whatsapp.contentSid, variables: Object.fromEntries([...parts.whatsapp.variables].map(([name, text]) => [name, text.render(scope, format)])) }
      : null,
  };
}

/** The filled slots' texts in the template's slot order; slots the template does not declare are ignored (the API refuses them). */
function editedTexts(slots: readonly string[], blocks: Readonly<Record<string, string>> | null | undefined): string[] {
  if (!blocks) return [];
  return slots.map((slot) => blocks[slot] ?? '').filter((text) => text.trim() !== '');
}

/** Paragraphs are separated by a blank line; a single line break inside one is a space. */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '');
}

function composeBlock(block: BlockTemplate, scope: Scope, format: LocaleFormat): Block[] {
  switch (block.kind) {
    case 'heading': {
      const text = block.text.render(scope, format);
      return text ? [{ kind: 'heading', level: block.level, text }] : [];
    }
    case 'paragraph': {
      const text = block.text.render(scope, format);
      return text ? [{ kind: 'paragraph', text }] : [];
    }
    case 'keyValue':
    case 'totals': {
      const items = block.items
        .filter((item) => shows(item.when, scope))
        .map((item) => ({ label: item.label.render(scope, format), value: item.value.render(scope, format), ...(item.emphasis ? { emphasis: true } : {}) }))
        .filter((item) => item.value !== '');
      if (items.length === 0) return [];
      return [block.kind === 'keyValue' ? { kind: 'keyValue', items: items.map(({ label, value }) => ({ label, value })) } : { kind: 'totals', items }];
    }
    case 'table': {
      const columns = block.columns.map((c) => ({ header: c.header.render(scope, format), align: c.align, ...(c.width ? { width: c.width } : {}) }));
      let rows: string[][];
      if (block.rowsFrom) {
        const { path, cells } = block.rowsFrom;
        const items = path.lookup(scope);
        rows = Array.isArray(items) ? items.map((row: unknown) => cells.map((cell) => cell.render({ ...scope, row }, format))) : [];
      } else {
        rows = block.rows.map((row) => row.map((cell) => cell.render(scope, format)));
      }
      return rows.length > 0 ? [{ kind: 'table', columns, rows }] : [];
    }
  }
}

function shows(condition: Condition | null, scope: Scope): boolean {
  return condition === null || condition.path.isPresent(scope) !== condition.negate;
}

/** What templates see of a customer: the record plus the name to address them by. */
function customerView(c: CustomerRecord): Record<string, unknown> {
  return {
    id: c.id,
    kind: c.kind,
    displayName: displayName(c),
    firstName: c.firstName,
    lastName: c.lastName,
    companyName: c.companyName,
    email: c.email,
    phone: c.phone,
    language: c.language,
    segment: c.segment,
    postalAddress: c.postalAddress,
    // Fields the back-office configuration maps beyond the gateway's own (`customer.attributes.x` in templates).
    attributes: c.attributes ?? {},
  };
}

function contractView(c: ContractRecord): Record<string, unknown> {
  return { id: c.id, number: c.number, status: c.status, startDate: c.startDate, endDate: c.endDate, monthlyAmount: c.monthlyAmount, attributes: c.attributes ?? {} };
}

function productView(p: ProductRecord): Record<string, unknown> {
  return { id: p.id, code: p.code, name: p.name, category: p.category, description: p.description, price: p.price, attributes: p.attributes ?? {} };
}

/**
 * Whether the attachment is encrypted, and with the password by SMS: the
 * template's choice, or the request's when it asked for encryption (a request
 * adds protection, it never removes what the template requires).
 */
function attachmentProtection(descriptor: TemplateDescriptor, ctx: RenderContext): { encryptAttachment: boolean; passwordBySms: boolean } {
  const source = ctx.attachmentPassword ?? (descriptor.encryptAttachment ? descriptor.attachmentPassword : null);
  return { encryptAttachment: source !== null, passwordBySms: source === 'sms' };
}
