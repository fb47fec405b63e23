import { join } from 'node:path';
import { findCycles, importGraph, type ImportGraph } from './support/import.graph';

const ROOT = join(__dirname, '..');

/** The GraphQL and HTTP edge. Only the edge itself and the composition root may import it. */
const EDGE = /^src\/(resolvers|http)\//;
const MAY_IMPORT_EDGE = /^src\/(resolvers|http|schema|runtime)\//;

describe('imports in src/', () => {
  let graph: ImportGraph;
  beforeAll(() => {
    graph = importGraph(ROOT, 'src');
  });

  it('reads the whole of src/ as the compiler resolves it', () => {
    // A resolution that quietly found nothing would pass every check below.
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/runtime/gateway.ts')).toEqual(expect.arrayContaining(['src/jobs/dispatcher.ts', 'src/services/communication.service.ts']));
    expect(graph.get('src/services/gateway.services.ts')).toContain('src/services/communication.service.ts'); // an `import type`
  });

  it('has no import cycle (type-only imports count)', () => {
    const cycles = findCycles(graph).map((cycle) => cycle.join(' → '));
    expect(cycles).toEqual([]);
  });

  it('imports src/resolvers/ and src/http/ only from resolvers/, http/, schema/ and runtime/ (the composition root)', () => {
    const upward = [...graph].flatMap(([from, targets]) => (MAY_IMPORT_EDGE.test(from) ? [] : targets.filter((t) => EDGE.test(t)).map((t) => `${from} → ${t}`)));
    expect(upward).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a cycle of any length, a self-import, and nothing in a chain', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a'], ['e', 'e']]);
    expect(findCycles(new Map([['x', ['y']], ['y', []]]))).toEqual([]);
  });

  it('sees type-only and re-export imports in real files', () => {
    const dir = 'test/fixtures/import-cycle';
    const graph = importGraph(ROOT, dir);
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([`${dir}/left.ts → ${dir}/right.ts → ${dir}/left.ts`]);
  });
});
