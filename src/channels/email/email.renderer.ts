import type { Block, DocumentModel } from '../../render/document';
import { letterLabels } from '../../render/letter.labels';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** Addresses the message carries besides its text, as the recipient's client will fetch or follow them. */
export interface EmailLinks {
  /** "View this document online"; absent or null: no such link. */
  readonly viewOnline?: string | null;
  /**
   * What that link shows, for its words: the message's document (default), or
   * the customer area (`PORTAL_URL`) of a message without one, e.g. `welcome`.
   */
  readonly viewOnlineOf?: 'document' | 'portal';
  /** The open pixel (a 1×1 image); absent or null: none. */
  readonly pixel?: string | null;
  /**
   * What an http(s) address in the text becomes (its tracked link, or itself):
   * each is then a link in the HTML, showing the address as written, and the
   * plain text carries the same link. Absent: addresses stay text.
   */
  readonly link?: (url: string) => string;
}

const VIEW_ONLINE: Readonly<Record<string, string>> = {
  en: 'View this document online',
  fr: 'Voir ce document en ligne',
  de: 'Dieses Dokument online ansehen',
};

const VIEW_PORTAL: Readonly<Record<string, string>> = {
  en: 'View your customer area online',
  fr: 'Voir votre espace client en ligne',
  de: 'Ihr Kundenportal online ansehen',
};

const FONT = "font-family:Helvetica,Arial,sans-serif;";
const MUTED = '#5f6670';
const RULE = '#d5dae0';

/**
 * The email form of a document: a single-column, inline-styled HTML body
 * that narrows on phones (max-width, no fixed widths), and its plain-text
 * alternative. Every value from the model is HTML-escaped, so nothing in
 * back-office or request data can add markup.
 */
export function renderEmail(model: DocumentModel, links: EmailLinks = {}): RenderedEmail {
  // A header value must stay on one line.
  const subject = model.email.subject.replace(/[\r\n\t]+/g, ' ').trim();
  return { subject, html: html(model, subject, links), text: text(model, links) };
}

function viewOnlineLabel(language: string, of: EmailLinks['viewOnlineOf']): string {
  const labels = of === 'portal' ? VIEW_PORTAL : VIEW_ONLINE;
  return labels[language] ?? (labels.en as string);
}

/** Only http(s) addresses become links: anything else would be a way to smuggle a `javascript:` URL in. */
function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

function html(model: DocumentModel, subject: string, links: EmailLinks): string {
  const labels = letterLabels(model.language);
  const { para, lines } = bodyText(links.link);
  const body = [
    `<h1 style="${FONT}font-size:20px;line-height:1.3;margin:0 0 16px;color:#1a1a1a;">${lines(model.title)}</h1>`,
    para(model.salutation),
    para(model.email.intro),
    ...model.blocks.map((block) => blockHtml(block, lines)),
    para(model.closing),
    para(model.signature),
  ].join('\n');
  const viewOnline = safeHref(links.viewOnline);
  const online = viewOnline
    ? `\n<tr><td style="${FONT}padding:0 24px 20px;font-size:15px;"><a href="${esc(viewOnline)}" style="color:#1f4e8c;font-weight:bold;">${esc(viewOnlineLabel(model.language, links.viewOnlineOf))}</a></td></tr>`
    : '';
  const pixelUrl = safeHref(links.pixel);
  // Last in the body, so a client that stops loading images half way still shows the message.
  const pixel = pixelUrl ? `\n<img src="${esc(pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">` : '';
  const footer = [`${esc(labels.reference)}: ${esc(model.reference)}`, esc(model.sender.name), ...model.sender.addressLines.map(esc)].join(' &middot; ');
  return `<!DOCTYPE html>
<html lang="${esc(model.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${esc(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f3f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border:1px solid ${RULE};border-radius:6px;">
<tr><td style="${FONT}padding:18px 24px;border-bottom:3px solid #1f4e8c;font-size:18px;font-weight:bold;color:#1a1a1a;">${esc(model.sender.name)}</td></tr>
<tr><td style="${FONT}padding:24px;font-size:15px;line-height:1.55;color:#1a1a1a;">
${body}
</td></tr>${online}
<tr><td style="${FONT}padding:14px 24px;border-top:1px solid ${RULE};font-size:12px;line-height:1.5;color:${MUTED};">${footer}</td></tr>
</table>
</td></tr>
</table>${pixel}
</body>
</html>
`;
}

