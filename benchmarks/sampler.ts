import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSampler } from '../src/power/sampler.js';
import { createFakePowercap } from '../test/fixtures/power/fake-powercap.js';
import { fmt as f } from './lib/stats.js';

/**
 * Sampler overhead and precision (DESIGN §6): the agent's one power sampler at 1 Hz and 10 Hz.
 *
 * For each of {no sampler, 1 Hz, 10 Hz} a child process (`node --import tsx` this file) loads the
 * sampler module, then for `--seconds` either idles with a 1 s interval timer (the comparison) or
 * runs the sampler loop: RAPL on a fake two-socket powercap tree plus the utilisation estimator
 * (real /proc/stat), no NVIDIA. Its own CPU time over that span (process.cpuUsage: user + system,
 * every thread) is its CPU % of one core; start-up (tsx, imports, discovery, then 3 s of settling)
 * is left out.
 *
 * Precision: this process advances the fake tree's counters at known rates with a 5 ms writer
 * (write a temp file, rename it over energy_uj: a reader never sees half a number), and
 * package-0's counter range is cut to 100 J so it wraps every ~2.9 s. In the middle of its run each
 * sampling child opens a window for 10 s; its energy is compared with the injected truth,
 * rate × the window's duration on a clock both processes share (performance.timeOrigin +
 * performance.now(), epoch ms with sub-ms resolution). The counters a reader sees lag the truth by
 * up to one writer period (5 ms plus timer lateness) at each end of the window, so that lag, not the
 * sampler, bounds what this can resolve: ~5 ms / 10 s = 0.05 %.
 */

export interface SamplerBenchOptions {
  seconds: number;
  /** Length of the precision window inside each sampling run (capped at `seconds`). */
  windowSec: number;
}

/** Injected power per zone, watts, and the ranges the fake tree gets. */
const INJECTED = [
  { id: 'intel-rapl:0', kind: 'package', watts: 35, startUj: 10_000_000, rangeUj: 100_000_000 },
  { id: 'intel-rapl:0:0', kind: 'dram', watts: 4, startUj: 200_000, rangeUj: 65_712_999_613 },
  { id: 'intel-rapl:1', kind: 'package', watts: 25, startUj: 3_000_000, rangeUj: 262_143_328_850 },
  { id: 'intel-rapl:1:0', kind: 'dram', watts: 3, startUj: 600_000, rangeUj: 65_712_999_613 },
] as const;
const WRITER_MS = 5;
const TDP_WATTS = 65;
/** Idle time after the child's imports and RAPL discovery, before its CPU is counted. */
const SETTLE_MS = 3000;

const SELF = fileURLToPath(import.meta.url);
const REPO = resolve(import.meta.dirname, '..');

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on one host. */
const preciseNow = () => performance.timeOrigin + performance.now();

interface ChildWindow {
  start: number;
  end: number;
  durationSec: number;
  packageJoules: number | null;
  dramJoules: number | null;
  packageGaps: string[];
  dramGaps: string[];
  source: string;
}

interface ChildReport {
  rateHz: number | null;
  wallSec: number;
  userCpuSec: number;
  systemCpuSec: number;
  readings: number;
  window: ChildWindow | null;
}

export interface SamplerRun {
  label: string;
  rateHz: number | null;
  wallSec: number;
  cpuSec: number;
  cpuPercentOfOneCore: number;
  /** CPU % above the idle child: what sampling itself costs. */
  overheadPercentOfOneCore: number | null;
  readings: number;
  /** (cpuSec − idle cpuSec) / readings, µs: the cost of one reading. */
  usPerReading: number | null;
  precision: {
    windowSec: number;
    packageJoules: number | null;
    packageInjectedJoules: number;
    packageRelError: number | null;
    dramJoules: number | null;
    dramInjectedJoules: number;
    dramRelError: number | null;
    source: string;
    gaps: string[];
  } | null;
}

export interface SamplerReport {
  node: string;
  seconds: number;
  windowSec: number;
  writerMs: number;
  injectedWatts: { package: number; dram: number };
  runs: SamplerRun[];
}

