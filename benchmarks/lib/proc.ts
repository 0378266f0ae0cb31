import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, almost always 100). */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // getconf missing: fall through to the Linux default.
  }
  return 100;
}

/** utime + stime of `pid` in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N sits at index N - 3.
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set size of `pid` in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Samples RSS every `intervalMs` and keeps the peak until stopped. */
export function rssSampler(pid: number, intervalMs = 100) {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // The process is gone; the last peak stands.
    }
  }, intervalMs);
  return {
    /** Stops sampling; returns the peak including one last reading. */
    stop(): number {
      clearInterval(timer);
      try {
        peak = Math.max(peak, rssBytes(pid));
      } catch {
        // gone
      }
      return peak;
    },
  };
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** cutime + cstime of `pid` in clock ticks: CPU of its children it has already reaped (fields 16, 17). */
export function reapedChildrenCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

/** VmRSS and VmHWM (the kernel's lifetime peak RSS) of `pid` in bytes. */
export function memStatus(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The `key: N kB` lines of /proc/<pid>/smaps_rollup, in bytes (Rss, Pss, Anonymous, Shared_Clean …). */
export function smapsRollup(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^(\w+):\s+(\d+)\s+kB$/gm)) {
    out[m[1] as string] = Number(m[2]) * 1024;
  }
  return out;
}

/**
 * Resident bytes of `pid` per mapping from /proc/<pid>/smaps, heaviest first: anonymous memory
 * (`[anon]`: the V8 heap, malloc arenas, JIT code), `[heap]` (brk), `[stack]`, and file-backed
 * mappings by file name (the node binary, shared libraries, native addons).
 */
export function rssByMapping(pid: number): { mapping: string; bytes: number }[] {
  const groups = new Map<string, number>();
  let current = '[anon]';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]?.trim() ?? '';
      current = !path ? '[anon]' : path.startsWith('[') ? path : basename(path);
      continue;
    }
    const rss = /^Rss:\s+(\d+)\s+kB$/.exec(line);
    if (rss) groups.set(current, (groups.get(current) ?? 0) + Number(rss[1]) * 1024);
  }
  return [...groups]
    .map(([mapping, bytes]) => ({ mapping, bytes }))
    .filter((g) => g.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** The 1, 5 and 15 minute load averages (/proc/loadavg). */
export function loadAvg(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a ?? Number.NaN, b ?? Number.NaN, c ?? Number.NaN];
}
