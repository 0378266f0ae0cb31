import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { until } from '../../test/helpers.js';
import {
  type GpuSample,
  type NvidiaReader,
  createCycleAssembler,
  createLineSplitter,
  nvidiaSmiArgs,
  parseGpuCsvLine,
  restartDelayMs,
  startNvidiaReader,
} from './nvidia.js';

const FAKE = resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'power', 'fake-nvidia-smi.sh');

const A100 =
  '0, GPU-1b2c3d4e-0000-1111-2222-333344445555, NVIDIA A100-SXM4-40GB, 61.25, 400.00, 37, 12, 3, 1410, 1215, 10240, 40960, 45';
const T4 =
  '1, GPU-9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff, Tesla T4, [N/A], 70.00, [N/A],  [Not Supported], [Not Supported], 585, 5000,   0, 15360, 41';

describe('parseGpuCsvLine', () => {
  it('reads every queried field of a line', () => {
    expect(parseGpuCsvLine(A100, 1234)).toEqual({
      index: 0,
      uuid: 'GPU-1b2c3d4e-0000-1111-2222-333344445555',
      name: 'NVIDIA A100-SXM4-40GB',
      powerW: 61.25,
      powerLimitW: 400,
      utilGpu: 37,
      utilEncoder: 12,
      utilDecoder: 3,
      clockSmMHz: 1410,
      clockMemMHz: 1215,
      memUsedMiB: 10240,
      memTotalMiB: 40960,
      temperatureC: 45,
      t: 1234,
    });
  });

  it('turns [N/A] and [Not Supported] into null and ignores extra spaces', () => {
    const s = parseGpuCsvLine(T4, 0);
    expect(s).toMatchObject({ index: 1, name: 'Tesla T4', powerW: null, powerLimitW: 70, utilGpu: null });
    expect(s).toMatchObject({ utilEncoder: null, utilDecoder: null, clockSmMHz: 585, memUsedMiB: 0 });
    expect(parseGpuCsvLine('2, [N/A], [N/A], [Unknown Error], 1, 2, 3, 4, 5, 6, 7, 8, 9', 0)).toMatchObject({
      uuid: null,
      name: null,
      powerW: null,
      powerLimitW: 1,
    });
  });

  it('rejoins a name that contains commas and tolerates units', () => {
    const s = parseGpuCsvLine(
      '3, GPU-x, Quadro RTX 8000, Rev. A, 30.5 W, 260 W, 5 %, 0 %, 0 %, 300 MHz, 405 MHz, 1 MiB, 2 MiB, 33',
      0,
    );
    expect(s).toMatchObject({
      index: 3,
      name: 'Quadro RTX 8000, Rev. A',
      powerW: 30.5,
      clockMemMHz: 405,
      memTotalMiB: 2,
    });
  });

  it('rejects lines that are not GPU lines', () => {
    for (const line of [
      '',
      'index, uuid, name, power.draw [W], power.limit [W], utilization.gpu [%], a, b, c, d, e, f, g',
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      '0, GPU-x, too, few, fields',
    ]) {
      expect(parseGpuCsvLine(line, 0)).toBeUndefined();
    }
  });
});

describe('stream handling', () => {
  it('joins lines split across chunks, with or without \\r', () => {
    const split = createLineSplitter();
    expect(split.push('0, a')).toEqual([]);
    expect(split.push('b\r\n1, c\n2,')).toEqual(['0, ab', '1, c']);
    expect(split.push(' d\n')).toEqual(['2, d']);
  });

  it('groups one sample per GPU into a cycle; emits as soon as a known set is complete', () => {
    const cycles: number[][] = [];
    const asm = createCycleAssembler((gpus) => cycles.push(gpus.map((g) => g.index)));
    const at = (index: number) => ({ ...parseGpuCsvLine(A100, 0)!, index });
    asm.push(at(0));
    asm.push(at(1));
    expect(cycles).toEqual([]); // the first cycle's size is unknown until an index repeats
    asm.push(at(0));
    expect(cycles).toEqual([[0, 1]]);
    asm.push(at(1));
    expect(cycles).toEqual([
      [0, 1],
      [0, 1],
    ]); // known set {0,1}: no wait for the next cycle
  });

  it('backs off 5 s, 10 s, 20 s, 40 s, then stays at 60 s', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => restartDelayMs(n))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
    expect(restartDelayMs(3, 100)).toBe(400);
  });

  it('asks nvidia-smi for the fields in the parsed order, in loop mode', () => {
    expect(nvidiaSmiArgs(200)).toEqual([
      '--query-gpu=index,uuid,name,power.draw,power.limit,utilization.gpu,utilization.encoder,utilization.decoder,clocks.sm,clocks.mem,memory.used,memory.total,temperature.gpu',
      '--format=csv,noheader,nounits',
      '-lms',
      '200',
    ]);
  });
});

/** Waits for a condition (test/helpers' poller); fails with `what` after `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  await until(() => (condition() ? true : undefined), timeoutMs, what);
}

/** Live (not zombie) processes whose process group is `pgid`, from /proc/<pid>/stat field 5. */
function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(Number(entry));
  }
  return live;
}