export async function runSamplerBench(options: SamplerBenchOptions): Promise<SamplerReport> {
  const dir = mkdtempSync(join(tmpdir(), 'ffrtmp-bench-sampler-'));
  try {
    const tree = createFakePowercap(dir, 'two-sockets');
    for (const z of INJECTED) {
      writeFileSync(join(tree.root, z.id, 'max_energy_range_uj'), `${z.rangeUj}\n`);
    }
    const stopWriter = injectPower(tree.root);
    const windowSec = Math.min(options.windowSec, options.seconds);
    const runs: ChildReport[] = [];
    try {
      for (const rateHz of [null, 1, 10] as const) {
        const label = rateHz === null ? 'no sampler' : `${rateHz} Hz`;
        process.stdout.write(`  running ${label} for ${options.seconds} s …\n`);
        runs.push(await runChild(tree.root, rateHz, options.seconds, windowSec));
      }
    } finally {
      stopWriter();
    }
    const idle = runs.find((r) => r.rateHz === null);
    const idleCpu = idle ? (idle.userCpuSec + idle.systemCpuSec) / idle.wallSec : null;
    const pkgWatts = INJECTED.filter((z) => z.kind === 'package').reduce((s, z) => s + z.watts, 0);
    const dramWatts = INJECTED.filter((z) => z.kind === 'dram').reduce((s, z) => s + z.watts, 0);
    return {
      node: process.version,
      seconds: options.seconds,
      windowSec,
      writerMs: WRITER_MS,
      injectedWatts: { package: pkgWatts, dram: dramWatts },
      runs: runs.map((r) => {
        const cpuSec = r.userCpuSec + r.systemCpuSec;
        const cpuFraction = cpuSec / r.wallSec;
        const overhead = r.rateHz === null || idleCpu === null ? null : cpuFraction - idleCpu;
        const w = r.window;
        const relError = (measured: number | null, truth: number) =>
          measured === null ? null : Math.abs(measured - truth) / truth;
        return {
          label: r.rateHz === null ? 'no sampler' : `${r.rateHz} Hz`,
          rateHz: r.rateHz,
          wallSec: r.wallSec,
          cpuSec,
          cpuPercentOfOneCore: 100 * cpuFraction,
          overheadPercentOfOneCore: overhead === null ? null : 100 * overhead,
          readings: r.readings,
          usPerReading:
            overhead === null || r.readings === 0 ? null : (1e6 * overhead * r.wallSec) / r.readings,
          precision: w
            ? {
                windowSec: w.durationSec,
                packageJoules: w.packageJoules,
                packageInjectedJoules: pkgWatts * w.durationSec,
                packageRelError: relError(w.packageJoules, pkgWatts * w.durationSec),
                dramJoules: w.dramJoules,
                dramInjectedJoules: dramWatts * w.durationSec,
                dramRelError: relError(w.dramJoules, dramWatts * w.durationSec),
                source: w.source,
                gaps: [...w.packageGaps, ...w.dramGaps],
              }
            : null,
        };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * energy_uj = start + watts × elapsed (µJ, wrapping at the zone's range), rewritten every 5 ms by
 * an atomic rename, with elapsed on the clock the children's samplers use.
 */
function injectPower(root: string): () => void {
  const t0 = preciseNow();
  const write = () => {
    const elapsedSec = (preciseNow() - t0) / 1000;
    for (const z of INJECTED) {
      const path = join(root, z.id, 'energy_uj');
      const uj = Math.round(z.startUj + z.watts * 1e6 * elapsedSec) % z.rangeUj;
      writeFileSync(`${path}.tmp`, `${uj}\n`);
      renameSync(`${path}.tmp`, path);
    }
  };
  write();
  const timer = setInterval(write, WRITER_MS);
  return () => clearInterval(timer);
}

function runChild(
  powercapRoot: string,
  rateHz: number | null,
  seconds: number,
  windowSec: number,
): Promise<ChildReport> {
  const args = [
    '--import',
    'tsx',
    SELF,
    '--child',
    '--powercap-root',
    powercapRoot,
    '--seconds',
    String(seconds),
    '--window',
    String(windowSec),
    ...(rateHz === null ? [] : ['--rate', String(rateHz)]),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`sampler bench child (${rateHz ?? 'idle'}) exited with ${code}:\n${out}${err}`));
        return;
      }
      resolvePromise(JSON.parse(last) as ChildReport);
    });
  });
}

