import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/data-source';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SQLite checkpoints on a thread of their own', () => {
  it('copies committed pages into the database file beside the event loop, and stops with the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-checkpoint-'));
    const file = join(dir, 'gateway.sqlite');
    const store = await openStore(`sqlite:${file}`);
    try {
      const before = statSync(file).size;
      // About 4 MiB in 200 commits: about 1,000 WAL pages, below the connection's own threshold (10,000 pages),
      // so only the thread's checkpoints bring them into the database file.
      await store.dataSource.query('CREATE TABLE "filler" ("id" INTEGER PRIMARY KEY, "body" TEXT)');
      const body = 'x'.repeat(20_000);
      for (let i = 0; i < 200; i += 1) await store.dataSource.query('INSERT INTO "filler" ("body") VALUES (?)', [body]);
      const deadline = Date.now() + 5_000;
      while (statSync(file).size < before + 4_000_000 && Date.now() < deadline) await sleep(50);
      expect(statSync(file).size).toBeGreaterThanOrEqual(before + 4_000_000);
      expect(await store.dataSource.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 10_000 }]);
    } finally {
      const started = Date.now();
      await store.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
