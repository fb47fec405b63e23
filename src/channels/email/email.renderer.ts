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
  /** The open pixel (a 1×1 image); absent or null: none. */
  readonly pixel?: string | null;
}

const VIEW_ONLINE: Readonly<Record<string, string>> = {
  en: 'View this document online',
  fr: 'Voir ce document en ligne',
  de: 'Dieses Dokument online ansehen',
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

function viewOnlineLabel(language: string): string {
  return VIEW_ONLINE[language] ?? (VIEW_ONLINE.en as string);
}

/** Only http(s) addresses become links: anything else would be a way to smuggle a `javascript:` URL in. */
function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

function html(model: DocumentModel, subject: string, links: EmailLinks): string {
  const labels = letterLabels(model.language);
  const body = [
    `<h1 style="${FONT}font-size:20px;line-height:1.3;margin:0 0 16px;color:#1a1a1a;">${esc(model.title)}</h1>`,
    para(model.salutation),
    para(model.email.intro),
    ...model.blocks.map(blockHtml),
    para(model.closing),
    para(model.signature),
  ].join('\n');
  const viewOnline = safeHref(links.viewOnline);
  const online = viewOnline
    ? `\n<tr><td style="${FONT}padding:0 24px 20px;font-size:15px;"><a href="${esc(viewOnline)}" style="color:#1f4e8c;font-weight:bold;">${esc(viewOnlineLabel(model.language))}</a></td></tr>`
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

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return block.level === 1
        ? `<h2 style="${FONT}font-size:17px;margin:22px 0 8px;color:#1a1a1a;">${esc(block.text)}</h2>`
        : `<h3 style="${FONT}font-size:15px;margin:18px 0 6px;color:#1a1a1a;">${esc(block.text)}</h3>`;
    case 'paragraph':
      return para(block.text);
    case 'keyValue':
      return table(
        block.items.map(
          (i) =>
            `<tr><td style="${FONT}padding:4px 12px 4px 0;color:${MUTED};vertical-align:top;">${esc(i.label)}</td>` +
            `<td style="${FONT}padding:4px 0;font-weight:bold;vertical-align:top;">${lines(i.value)}</td></tr>`,
        ),
      );
    case 'table': {
      const cell = (align: string, extra: string) => `${FONT}padding:6px 8px;text-align:${align};vertical-align:top;${extra}`;
      const head = block.columns.map((c) => `<th style="${cell(c.align, `background:#e9edf2;border-bottom:2px solid ${MUTED};font-size:13px;`)}">${esc(c.header)}</th>`).join('');
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
          return `<tr><td style="${FONT}padding:4px 12px;text-align:right;${weight}">${esc(i.label)}</td><td style="${FONT}padding:4px 0;text-align:right;white-space:nowrap;${weight}">${esc(i.value)}</td></tr>`;
        }),
        'margin-left:auto;border-collapse:collapse;',
      );
  }
}

function table(rows: readonly string[], style = ''): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="width:100%;${style}margin:8px 0 16px;">\n${rows.join('\n')}\n</table>`;
}

function para(value: string): string {
  return value ? `<p style="${FONT}margin:0 0 14px;">${lines(value)}</p>` : '';
}

/** Escaped, with the text's own line breaks kept. */
function lines(value: string): string {
  return esc(value).replace(/\r?\n/g, '<br>');
}

function esc(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(model: DocumentModel, links: EmailLinks): string {
  const labels = letterLabels(model.language);
  const parts = [model.title, '='.repeat(Math.min(model.title.length, 72)), '', model.salutation, '', model.email.intro, ''];
  for (const block of model.blocks) parts.push(...blockText(block), '');
  parts.push(model.closing, '', model.signature, '');
  const viewOnline = safeHref(links.viewOnline);
  if (viewOnline) parts.push(`${viewOnlineLabel(model.language)}: ${viewOnline}`, '');
  parts.push('--', `${labels.reference}: ${model.reference}`, model.sender.name, ...model.sender.addressLines);
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
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
