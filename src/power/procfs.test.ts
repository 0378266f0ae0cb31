import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clockTicksPerSecond,
  parseProcStat,
  readHostCpu,
  readProcStat,
  readTreeCpuSeconds,
} from './procfs.js';

/** A /proc/<pid>/stat line as Linux 6.x writes it (52 fields); times in clock ticks. */
function statLine(pid: number, comm: string, ppid: number, [utime, stime, cutime, cstime]: number[]): string {
  return (
    `${pid} (${comm}) S ${ppid} ${pid} ${ppid} 0 -1 4194560 18234 120 0 0 ` +
    `${utime} ${stime} ${cutime} ${cstime} 20 0 4 0 8123456 1234567168 23456 18446744073709551615 ` +
    '94371434319872 94371434512345 140729451119456 0 0 0 0 4096 134233856 0 0 0 17 3 0 0 0 0 0 ' +
    '94371434532000 94371434533000 94371460419584 140729451122000 140729451122100 140729451122100 140729451122176 0\n'
  );
}

let proc: string;
const ticks = clockTicksPerSecond();

beforeAll(() => {
  proc = mkdtempSync(join(tmpdir(), 'ffrtmp-proc-'));
  const tree: [number, string, number, number[]][] = [
    [1, 'systemd', 0, [500, 300, 9000, 4000]],
    [100, 'node', 1, [40, 10, 0, 0]], // the agent
    [200, 'sh', 100, [10, 5, 3, 2]], // job root: 20 ticks, of which 5 from children it reaped
    [201, 'ffmpeg (x)', 200, [150, 30, 0, 0]], // 180 ticks
    [202, 'a) b (c', 201, [7, 3, 0, 0]], // 10 ticks; a comm with ')' and spaces
    [300, 'other job', 100, [999, 1, 0, 0]], // 1000 ticks, a sibling tree
  ];
  for (const [pid, comm, ppid, times] of tree) {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), statLine(pid, comm, ppid, times));
  }
  mkdirSync(join(proc, '203')); // exited between readdir and read: no stat
  mkdirSync(join(proc, 'sys'));
  writeFileSync(
    join(proc, 'stat'),
    'cpu  100 20 30 400 50 6 7 8 9 10\ncpu0 50 10 15 200 25 3 3 4 4 5\nintr 123\nctxt 456\n',
  );
});
afterAll(() => rmSync(proc, { recursive: true, force: true }));

describe('parseProcStat', () => {
  it('splits after the last ")" so a command name with spaces and parentheses cannot shift fields', () => {
    expect(parseProcStat(statLine(202, 'a) b (c', 201, [7, 3, 1, 2]), 100)).toEqual({
      pid: 202,
      ppid: 201,
      cpuSeconds: 0.1,
      childrenCpuSeconds: 0.03,
    });
    expect(parseProcStat('garbage', 100)).toBeUndefined();
  });
});

describe('readTreeCpuSeconds', () => {
  it('sums utime+stime+cutime+cstime of the root and every live descendant', () => {
    // 20 (sh) + 180 (ffmpeg (x)) + 10 (a) b (c) = 210 ticks
    expect(readTreeCpuSeconds([200], proc)).toBeCloseTo(210 / ticks, 9);
    expect(readTreeCpuSeconds([201], proc)).toBeCloseTo(190 / ticks, 9);
  });

  it('counts a process once when one root descends from another', () => {
    expect(readTreeCpuSeconds([200, 201, 202], proc)).toBeCloseTo(210 / ticks, 9);
    expect(readTreeCpuSeconds([200, 300], proc)).toBeCloseTo(1210 / ticks, 9);
  });

  it('gives 0 for exited roots and a missing /proc', () => {
    expect(readTreeCpuSeconds([999, 203], proc)).toBe(0);
    expect(readTreeCpuSeconds([], proc)).toBe(0);
    expect(readTreeCpuSeconds([200], join(proc, 'absent'))).toBe(0);
  });

  it('reads this process tree from the real /proc', () => {
    const self = readProcStat(process.pid); // first: CPU time only grows
    const tree = readTreeCpuSeconds([process.pid]);
    expect(tree).toBeGreaterThan(0);
    expect(tree).toBeGreaterThanOrEqual(self?.cpuSeconds ?? Number.POSITIVE_INFINITY);
  });
});

describe('readHostCpu', () => {
  it('reads busy and total seconds from the first line of /proc/stat', () => {
    // busy = user 100 + nice 20 + system 30 + irq 6 + softirq 7 + steal 8 = 171; + idle 400 + iowait 50 = 621
    const host = readHostCpu(proc, 100);
    expect(host?.busy).toBeCloseTo(1.71, 9);
    expect(host?.total).toBeCloseTo(6.21, 9);
    expect(readHostCpu(join(proc, 'absent'))).toBeUndefined();
  });
});
