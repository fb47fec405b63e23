import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentModel } from './document';
import { composeDocument } from './document.composer';
import { LocaleFormat } from './locale.format';
import type { RenderContext } from './render-context';
import { checkData } from './template.data';
import { TemplateFileError } from './template-file.reader';
import { builtInChannels } from '../channels/registry';
import { compileTemplate, type CompiledTemplate, type TemplateChannel, type TemplateDescriptor } from './template.schema';

export interface TemplateCatalogOptions {
  /** Zone for dates shown to customers (default "Europe/Paris"). */
  readonly timeZone?: string;
  /** The channels templates may list, and the texts each needs; default: the built-in channel modules. */
  readonly channels?: readonly TemplateChannel[];
}

/** A composition request that cannot succeed as sent (unknown template, missing contract, bad data). */
export class ComposeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeError';
  }
}

const KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * All communication templates, loaded and checked once at start: one JSON file
 * per template key (`<key>.json`). A broken file stops the start with a message
 * naming the file and the field, rather than failing a customer's letter later.
 */
export class TemplateCatalog {
  /** Intl formatters cost more to build than to use; one per language and country is plenty. */
  private readonly formats = new Map<string, LocaleFormat>();

  private constructor(
    private readonly templates: ReadonlyMap<string, CompiledTemplate>,
    private readonly options: TemplateCatalogOptions,
  ) {}

  static load(dir: string, options: TemplateCatalogOptions = {}): TemplateCatalog {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    } catch (error) {
      throw new Error(`templates: expected a readable folder at ${dir}, got ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (names.length === 0) throw new Error(`templates: expected at least one <key>.json in ${dir}, got none`);
    const templates = new Map<string, CompiledTemplate>();
    const channels = options.channels ?? builtInChannels();
    for (const name of names) {
      const file = join(dir, name);
      const key = name.slice(0, -'.json'.length);
      if (!KEY.test(key)) throw new TemplateFileError(file, 'key', `expected a file name of lower-case words joined by "-", got ${JSON.stringify(key)}`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new TemplateFileError(file, '(file)', `expected valid JSON, got ${(error as Error).message}`);
      }
      templates.set(key, compileTemplate(json, file, key, channels));
    }
    return new TemplateCatalog(templates, options);
  }

  list(): TemplateDescriptor[] {
    return [...this.templates.values()].map((t) => t.descriptor);
  }

  get(key: string): TemplateDescriptor | undefined {
    return this.templates.get(key)?.descriptor;
  }

  /** For the API, before anything is recorded: a message for BAD_USER_INPUT, or null when the data will do. */
  validateData(key: string, data: unknown): string | null {
    const template = this.templates.get(key);
    if (!template) return `templateKey: expected one of ${[...this.templates.keys()].join(', ')}, got ${JSON.stringify(key)}`;
    const check = checkData(template.descriptor.fields, data);
    return check.ok ? null : check.error;
  }

  /** The format-neutral document for this customer, in their language (English when the template lacks it). */
  compose(key: string, ctx: RenderContext): DocumentModel {
    const template = this.templates.get(key);
    if (!template) throw new ComposeError(`templateKey: expected one of ${[...this.templates.keys()].join(', ')}, got ${JSON.stringify(key)}`);
    if (template.descriptor.requiresContract && !ctx.contract) {
      throw new ComposeError(`template ${key}: expected a contract, got none`);
    }
    const check = checkData(template.descriptor.fields, ctx.data);
    if (!check.ok) throw new ComposeError(`template ${key}: ${check.error}`);
    return composeDocument(template, ctx, check.value, (language, country) => this.formatFor(language, country));
  }

  private formatFor(language: string, country: string | null): LocaleFormat {
    const id = `${language}|${country ?? ''}`;
    let format = this.formats.get(id);
    if (!format) {
      format = new LocaleFormat(language, country, this.options.timeZone);
      this.formats.set(id, format);
    }
    return format;
  }
}
