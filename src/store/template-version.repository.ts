import type { DataSource } from 'typeorm';
import { DatabaseGate, isUniqueViolation } from './database.gate';
import { directQuery } from './direct.query';
import { TemplateVersionEntity } from './template-version.entity';

export interface StoredTemplateVersion {
  readonly templateKey: string;
  readonly version: number;
  readonly definition: unknown;
}

/** Published template versions, shared by every process through the database. */
export class TemplateVersionRepository {
  private readonly gate: DatabaseGate;

  constructor(dataSource: DataSource) {
    this.gate = new DatabaseGate(dataSource);
  }

  /** Every (key, version) published, without the definitions: what a process compares with what it has compiled. */
  async listVersions(): Promise<{ templateKey: string; version: number }[]> {
    // Before every send (TemplateVersions.sync): one fixed statement, no query building.
    const rows = (await this.gate.read((manager) => directQuery(manager, 'SELECT "templateKey", "version" FROM "template_version"', []))).rows as { templateKey: string; version: string | number }[];
    return rows.map((r) => ({ templateKey: r.templateKey, version: Number(r.version) }));
  }

  async get(templateKey: string, version: number): Promise<StoredTemplateVersion | null> {
    const row = await this.gate.read((manager) => manager.findOneBy(TemplateVersionEntity, { templateKey, version }));
    return row ? { templateKey: row.templateKey, version: Number(row.version), definition: JSON.parse(row.definition) as unknown } : null;
  }

  /** false when that version exists already (another publish won the number). */
  async insert(templateKey: string, version: number, definition: unknown, publishedBy: string, publishedAt: Date): Promise<boolean> {
    const row = Object.assign(new TemplateVersionEntity(), { templateKey, version, definition: JSON.stringify(definition), publishedBy, publishedAt });
    try {
      await this.gate.write((manager) => manager.insert(TemplateVersionEntity, row));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
