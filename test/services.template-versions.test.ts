import type { TemplateCatalog } from '../src/render/template.catalog';
import { TemplateVersions } from '../src/services/template.versions';
import type { TemplateVersionRepository } from '../src/store/template-version.repository';

/** A store whose reads are counted and answered when the test says so. */
function heldStore(): { store: TemplateVersionRepository; reads: number; answer(): void } {
  const waiting: (() => void)[] = [];
  const state = {
    reads: 0,
    answer: () => waiting.splice(0).forEach((resolve) => resolve()),
    store: {
      listVersions: () => {
        state.reads += 1;
        return new Promise<{ templateKey: string; version: number }[]>((resolve) => waiting.push(() => resolve([])));
      },
    } as unknown as TemplateVersionRepository,
  };
  return state;
}

describe('TemplateVersions.sync', () => {
  const catalog = { has: () => true } as unknown as TemplateCatalog;

  it('gives every caller a read that started after its call, and lets the callers of one moment share it', async () => {
    const held = heldStore();
    const versions = new TemplateVersions(catalog, held.store);
    const first = versions.sync();
    expect(held.reads).toBe(1);
    // Ten more while the first read is in flight: they may not take its answer (it may predate a publish), and share the next read.
    const more = Array.from({ length: 10 }, () => versions.sync());
    expect(held.reads).toBe(1);
    held.answer();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(held.reads).toBe(2);
    held.answer();
    await Promise.all(more);
    // Nothing in flight: a new caller reads at once.
    const last = versions.sync();
    expect(held.reads).toBe(3);
    held.answer();
    await last;
  });
});
