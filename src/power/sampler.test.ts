import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakePowercap } from '../../test/fixtures/power/fake-powercap.js';
import { fakeClock } from '../../test/helpers.js';
import { type Sampler, type SamplerOptions, createSampler } from './sampler.js';

// The sampler driven reading by reading: an injected clock and explicit sampleNow() calls, so
// every expected joule is known exactly. Only the NVIDIA tests run a real (fake) process, and
// they wait on conditions (a GPU cycle arrived, the process died), never on a fixed sleep.

const FAKE_SMI = resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'power', 'fake-nvidia-smi.sh');
const PKG_RANGE = 262_143_328_850;
const TDP = { kind: 'tdp', tdpWatts: 100 } as const;

let dir: string;
let samplers: Sampler[];
let clock: ReturnType<typeof fakeClock>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ffrtmp-sampler-'));
  samplers = [];
  clock = fakeClock();
});
afterEach(async () => {
  for (const s of samplers.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sampler(options: Partial<SamplerOptions> = {}): Sampler {
  const s = createSampler({
    intervalMs: 1000,
    powercapRoot: join(dir, 'no-powercap'),
    procRoot: fakeProc(0, 0).root,
    nvidiaSmi: null,
    estimator: TDP,
    clock: clock.now,
    ...options,
  });
  samplers.push(s);
  return s;
}

function tree(preset: 'one-socket' | 'two-sockets') {
  const path = join(dir, preset);
  mkdirSync(path, { recursive: true });
  return createFakePowercap(path, preset);
}

/** A fake /proc with only `stat`; `add(busy, idle)` moves the host CPU counters (in ticks). */
function fakeProc(busy: number, idle: number) {
  const root = join(dir, `proc-${Math.random().toString(36).slice(2)}`);
  mkdirSync(root, { recursive: true });
  let user = busy;
  let idleTicks = idle;
  const write = () =>
    writeFileSync(
      join(root, 'stat'),
      `cpu  ${user} 0 0 ${idleTicks} 0 0 0 0 0 0\ncpu0 ${user} 0 0 ${idleTicks} 0 0 0 0 0 0\nintr 0\n`,
    );
  write();
  return {
    root,
    add(moreBusy: number, moreIdle: number) {
      user += moreBusy;
      idleTicks += moreIdle;
      write();
    },
  };
}

/** Runs `fn` with `vars` set in process.env (the fake nvidia-smi inherits them), then restores it. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Polls `ready` every 20 ms until it holds (or fails after `ms`): a wait on a condition. */
async function until(ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!ready()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: ms, interval: 20 },
  );
}

describe('RAPL counters', () => {
  it('window energy is the exact sum of counter differences; dram from its sub-zone, core never in package', () => {
    const fake = tree('one-socket');
    const s = sampler({ powercapRoot: fake.root });
    expect(s.sources).toContain('rapl');
    expect(s.problems).toEqual([]);
    s.sampleNow();
    const w = s.openWindow();
    const steps = [1_234_567, 2_000_001, 987_654];
    for (const uj of steps) {
      clock.advance(1000);
      fake.advance('intel-rapl:0', uj);
      fake.advance('intel-rapl:0:0', 5_000_000); // core: inside the package, never added to it
      fake.advance('intel-rapl:0:1', 700_000); // uncore: likewise
      fake.advance('intel-rapl:0:2', 333_333);
      s.sampleNow();
    }
    clock.advance(500);
    fake.advance('intel-rapl:0', 111_111);
    const m = w.close();

    const pkgJ = (steps.reduce((a, b) => a + b, 0) + 111_111) / 1e6;
    expect(m.durationSec).toBe(3.5);
    expect(m.package.source).toBe('rapl');
    expect(m.package.joules).toBeCloseTo(pkgJ, 6);
    expect(m.package.gaps).toEqual([]);
    expect(m.package.uncertainty).toBeGreaterThan(0);
    const watts = m.package.series.map((p) => p.watts);
    expect(watts).toHaveLength(4);
    for (const [i, x] of [1.234567, 2.000001, 0.987654, 0.222222].entries())
      expect(watts[i]).toBeCloseTo(x, 9);
    expect(m.dram?.source).toBe('rapl');
    expect(m.dram?.joules).toBeCloseTo(0.999999, 6);
    expect(m.psys).toBeNull();
    expect(m.gpu).toBeNull();
    // The running totals agree with the window and keep the sub-zones apart.
    expect(s.zoneTotals().get('intel-rapl:0')).toBeCloseTo(pkgJ, 6);
    expect(s.zoneTotals().get('intel-rapl:0:0')).toBeCloseTo(15, 6);
  });

  it('stays exact across a counter wrap in the middle of a window', () => {
    const fake = tree('one-socket');
    fake.set('intel-rapl:0', PKG_RANGE - 400_000);
    const s = sampler({ powercapRoot: fake.root });
    const w = s.openWindow();
    clock.advance(1000);
    fake.advance('intel-rapl:0', 300_000);
    s.sampleNow();
    clock.advance(1000);
    fake.advance('intel-rapl:0', 1_500_000); // passes max_energy_range_uj: the file now reads 1 400 000
    s.sampleNow();
    expect(s.latestInterval()?.zones['intel-rapl:0']).toMatchObject({ ok: true, wrapped: true });
    expect(s.latestInterval()?.packageJoules).toBeCloseTo(1.5, 6);
    clock.advance(1000);
    fake.advance('intel-rapl:0', 2_000_000);
    const m = w.close();
    expect(m.package.joules).toBeCloseTo(0.3 + 1.5 + 2, 6);
    expect(m.package.gaps).toEqual([]);
  });

  it('sums the packages of two sockets, and their dram zones', () => {
    const fake = tree('two-sockets');
    const s = sampler({ powercapRoot: fake.root });
    expect(s.zones.filter((z) => z.kind === 'package').map((z) => z.label)).toEqual([
      'package_0',
      'package_1',
    ]);
    const w = s.openWindow();
    for (let i = 0; i < 4; i += 1) {
      clock.advance(250);
      fake.advance('intel-rapl:0', 10_000_000);
      fake.advance('intel-rapl:1', 7_500_000);
      fake.advance('intel-rapl:0:0', 1_000_000);
      fake.advance('intel-rapl:1:0', 2_000_000);
      s.sampleNow();
    }
    const m = w.close();
    expect(m.package.joules).toBeCloseTo(4 * 17.5, 6);
    expect(m.dram?.joules).toBeCloseTo(4 * 3, 6);
  });

  it('a counter reset leaves package energy unknown with a gap naming it, never a made-up number', () => {
    const fake = tree('one-socket');
    fake.set('intel-rapl:0', 5_000_000_000);
    const s = sampler({ powercapRoot: fake.root, maxZoneWatts: 1000 });
    const w = s.openWindow();
    clock.advance(1000);
    fake.advance('intel-rapl:0', 20_000_000);
    fake.advance('intel-rapl:0:2', 1_000_000);
    s.sampleNow();
    clock.advance(1000);
    // Back near zero: as a wrap it would be ~257 kJ in 1 s, far above 1000 W.
    fake.set('intel-rapl:0', 1_000);
    fake.advance('intel-rapl:0:2', 1_000_000);
    s.sampleNow();
    clock.advance(1000);
    fake.advance('intel-rapl:0', 20_000_000);
    fake.advance('intel-rapl:0:2', 1_000_000);
    const m = w.close();
    expect(m.package.joules).toBeNull();
    expect(m.package.source).toBe('rapl');
    expect(m.package.gaps).toHaveLength(1);
    expect(m.package.gaps[0]).toMatch(/intel-rapl:0: reset: the counter went from 5020000000 µJ to 1000 µJ/);
    // The dram zone was fine all along: its domain is still exact, and not blamed.
    expect(m.dram?.joules).toBeCloseTo(3, 6);
    expect(m.dram?.gaps).toEqual([]);
    // Intervals on either side of the reset still count in the running total.
    expect(s.zoneTotals().get('intel-rapl:0')).toBeCloseTo(40, 6);
  });
});

describe('estimator (no RAPL)', () => {
  it('package energy is the model’s watts × seconds, labelled estimated', () => {
    const proc = fakeProc(1_000, 9_000);
    mkdirSync(join(dir, 'empty-powercap'));
    const s = sampler({ powercapRoot: join(dir, 'empty-powercap'), procRoot: proc.root });
    expect(s.sources).toEqual(['estimate']);
    expect(s.problems.join()).toMatch(/no RAPL powercap zones/);
    const w = s.openWindow();
    clock.advance(2000);
    proc.add(200, 200); // 50 % busy → Teads 0.75 × 100 W for 2 s
    s.sampleNow();
    clock.advance(1000);
    proc.add(100, 900); // 10 % busy → 0.32 × 100 W for 1 s
    s.sampleNow();
    clock.advance(4000);
    proc.add(800, 0); // 100 % busy → 1.02 × 100 W for 4 s
    const m = w.close();
    expect(m.package.source).toBe('estimated:teads-tdp-100w');
    expect(m.package.uncertainty).toBe(0.3);
    expect(m.package.joules).toBeCloseTo(75 * 2 + 32 * 1 + 102 * 4, 6);
    expect(m.package.series.map((p) => p.watts)).toEqual([75, 32, 102]);
    expect(m.meanCpuUtil).toBeCloseTo((0.5 + 0.1 + 1) / 3, 9);
    expect(m.dram).toBeNull();
    expect(s.estimatedTotal()).toBeCloseTo(590, 6);
  });

  it('the linear model: idle + (max − idle) × utilisation', () => {
    const proc = fakeProc(0, 0);
    const s = sampler({ procRoot: proc.root, estimator: { kind: 'linear', idleWatts: 20, maxWatts: 120 } });
    const w = s.openWindow();
    clock.advance(3000);
    proc.add(250, 750);
    const m = w.close();
    expect(m.package.source).toBe('estimated:linear-20-120w');
    expect(m.package.joules).toBeCloseTo((20 + 100 * 0.25) * 3, 6);
  });

  it('two readings within one clock tick carry the last utilisation instead of voiding the window', () => {
    const proc = fakeProc(0, 0);
    const s = sampler({ procRoot: proc.root, estimator: { kind: 'linear', idleWatts: 20, maxWatts: 120 } });
    s.sampleNow();
    clock.advance(1000);
    proc.add(500, 500); // 50 % busy
    const w = s.openWindow();
    clock.advance(5);
    s.sampleNow(); // 5 ms later /proc/stat has not moved: no tick in this sliver
    clock.advance(995);
    proc.add(500, 500);
    const m = w.close();
    // 70 W (50 %) over the 5 ms sliver and over the 995 ms after it.
    expect(m.package.joules).toBeCloseTo(70, 6);
    expect(m.package.gaps).toEqual([]);
  });

  it('without host CPU readings the estimate is unknown, with a gap, not zero', () => {
    const s = sampler({ procRoot: join(dir, 'no-proc') });
    const w = s.openWindow();
    clock.advance(1000);
    const m = w.close();
    expect(m.package.joules).toBeNull();
    expect(m.package.gaps.join()).toMatch(/no-proc\/stat/);
  });
});

describe('NVIDIA through the (fake) nvidia-smi', () => {
  it('integrates the power of the GPUs that report it, labelled nvidia', async () => {
    const s = sampler({ nvidiaSmi: FAKE_SMI, intervalMs: 50 });
    expect(s.sources).toContain('nvidia');
    await until(() => s.latestGpus().length === 2, 'a full GPU cycle');
    const w = s.openWindow();
    clock.advance(2000);
    s.sampleNow();
    clock.advance(2000);
    const m = w.close();
    expect(m.gpu?.source).toBe('nvidia');
    // The fake's A100 draws 60.25–69.25 W; its T4 prints power.draw as [N/A].
    expect(m.gpu?.joules).toBeGreaterThanOrEqual(60.25 * 4);
    expect(m.gpu?.joules).toBeLessThanOrEqual(69.25 * 4);
    expect(m.gpu?.gaps.join()).toMatch(/GPU 1 \(Tesla T4\) reports no power\.draw/);
    expect(m.gpus.length).toBeGreaterThanOrEqual(2);
    expect(m.gpus[0]?.map((g) => g.name)).toEqual(['NVIDIA A100-SXM4-40GB', 'Tesla T4']);
  });

  it('a window over the death of nvidia-smi has unknown GPU energy and says nvidia-smi is not running', async () => {
    const spawnLog = join(dir, 'spawns');
    const s = withEnv({ FAKE_NVIDIA_MODE: 'die-after-3', FAKE_NVIDIA_SPAWN_LOG: spawnLog }, () =>
      sampler({ nvidiaSmi: FAKE_SMI, intervalMs: 50 }),
    );
    await until(() => s.latestGpus().length === 2, 'a full GPU cycle');
    const w = s.openWindow();
    clock.advance(1000);
    s.sampleNow();
    await until(() => s.latestGpus().length === 0, 'nvidia-smi to die');
    clock.advance(1000);
    s.sampleNow();
    clock.advance(1000);
    const m = w.close();
    expect(m.gpu).not.toBeNull();
    expect(m.gpu?.joules).toBeNull();
    expect(m.gpu?.gaps.join('\n')).toMatch(/nvidia-smi is not running .*exited with code 1: .*GPU is lost/);
    expect(m.gpu?.gaps.join('\n')).not.toMatch(/no reading in the window/);

    // A window entirely inside the outage is still a GPU host with unknown GPU energy.
    const outage = s.openWindow();
    clock.advance(1000);
    expect(outage.close().gpu).toMatchObject({ joules: null, source: 'nvidia' });

    await s.stop();
    // The one process it started is gone, and stop() cancelled the pending restart.
    const pids = readFileSync(spawnLog, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(1);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('stop() ends a live nvidia-smi', async () => {
    const spawnLog = join(dir, 'spawns');
    const s = withEnv({ FAKE_NVIDIA_SPAWN_LOG: spawnLog }, () =>
      sampler({ nvidiaSmi: FAKE_SMI, intervalMs: 50 }),
    );
    await until(() => s.latestGpus().length === 2, 'a full GPU cycle');
    await s.stop();
    const [pid] = readFileSync(spawnLog, 'utf8').trim().split('\n').map(Number);
    expect(() => process.kill(pid ?? 0, 0)).toThrow(/ESRCH/);
    expect(s.latestGpus()).toEqual([]);
  });
});

describe('history', () => {
  it('trims readings older than historyMs while no window is open', () => {
    const s = sampler({ historyMs: 2000 });
    for (let i = 0; i < 20; i += 1) {
      s.sampleNow();
      clock.advance(500);
    }
    // The last reading is at 9.5 s: only those from 7.5 s on (and the intervals ending there) are kept.
    expect(s.historySize()).toEqual({ readings: 5, intervals: 5 });
  });

  it('keeps every reading an open window needs, and its energy is whole when it closes', () => {
    const fake = tree('one-socket');
    const s = sampler({ powercapRoot: fake.root, historyMs: 2000 });
    const w = s.openWindow();
    for (let i = 0; i < 20; i += 1) {
      clock.advance(500);
      fake.advance('intel-rapl:0', 1_000_000);
      s.sampleNow();
    }
    expect(s.historySize().readings).toBe(21);
    clock.advance(500);
    fake.advance('intel-rapl:0', 1_000_000);
    const m = w.close();
    // 10.5 s, five times the history: all 21 J, not the last 2 s of them.
    expect(m.durationSec).toBe(10.5);
    expect(m.package.joules).toBeCloseTo(21, 6);
    expect(m.package.series).toHaveLength(21);
    // Closed: the next reading trims again.
    clock.advance(500);
    s.sampleNow();
    expect(s.historySize()).toEqual({ readings: 5, intervals: 5 });
  });
});

describe('the sampling loop', () => {
  it('start() reads every intervalMs until stop()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: clock.now() });
    try {
      const fake = tree('one-socket');
      const s = sampler({ powercapRoot: fake.root, clock: undefined, intervalMs: 200 });
      s.start();
      const w = s.openWindow();
      for (let i = 0; i < 10; i += 1) {
        fake.advance('intel-rapl:0', 2_000_000); // 10 W at 200 ms per reading
        vi.advanceTimersByTime(200);
      }
      expect(s.latestInterval()).toMatchObject({ packageJoules: 2 });
      const m = w.close();
      expect(m.durationSec).toBe(2);
      expect(m.package.joules).toBeCloseTo(20, 6);
      await s.stop();
      fake.advance('intel-rapl:0', 2_000_000);
      vi.advanceTimersByTime(1000);
      expect(s.latestInterval()?.t1).toBe(m.end);
    } finally {
      vi.useRealTimers();
    }
  });
});
