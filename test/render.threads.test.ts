import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentModel } from '../src/render/document';
import { inlineLetterRenderer, LetterThreadPool } from '../src/render/pdf.renderers';
import { TemplateCatalog } from '../src/render/template.catalog';
import { claire, context, invoiceData, invoiceLines, jonas, oliver, TEMPLATES_DIR } from './render.fixtures';

/** The threads run the compiled build, as the gateway does (`npm test` builds first). */
const THREAD_FILE = join(__dirname, '..', 'dist', 'src', 'render', 'pdf.thread.js');

describe('letter rendering on worker threads (RENDER_THREADS)', () => {
  const catalog = TemplateCatalog.load(TEMPLATES_DIR);
  const models: DocumentModel[] = [claire, jonas, oliver].flatMap((customer) =>
    [1, 12, 60].map((lines) => catalog.compose('invoice-available', context({ customer, data: { ...invoiceData, lines: invoiceLines(lines) } }))),
  );
  let pool: LetterThreadPool | null = null;

  beforeAll(() => {
    if (!existsSync(THREAD_FILE)) throw new Error(`expected a build in dist/ (run \`npm run build\`; \`npm test\` does), got no ${THREAD_FILE}`);
  });
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it.each([false, true])('gives the bytes the event loop gives, for many letters at once (pdfa %s)', async (pdfa) => {
    pool = new LetterThreadPool({ pdfa, threads: 2, threadFile: THREAD_FILE });
    const inline = inlineLetterRenderer({ pdfa });
    const [threaded, expected] = await Promise.all([Promise.all(models.map((m) => pool!.render(m))), Promise.all(models.map((m) => inline.render(m)))]);
    for (const [i, result] of threaded.entries()) {
      expect(Buffer.isBuffer(result.pdf)).toBe(true);
      expect(result.pages).toBe(expected[i].pages);
      expect(result.pdf.equals(expected[i].pdf)).toBe(true);
    }
    expect(new Set(threaded.map((r) => r.pages)).size).toBeGreaterThan(1);
  });

  it('fails one render with its reason and goes on with the next', async () => {
    pool = new LetterThreadPool({ pdfa: false, threads: 1, threadFile: THREAD_FILE });
    const broken = { ...models[0], blocks: [{ kind: 'table', columns: null, rows: [] }] } as unknown as DocumentModel;
    await expect(pool.render(broken)).rejects.toThrow(/./);
    await expect(pool.render(models[0])).resolves.toMatchObject({ pages: expect.any(Number) });
  });

  it('refuses renders once closed, and a missing thread file at the start', async () => {
    pool = new LetterThreadPool({ pdfa: false, threads: 1, threadFile: THREAD_FILE });
    await pool.close();
    await expect(pool.render(models[0])).rejects.toThrow('expected an open pool, got a closed one');
    expect(() => new LetterThreadPool({ pdfa: false, threads: 1, threadFile: join(__dirname, 'no-such-thread.js') })).toThrow(
      /RENDER_THREADS: expected the compiled render thread .*no-such-thread\.js \(run `npm run build`\), got no such file/,
    );
  });
});
