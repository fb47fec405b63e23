import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json above `from`: the same answer from `src/` (tests) and `dist/src/` (built). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
