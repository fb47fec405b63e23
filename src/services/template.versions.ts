import { AppError, badInput, ErrorCode } from '../errors';
import type { TemplateCatalog } from '../render/template.catalog';
import { TemplateFileError } from '../render/template-file.reader';
import type { TemplateDescriptor } from '../render/template.schema';
import type { TemplateVersionRepository } from '../store/template-version.repository';

export interface TemplateVersionsLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Template versions across processes: published versions live in the
 * database; each process compiles the ones it lacks into its catalog before
 * it relies on them. `sync()` (one small query) before a send or a listing
 * makes a publish valid everywhere at once; `ensure()` before a render
 * compiles the one version a communication names, only when missing.
 */
export class TemplateVersions {
  constructor(
    private readonly catalog: TemplateCatalog,
    private readonly store: TemplateVersionRepository,
    private readonly logger?: TemplateVersionsLogger,
  ) {}

  /** The read in flight, and the one that follows it, which every caller that arrived meanwhile shares. */
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /**
   * Brings in every version published since (by any process). Every caller
   * gets a read that started after its call, so a version published before a
   * send is always seen; callers that arrive while a read is in flight share
   * the one read after it, so sends at a high rate read the table about once
   * per read's duration, not once each.
   */
  sync(): Promise<void> {
    if (!this.current) {
      this.current = this.read().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.next ??= this.current.catch(() => undefined).then(() => {
      this.next = null;
      return this.sync();
    });
    return this.next;
  }

  private async read(): Promise<void> {
    const published = await this.store.listVersions();
    const missing = published.filter((v) => !this.catalog.has(v.templateKey, v.version)).sort((a, b) => a.version - b.version);
    for (const v of missing) await this.load(v.templateKey, v.version);
  }

  async ensure(templateKey: string, version: number): Promise<void> {
    if (!this.catalog.has(templateKey, version)) await this.load(templateKey, version);
  }

  /**
   * A new active version of an existing template: checked like a template
   * file (BAD_USER_INPUT naming the field), numbered one above the highest
   * published, written once (two publishes racing for a number: the second
   * answers CONFLICT and writes nothing).
   */
  async publish(definition: unknown, publishedBy: string, now: Date): Promise<TemplateDescriptor> {
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
      throw badInput(`definition: expected a JSON object (a template as in templates/), got ${Array.isArray(definition) ? 'an array' : typeof definition}`, 'definition');
    }
    const key = (definition as Record<string, unknown>).key;
    if (typeof key !== 'string') throw badInput('definition: key: expected the key of an existing template, got none', 'definition');
    await this.sync();
    const version = (this.catalog.activeVersions().get(key) ?? 0) + 1;
    let compiled;
    try {
      compiled = this.catalog.compileVersion(definition, key, version);
    } catch (error) {
      if (error instanceof TemplateFileError) throw badInput(error.message, 'definition');
      throw error;
    }
    if (!(await this.store.insert(key, version, definition, publishedBy, now))) {
      throw new AppError(ErrorCode.CONFLICT, `publishTemplate: version ${version} of ${key} was published meanwhile; check it and publish again`);
    }
    this.catalog.addVersion(compiled);
    return compiled.descriptor;
  }

  private async load(templateKey: string, version: number): Promise<void> {
    const stored = await this.store.get(templateKey, version);
    if (!stored) return;
    try {
      this.catalog.addVersion(this.catalog.compileVersion(stored.definition, templateKey, version));
    } catch (error) {
      // Checked when published; failing now means this process knows other channels. Its communications fail to compose, visibly.
      this.logger?.warn({ templateKey, version, err: (error as Error).message }, 'published template version does not compile here');
    }
  }
}