/** The child: idle or sample for `seconds`, with a window in the middle; one JSON line on stdout. */
async function childMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      child: { type: 'boolean' },
      'powercap-root': { type: 'string' },
      seconds: { type: 'string' },
      window: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const windowSec = Number(values.window);
  const rateHz = values.rate === undefined ? null : Number(values.rate);
  const sampler =
    rateHz === null
      ? undefined
      : createSampler({
          intervalMs: Math.round(1000 / rateHz),
          powercapRoot: values['powercap-root'],
          nvidiaSmi: null,
          estimator: { kind: 'tdp', tdpWatts: TDP_WATTS },
          clock: preciseNow,
        });
  if (sampler && sampler.problems.length > 0) throw new Error(sampler.problems.join('\n'));
  const idleTimer = sampler ? undefined : setInterval(() => {}, 1000);
  await sleep(SETTLE_MS);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sampler?.start();
  let window: ChildWindow | null = null;
  if (sampler) {
    const before = (seconds - windowSec) / 2;
    await sleep(before * 1000);
    const w = sampler.openWindow();
    await sleep(windowSec * 1000);
    const m = w.close();
    window = {
      start: m.start,
      end: m.end,
      durationSec: m.durationSec,
      packageJoules: m.package.joules,
      dramJoules: m.dram?.joules ?? null,
      packageGaps: m.package.gaps,
      dramGaps: m.dram?.gaps ?? [],
      source: m.package.source,
    };
    await sleep(Math.max(0, seconds * 1000 - (performance.now() - t0)));
  } else {
    await sleep(seconds * 1000);
  }
  const wallSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const readings = sampler?.historySize().readings ?? 0;
  await sampler?.stop();
  clearInterval(idleTimer);
  const report: ChildReport = {
    rateHz,
    wallSec,
    userCpuSec: cpu.user / 1e6,
    systemCpuSec: cpu.system / 1e6,
    readings,
    window,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const pct = (x: number | null, digits = 3) => (x === null ? 'n/a' : `${f(100 * x, digits)} %`);

export function formatSampler(r: SamplerReport): string {
  const lines = [
    `sampler overhead over ${r.seconds} s per run (CPU % of one core, process.cpuUsage of the child)`,
    `  ${'run'.padEnd(12)}${'CPU s'.padStart(9)}${'CPU %'.padStart(9)}${'overhead %'.padStart(12)}${'readings'.padStart(10)}${'µs/reading'.padStart(12)}`,
  ];
  for (const run of r.runs) {
    lines.push(
      `  ${run.label.padEnd(12)}${f(run.cpuSec, 3).padStart(9)}${f(run.cpuPercentOfOneCore, 3).padStart(9)}${(run.overheadPercentOfOneCore === null ? '—' : f(run.overheadPercentOfOneCore, 3)).padStart(12)}${String(run.readings).padStart(10)}${(run.usPerReading === null ? '—' : f(run.usPerReading, 0)).padStart(12)}`,
    );
  }
  lines.push(
    '',
    `precision of a ${r.windowSec} s window against injected energy (package ${r.injectedWatts.package} W over two sockets, package-0 wrapping every ~2.9 s; dram ${r.injectedWatts.dram} W; writer every ${r.writerMs} ms)`,
    `  ${'run'.padEnd(12)}${'window s'.padStart(10)}${'package J'.padStart(12)}${'injected J'.padStart(12)}${'|err|'.padStart(10)}${'dram J'.padStart(10)}${'injected J'.padStart(12)}${'|err|'.padStart(10)}`,
  );
  for (const run of r.runs) {
    const p = run.precision;
    if (!p) continue;
    lines.push(
      `  ${run.label.padEnd(12)}${f(p.windowSec, 3).padStart(10)}${(p.packageJoules === null ? 'null' : f(p.packageJoules, 3)).padStart(12)}${f(p.packageInjectedJoules, 3).padStart(12)}${pct(p.packageRelError).padStart(10)}${(p.dramJoules === null ? 'null' : f(p.dramJoules, 3)).padStart(10)}${f(p.dramInjectedJoules, 3).padStart(12)}${pct(p.dramRelError).padStart(10)}`,
    );
    for (const gap of p.gaps.slice(0, 3)) lines.push(`    gap: ${gap}`);
  }
  lines.push(
    `  (resolution bound: the counters lag the truth by up to ${r.writerMs} ms plus timer lateness at each end, ~${f((100 * r.writerMs) / 1000 / r.windowSec, 2)} % of the window)`,
    '',
    `reproduce: npm run bench -- sampler --seconds ${r.seconds}`,
  );
  return lines.join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF && process.argv.includes('--child')) {
  childMain(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
