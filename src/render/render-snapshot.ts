import type { RenderContext } from './render-context';

/**
 * What a document was composed from: the template version and the whole
 * render context (back-office records as they were read, request data, agent
 * text, reference, date, sender). Kept with the archived document so a
 * reprint composes the same model, hence the same text and, the PDF renderer
 * being deterministic for a model, the same bytes.
 */
export interface RenderSnapshot {
  readonly templateKey: string;
  readonly templateVersion: number;
  readonly ctx: RenderContext;
}

const FORMAT = 1;

/** JSON with dates tagged (`{"$date": ISO}`), so they come back as Dates. */
export function encodeSnapshot(snapshot: RenderSnapshot): string {
  return JSON.stringify({ format: FORMAT, ...snapshot }, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : value;
  });
}

export function decodeSnapshot(text: string): RenderSnapshot {
  const parsed = JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tagged = (value as { $date?: unknown }).$date;
      if (keys.length === 1 && typeof tagged === 'string') return new Date(tagged);
    }
    return value;
  }) as { format?: number } & RenderSnapshot;
  if (parsed.format !== FORMAT) throw new Error(`render snapshot: expected format ${FORMAT}, got ${String(parsed.format)}`);
  return { templateKey: parsed.templateKey, templateVersion: parsed.templateVersion, ctx: parsed.ctx };
}
