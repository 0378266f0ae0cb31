import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface SelfTimeEntry {
  name: string;
  location: string;
  hits: number;
  /** Share of the busy (non-idle) samples, 0–100. */
  percent: number;
}

export interface AreaEntry {
  area: string;
  hits: number;
  percent: number;
}

/** The `.cpuprofile` files `node --cpu-prof --cpu-prof-dir <dir>` wrote. */
export function profileFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Self time per function (functionName + url:line), heaviest first. `(idle)` samples are left out
 * of the ranking and of the percentages, which are shares of the busy samples.
 */
export function topSelfTime(
  file: string,
  limit = 15,
): { total: number; idle: number; top: SelfTimeEntry[]; byArea: AreaEntry[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: CpuProfileNode[] };
  const hits = new Map<string, { name: string; location: string; area: string; hits: number }>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const n = node.hitCount ?? 0;
    if (n === 0) continue;
    total += n;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += n;
      continue;
    }
    const name = functionName || '(anonymous)';
    // lineNumber is 0-based in the profile; print it 1-based like editors do.
    const location = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${location}`;
    const entry = hits.get(key) ?? { name, location, area: area(name, url), hits: 0 };
    entry.hits += n;
    hits.set(key, entry);
  }
  const busy = total - idle;
  const pct = (n: number) => (busy > 0 ? (100 * n) / busy : 0);
  const all = [...hits.values()].sort((a, b) => b.hits - a.hits);
  const areas = new Map<string, number>();
  for (const e of all) areas.set(e.area, (areas.get(e.area) ?? 0) + e.hits);
  return {
    total,
    idle,
    top: all
      .slice(0, limit)
      .map((e) => ({ name: e.name, location: e.location, hits: e.hits, percent: pct(e.hits) })),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => ({ area: name, hits: n, percent: pct(n) })),
  };
}

/**
 * A coarse owner for a frame: the npm package, the project directory under dist/, `node:<module>`,
 * or the native/VM entry itself (`writev`, `(garbage collector)` …). better-sqlite3 statement
 * execution is native and is charged to the JS frame that calls it (the store, or its transaction
 * wrapper for BEGIN/COMMIT).
 */
function area(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : `native ${name}`;
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [scopeOrName, sub] = path.slice(nm + '/node_modules/'.length).split('/');
    return scopeOrName?.startsWith('@') ? `${scopeOrName}/${sub}` : (scopeOrName ?? path);
  }
  const dist = path.lastIndexOf('/dist/');
  if (dist >= 0)
    return path
      .slice(dist + 1)
      .split('/')
      .slice(0, 2)
      .join('/');
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  return path;
}

/** `file:///…/node_modules/fastify/lib/route.js` → `fastify/lib/route.js`; project files relative. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const dist = path.lastIndexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path;
}
