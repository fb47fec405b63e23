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
  /** Every compiled version by key; version 1 is the file. Versions are immutable, so this only grows. */
  private readonly versions = new Map<string, Map<number, CompiledTemplate>>();

  private constructor(
    /** The active (highest known) version of each key. */
    private readonly templates: Map<string, CompiledTemplate>,
    private readonly options: TemplateCatalogOptions,
  ) {
    for (const [key, template] of templates) this.versions.set(key, new Map([[1, template]]));
  }

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

  /** The active version's descriptor, or the given version's (undefined when this process has not compiled it). */
  get(key: string, version?: number): TemplateDescriptor | undefined {
    return this.compiled(key, version)?.descriptor;
  }

  /** Whether this process has compiled that version. */
  has(key: string, version: number): boolean {
    return this.versions.get(key)?.has(version) ?? false;
  }

  /** The highest version compiled here of each key. */
  activeVersions(): Map<string, number> {
    return new Map([...this.templates].map(([key, t]) => [key, t.descriptor.version]));
  }

  /**
   * Checks a definition as a new version of an existing key would be checked
   * (the same rules as the files): the compiled template, or a
   * TemplateFileError naming the field.
   */
  compileVersion(json: unknown, key: string, version: number): CompiledTemplate {
    if (!this.templates.has(key)) throw new TemplateFileError('definition', 'key', `expected one of ${[...this.templates.keys()].join(', ')}, got ${JSON.stringify(key)}`);
    return compileTemplate(json, 'definition', key, this.options.channels ?? builtInChannels(), version);
  }

  /** A published version (from the database); the highest one known becomes the active one. */
  addVersion(template: CompiledTemplate): void {
    const { key, version } = template.descriptor;
    const known = this.versions.get(key);
    if (!known) throw new Error(`template ${key}: expected a key with a file in templates/, got none`);
    known.set(version, template);
    if (version > this.templates.get(key)!.descriptor.version) this.templates.set(key, template);
  }

  /** For the API, before anything is recorded: a message for BAD_USER_INPUT, or null when the data will do. */
  validateData(key: string, data: unknown, version?: number): string | null {
    const template = this.compiled(key, version);
    if (!template) return `templateKey: expected one of ${[...this.templates.keys()].join(', ')}, got ${JSON.stringify(key)}`;
    const check = checkData(template.descriptor.fields, data);
    return check.ok ? null : check.error;
  }

  /** The format-neutral document for this customer, in their language (English when the template lacks it). */
  compose(key: string, ctx: RenderContext, version?: number): DocumentModel {
    const template = this.compiled(key, version);
    if (!template) {
      if (this.templates.has(key)) throw new ComposeError(`template ${key}: expected a published version, got ${version} (not found)`);
      throw new ComposeError(`templateKey: expected one of ${[...this.templates.keys()].join(', ')}, got ${JSON.stringify(key)}`);
    }
    if (template.descriptor.requiresContract && !ctx.contract) {
      throw new ComposeError(`template ${key}: expected a contract, got none`);
    }
    const check = checkData(template.descriptor.fields, ctx.data);
    if (!check.ok) throw new ComposeError(`template ${key}: ${check.error}`);
    return composeDocument(template, ctx, check.value, (language, country) => this.formatFor(language, country));
  }

  private compiled(key: string, version?: number): CompiledTemplate | undefined {
    return version === undefined ? this.templates.get(key) : this.versions.get(key)?.get(version);
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
