import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Reads process CPU time and memory from /proc. The root is a parameter so tests can point it
 * at a fake tree. Times are in seconds; CLK_TCK is read once (100 on every Linux we know, but asked).
 */

let clockTicks: number | undefined;
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself (all its threads), seconds. */
  cpuSeconds: number;
  /** cutime + cstime: CPU of its children that it has waited for, seconds. */
  childrenCpuSeconds: number;
}

/** Parses /proc/<pid>/stat. The command name may contain spaces and parentheses: split after the last ')'. */
export function parseProcStat(text: string, ticks = clockTicksPerSecond()): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14 → index 11.
  const num = (i: number) => Number(fields[i]);
  const [ppid, utime, stime, cutime, cstime] = [num(1), num(11), num(12), num(13), num(14)];
  if (![pid, ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuSeconds: (utime + stime) / ticks, childrenCpuSeconds: (cutime + cstime) / ticks };
}

export function readProcStat(pid: number | 'self', procRoot = '/proc'): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // the process is gone
  }
}

/** Peak resident set size (VmHWM) in bytes, or undefined when the process is gone. */
export function readPeakRssBytes(pid: number, procRoot = '/proc'): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process tree: utime + stime + cutime + cstime of each root and of every live
 * descendant (found by walking /proc/<pid>/stat parent links). A live process's own time is in
 * no one's cutime yet, and a reaped one's is in exactly one parent's, so nothing counts twice.
 * A root that has exited contributes 0; a descendant orphaned by the exit of its parent is
 * re-parented outside the tree and no longer counted.
 */
export function readTreeCpuSeconds(rootPids: readonly number[], procRoot = '/proc'): number {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return 0;
  }
  const childrenOf = new Map<number, ProcStat[]>();
  const byPid = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry), procRoot);
    if (!stat) continue; // exited between readdir and read
    byPid.set(stat.pid, stat);
    const siblings = childrenOf.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else childrenOf.set(stat.ppid, [stat]);
  }
  let seconds = 0;
  const seen = new Set<number>();
  const queue = rootPids.map((pid) => byPid.get(pid)).filter((s) => s !== undefined);
  for (let stat = queue.pop(); stat !== undefined; stat = queue.pop()) {
    if (seen.has(stat.pid)) continue; // a root that is also a descendant of another root
    seen.add(stat.pid);
    seconds += stat.cpuSeconds + stat.childrenCpuSeconds;
    queue.push(...(childrenOf.get(stat.pid) ?? []));
  }
  return seconds;
}

/** Host CPU time from the first line of /proc/stat: busy and total seconds since boot (all CPUs). */
export function readHostCpu(
  procRoot = '/proc',
  ticks = clockTicksPerSecond(),
): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync(`${procRoot}/stat`, 'utf8').split('\n', 1)[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return undefined;
    // user nice system idle iowait irq softirq steal (guest is already inside user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / ticks, total: (busy + idle + iowait) / ticks };
  } catch {
    return undefined;
  }
}
