import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Module → the project modules it imports, by path relative to the project root (`src/jobs/dispatcher.ts`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The import graph of the project's TypeScript files under `folder`, as the
 * compiler resolves it (tsconfig.json's module resolution, so `./x` finds
 * `x.ts` or `x/index.ts` exactly as `tsc` would). Every import counts:
 * `import type`, `export … from`, `require()` and `import()` alike — a
 * type-only import still ties one module's meaning to the other's, and the
 * cycle this check was written for (`resolvers/context.ts` ↔
 * `services/communication.service.ts`) was type-only. Only edges between
 * files inside `folder` are kept; packages and files elsewhere are left out.
 */
export function importGraph(projectRoot: string, folder: string): ImportGraph {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(projectRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  if (!parsed) throw new Error('tsconfig.json: could not be read');
  const inside = join(projectRoot, folder) + sep;
  const cache = ts.createModuleResolutionCache(projectRoot, (name) => name, parsed.options);
  const graph = new Map<string, string[]>();
  for (const file of parsed.fileNames.filter((f) => f.startsWith(inside) && !f.endsWith('.d.ts'))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const imported of importedFiles) {
      const resolved = ts.resolveModuleName(imported.fileName, file, parsed.options, ts.sys, cache).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport && resolved.resolvedFileName.startsWith(inside)) targets.add(relative(projectRoot, resolved.resolvedFileName).split(sep).join('/'));
    }
    graph.set(relative(projectRoot, file).split(sep).join('/'), [...targets].sort());
  }
  return graph;
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each
 * shown as a concrete path `a → b → … → a` through that component. A module
 * importing itself is a cycle too.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => cycleThrough(graph, new Set(component)));
}

/** A shortest path from the component's first module (alphabetically) back to itself, within the component. */
function cycleThrough(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!component.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