describe('startNvidiaReader with a fake nvidia-smi', () => {
  let dir: string;
  let spawnLog: string;
  let reader: NvidiaReader | undefined;
  const spawns = () =>
    existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8').trim().split('\n').map(Number) : [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ffrtmp-nvidia-'));
    spawnLog = join(dir, 'spawns');
    vi.stubEnv('FAKE_NVIDIA_SPAWN_LOG', spawnLog);
  });
  afterEach(async () => {
    await reader?.stop();
    reader = undefined;
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads two GPUs per cycle from one process for many samples', async () => {
    const cycles: GpuSample[][] = [];
    reader = startNvidiaReader({
      command: FAKE,
      intervalMs: 20,
      onSample: (g) => cycles.push(g),
      clock: () => 42,
    });
    await waitFor('10 cycles', () => cycles.length >= 10);
    expect(reader.running()).toBe(true);
    expect(reader.lastError()).toBeUndefined();
    expect(spawns()).toHaveLength(1);
    for (const gpus of cycles) expect(gpus.map((g) => g.index)).toEqual([0, 1]);
    const [a100, t4] = reader.latest();
    expect(a100).toMatchObject({ name: 'NVIDIA A100-SXM4-40GB', utilEncoder: 12, t: 42 });
    expect(a100?.powerW).toBeGreaterThanOrEqual(60.25);
    expect(t4).toMatchObject({ name: 'Tesla T4', powerW: null, utilEncoder: null, clockSmMHz: 585, t: 42 });
  });

  it('reassembles lines that arrive in pieces', async () => {
    vi.stubEnv('FAKE_NVIDIA_MODE', 'split-lines');
    const cycles: GpuSample[][] = [];
    reader = startNvidiaReader({ command: FAKE, intervalMs: 10, onSample: (g) => cycles.push(g) });
    await waitFor('3 cycles', () => cycles.length >= 3);
    for (const gpus of cycles) {
      expect(gpus.map((g) => g.index)).toEqual([0, 1]);
      expect(gpus[0]?.powerW ?? 0).toBeGreaterThanOrEqual(60.25);
      expect(gpus[0]?.temperatureC).toBe(45);
    }
  });

  it('reports a death with exit code and stderr, then restarts after the backoff', async () => {
    vi.stubEnv('FAKE_NVIDIA_MODE', 'die-after-3');
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    reader = startNvidiaReader({ command: FAKE, intervalMs: 10, restartBackoffMs: 1000 });
    const r = reader;
    await waitFor('the first death', () => r.lastError() !== undefined);
    expect(r.running()).toBe(false);
    expect(r.latest()).toEqual([]);
    expect(r.lastError()).toMatch(/fake-nvidia-smi\.sh exited with code 1: .*GPU is lost/);
    expect(timeout.mock.calls.some(([, ms]) => ms === 1000)).toBe(true);
    await waitFor('a restart', () => spawns().length >= 2 && r.running());
    expect(spawns()[0]).not.toBe(spawns()[1]);
  });

  it('stop() ends the process group and cancels the restart', async () => {
    const cycles: GpuSample[][] = [];
    reader = startNvidiaReader({
      command: FAKE,
      intervalMs: 10,
      restartBackoffMs: 10,
      onSample: (g) => cycles.push(g),
    });
    await waitFor('a cycle', () => cycles.length >= 1);
    const [pid = 0] = spawns();
    expect(liveInGroup(pid)).not.toEqual([]);
    await reader.stop();
    expect(reader.running()).toBe(false);
    // A killed process closes its pipes a moment before it leaves the process table.
    await waitFor('an empty process group', () => liveInGroup(pid).length === 0, 2000);
    expect(reader.lastError()).toBeUndefined(); // a stop is not a failure
    expect(spawns()).toEqual([pid]);
  });

  it('stop() during the backoff cancels the pending restart', async () => {
    vi.stubEnv('FAKE_NVIDIA_MODE', 'die-after-3');
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    reader = startNvidiaReader({ command: FAKE, intervalMs: 10, restartBackoffMs: 30_000 });
    const r = reader;
    await waitFor('the death', () => r.lastError() !== undefined);
    const restart = timeout.mock.results[timeout.mock.calls.findIndex(([, ms]) => ms === 30_000)]?.value;
    expect(restart).toBeDefined();
    await r.stop();
    expect(clear).toHaveBeenCalledWith(restart);
    expect(spawns()).toHaveLength(1);
  });

  it('stop() kills with SIGKILL a process that ignores SIGTERM', async () => {
    vi.stubEnv('FAKE_NVIDIA_MODE', 'ignore-term');
    const cycles: GpuSample[][] = [];
    reader = startNvidiaReader({ command: FAKE, intervalMs: 10, onSample: (g) => cycles.push(g) });
    await waitFor('a cycle', () => cycles.length >= 1);
    const [pid = 0] = spawns();
    const started = Date.now();
    await reader.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    // A killed process closes its pipes a moment before it leaves the process table.
    await waitFor('an empty process group', () => liveInGroup(pid).length === 0, 2000);
  });

  it('a missing nvidia-smi is an error to read, retried only at the 60 s maximum', async () => {
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const command = join(dir, 'nvidia-smi');
    reader = startNvidiaReader({ command, intervalMs: 100, restartBackoffMs: 7 });
    const r = reader;
    await waitFor('the ENOENT', () => r.lastError() !== undefined);
    expect(r.lastError()).toContain('nvidia-smi not found');
    expect(r.running()).toBe(false);
    expect(r.latest()).toEqual([]);
    expect(timeout.mock.calls.map(([, ms]) => ms)).toContain(60_000);
    expect(timeout.mock.calls.map(([, ms]) => ms)).not.toContain(7);
  });

  it('refuses an interval nvidia-smi cannot take', () => {
    expect(() => startNvidiaReader({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => startNvidiaReader({ intervalMs: 2.5 })).toThrow(/whole number/);
  });
});