function blockHtml(block: Block, lines: (value: string) => string): string {
  const para = (value: string): string => (value ? `<p style="${FONT}margin:0 0 14px;">${lines(value)}</p>` : '');
  switch (block.kind) {
    case 'heading':
      return block.level === 1
        ? `<h2 style="${FONT}font-size:17px;margin:22px 0 8px;color:#1a1a1a;">${lines(block.text)}</h2>`
        : `<h3 style="${FONT}font-size:15px;margin:18px 0 6px;color:#1a1a1a;">${lines(block.text)}</h3>`;
    case 'paragraph':
      return para(block.text);
    case 'keyValue':
      return table(
        block.items.map(
          (i) =>
            `<tr><td style="${FONT}padding:4px 12px 4px 0;color:${MUTED};vertical-align:top;">${lines(i.label)}</td>` +
            `<td style="${FONT}padding:4px 0;font-weight:bold;vertical-align:top;">${lines(i.value)}</td></tr>`,
        ),
      );
    case 'table': {
      const cell = (align: string, extra: string) => `${FONT}padding:6px 8px;text-align:${align};vertical-align:top;${extra}`;
      const head = block.columns.map((c) => `<th style="${cell(c.align, `background:#e9edf2;border-bottom:2px solid ${MUTED};font-size:13px;`)}">${lines(c.header)}</th>`).join('');
      const rows = block.rows.map(
        (row) => `<tr>${block.columns.map((c, i) => `<td style="${cell(c.align, `border-bottom:1px solid ${RULE};font-size:14px;`)}">${lines(row[i] ?? '')}</td>`).join('')}</tr>`,
      );
      // Wide tables scroll sideways on a phone instead of breaking the layout.
      return `<div style="overflow-x:auto;margin:8px 0 16px;">${table([`<tr>${head}</tr>`, ...rows], 'border-collapse:collapse;')}</div>`;
    }
    case 'totals':
      return table(
        block.items.map((i) => {
          const weight = i.emphasis ? `font-weight:bold;font-size:16px;border-top:2px solid #1a1a1a;` : '';
          return `<tr><td style="${FONT}padding:4px 12px;text-align:right;${weight}">${lines(i.label)}</td><td style="${FONT}padding:4px 0;text-align:right;white-space:nowrap;${weight}">${lines(i.value)}</td></tr>`;
        }),
        'margin-left:auto;border-collapse:collapse;',
      );
  }
}

function table(rows: readonly string[], style = ''): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="width:100%;${style}margin:8px 0 16px;">\n${rows.join('\n')}\n</table>`;
}

/**
 * The body's text as HTML: escaped, its own line breaks kept, and — when the
 * message links its addresses — each http(s) address an anchor to what
 * `link` makes of it, showing the address as written.
 */
function bodyText(link: EmailLinks['link']): { para(value: string): string; lines(value: string): string } {
  const lines = (value: string): string =>
    splitAddresses(value)
      .map((part) => {
        const href = link && part.url ? safeHref(link(part.url)) : null;
        const text = esc(part.text).replace(/\r?\n/g, '<br>');
        return href ? `<a href="${esc(href)}" style="color:#1f4e8c;">${text}</a>` : text;
      })
      .join('');
  return { lines, para: (value) => (value ? `<p style="${FONT}margin:0 0 14px;">${lines(value)}</p>` : '') };
}

/** The text in order, each http(s) address a part of its own (`url` set). */
function splitAddresses(value: string): { readonly text: string; readonly url?: string }[] {
  const parts: { text: string; url?: string }[] = [];
  let from = 0;
  for (const match of value.matchAll(ADDRESS)) {
    const url = trimAddress(match[0]);
    if (!URL.canParse(url)) continue;
    if (match.index > from) parts.push({ text: value.slice(from, match.index) });
    parts.push({ text: url, url });
    from = match.index + url.length;
  }
  if (from < value.length) parts.push({ text: value.slice(from) });
  return parts;
}

/** The plain-text part: each http(s) address replaced by what `link` makes of it. */
function textLinks(value: string, link: EmailLinks['link']): string {
  if (!link) return value;
  return splitAddresses(value)
    .map((part) => (part.url ? (safeHref(link(part.url)) ?? part.text) : part.text))
    .join('');
}

/** http(s) addresses as a person writes them in text: up to the next space, quote or angle bracket. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** Sentence punctuation after an address is not part of it, nor a closing bracket it did not open. */
function trimAddress(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1) ?? '';
    if (/[.,;:!?]/.test(last)) url = url.slice(0, -1);
    else if (last === ')' && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    else if (last === ']' && count(url, '[') < count(url, ']')) url = url.slice(0, -1);
    else return url;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function esc(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(model: DocumentModel, links: EmailLinks): string {
  const labels = letterLabels(model.language);
  const linked = (value: string): string => textLinks(value, links.link);
  const title = linked(model.title);
  const parts = [title, '='.repeat(Math.min(title.length, 72)), '', linked(model.salutation), '', linked(model.email.intro), ''];
  for (const block of model.blocks) parts.push(...blockText(linkedBlock(block, linked)), '');
  parts.push(linked(model.closing), '', linked(model.signature), '');
  const viewOnline = safeHref(links.viewOnline);
  if (viewOnline) parts.push(`${viewOnlineLabel(model.language, links.viewOnlineOf)}: ${viewOnline}`, '');
  parts.push('--', `${labels.reference}: ${model.reference}`, model.sender.name, ...model.sender.addressLines);
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** The block with its texts' addresses replaced, for the plain-text part. */
function linkedBlock(block: Block, linked: (value: string) => string): Block {
  switch (block.kind) {
    case 'heading':
    case 'paragraph':
      return { ...block, text: linked(block.text) };
    case 'keyValue':
      return { ...block, items: block.items.map((i) => ({ ...i, label: linked(i.label), value: linked(i.value) })) };
    case 'totals':
      return { ...block, items: block.items.map((i) => ({ ...i, label: linked(i.label), value: linked(i.value) })) };
    case 'table':
      return { ...block, columns: block.columns.map((c) => ({ ...c, header: linked(c.header) })), rows: block.rows.map((row) => row.map(linked)) };
  }
}

function blockText(block: Block): string[] {
  switch (block.kind) {
    case 'heading':
      return [block.text, (block.level === 1 ? '=' : '-').repeat(Math.min(block.text.length, 72))];
    case 'paragraph':
      return [block.text];
    case 'keyValue': {
      const width = Math.max(...block.items.map((i) => i.label.length));
      return block.items.map((i) => `${i.label.padEnd(width)}  ${i.value}`);
    }
    case 'totals': {
      const labels = Math.max(...block.items.map((i) => i.label.length));
      const values = Math.max(...block.items.map((i) => i.value.length));
      return block.items.flatMap((i) => [
        ...(i.emphasis ? [`${' '.repeat(labels + 2)}${'-'.repeat(values)}`] : []),
        `${i.label.padStart(labels)}  ${i.value.padStart(values)}`,
      ]);
    }
    case 'table':
      return tableText(block.columns, block.rows);
  }
}

/** Padded columns when they fit a 78-character line; otherwise one "header: value" line per cell. */
function tableText(columns: readonly { readonly header: string; readonly align: 'left' | 'right' }[], rows: readonly (readonly string[])[]): string[] {
  const flat = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => flat(r[i] ?? '').length)));
  if (widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1) <= 78) {
    const line = (cells: readonly string[]) =>
      columns.map((c, i) => (c.align === 'right' ? flat(cells[i] ?? '').padStart(widths[i] ?? 0) : flat(cells[i] ?? '').padEnd(widths[i] ?? 0))).join('  ').trimEnd();
    return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  }
  const described = (row: readonly string[]) => columns.flatMap((c, i) => (row[i] ? [`${c.header ? `${c.header}: ` : ''}${flat(row[i] ?? '')}`] : []));
  return rows.flatMap((row, r) => [...(r > 0 ? [''] : []), ...described(row)]);
}
