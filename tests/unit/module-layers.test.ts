import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Feature folders of server/src depend only on lower layers: no chain of imports may lead from a
// folder back to itself. A file-level no-cycle rule misses a cycle that passes through different
// files of the same folders, so this builds the folder graph from the import lines themselves.
// Root files: config.ts is a layer of its own below everything; app.ts, main.ts and bootstrap.ts
// are the top that wires the folders together.

const root = path.resolve(import.meta.dirname, '../../server/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** A file's layer: its folder under server/src, or for a root file, 'config' or 'app'. */
function layerOf(file: string): string {
  const relative = path.relative(root, file);
  const [first] = relative.split(path.sep);
  if (relative.includes(path.sep)) return first!;
  return first!.startsWith('config.') ? 'config' : 'app';
}

function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(root)) {
    const from = layerOf(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const to = layerOf(path.resolve(path.dirname(file), match[1]!));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${path.relative(root, file)} -> ${match[1]}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every folder cycle, each once (from its smallest folder), as the chain of folders with one import line per step. */
function cycles(graph: Map<string, Map<string, string[]>>): string[] {
  const found = new Set<string>();
  const visit = (start: string, at: string, trail: string[]) => {
    for (const [next, lines] of graph.get(at) ?? []) {
      const step = [...trail, `${at} -> ${next} (${lines[0]})`];
      if (next === start) {
        found.add(step.join('\n  '));
      } else if (next > start && !trail.some((s) => s.startsWith(`${next} `))) {
        visit(start, next, step);
      }
    }
  };
  for (const folder of [...graph.keys()].sort()) visit(folder, folder, []);
  return [...found];
}

describe('module layers', () => {
  it('finds an import line in every folder, so the graph is real', () => {
    const graph = folderGraph();
    expect(graph.get('hazards')?.has('db')).toBe(true);
    expect(graph.get('app')?.size).toBeGreaterThan(10);
  });

  it('has no import cycle between the folders of server/src', () => {
    expect(cycles(folderGraph()), 'folder cycles').toEqual([]);
  });
});
