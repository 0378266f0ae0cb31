import { type ChildProcess, spawn } from 'node:child_process';

/**
 * NVIDIA GPUs through one long-running `nvidia-smi … -lms N` per agent (DESIGN §6): a process per
 * sample costs ~50–100 ms of CPU for driver initialisation, which at 10 Hz would itself show up
 * in the power we measure. The reader owns that process: it restarts it with backoff when it
 * dies, and `stop()` ends it and every pending restart.
 */

export interface GpuSample {
  index: number;
  uuid: string | null;
  name: string | null;
  powerW: number | null;
  powerLimitW: number | null;
  utilGpu: number | null;
  utilEncoder: number | null;
  utilDecoder: number | null;
  clockSmMHz: number | null;
  clockMemMHz: number | null;
  memUsedMiB: number | null;
  memTotalMiB: number | null;
  temperatureC: number | null;
  /** Epoch ms when the line was read. */
  t: number;
}

export interface NvidiaReaderOptions {
  /** Default `nvidia-smi`. */
  command?: string;
  intervalMs: number;
  /** First restart delay after the process dies; doubles per failure up to 60 s. Default 5000. */
  restartBackoffMs?: number;
  /** Called with each complete cycle (one sample per GPU, sorted by index). */
  onSample?: (gpus: GpuSample[]) => void;
  clock?: () => number;
}

export interface NvidiaReader {
  /** The last complete cycle; [] before the first one and after the process exits. */
  latest(): GpuSample[];
  running(): boolean;
  /** Why the process last failed (kept after a restart recovers, until the next failure). */
  lastError(): string | undefined;
  /** Kills the process (SIGTERM, SIGKILL after 2 s) and cancels restarts. */
  stop(): Promise<void>;
}

export const NVIDIA_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'power.draw',
  'power.limit',
  'utilization.gpu',
  'utilization.encoder',
  'utilization.decoder',
  'clocks.sm',
  'clocks.mem',
  'memory.used',
  'memory.total',
  'temperature.gpu',
] as const;

export const MAX_RESTART_BACKOFF_MS = 60_000;
const DEFAULT_RESTART_BACKOFF_MS = 5_000;
const STOP_GRACE_MS = 2_000;
const TAIL_CHARS = 1_000;

export function nvidiaSmiArgs(intervalMs: number): string[] {
  return [
    `--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`,
    '--format=csv,noheader,nounits',
    '-lms',
    String(intervalMs),
  ];
}

/**
 * One CSV line of the query above. Fields the card does not report (`[N/A]`, `[Not Supported]`,
 * `[Unknown Error]` …) become null. A name containing commas is rejoined: the first two fields
 * and the last ten are fixed. Anything that is not a GPU line (an error message) → undefined.
 */
export function parseGpuCsvLine(line: string, t: number): GpuSample | undefined {
  const fields = line.split(',').map((f) => f.trim());
  const fixedTail = NVIDIA_QUERY_FIELDS.length - 3;
  if (fields.length < NVIDIA_QUERY_FIELDS.length || !/^\d+$/.test(fields[0] ?? '')) return undefined;
  const [powerW, powerLimitW, utilGpu, utilEncoder, utilDecoder, clockSmMHz, clockMemMHz, ...rest] = fields
    .slice(-fixedTail)
    .map(toNumber);
  const [memUsedMiB, memTotalMiB, temperatureC] = rest;
  return {
    index: Number(fields[0]),
    uuid: toText(fields[1] ?? ''),
    name: toText(fields.slice(2, fields.length - fixedTail).join(', ')),
    powerW: powerW ?? null,
    powerLimitW: powerLimitW ?? null,
    utilGpu: utilGpu ?? null,
    utilEncoder: utilEncoder ?? null,
    utilDecoder: utilDecoder ?? null,
    clockSmMHz: clockSmMHz ?? null,
    clockMemMHz: clockMemMHz ?? null,
    memUsedMiB: memUsedMiB ?? null,
    memTotalMiB: memTotalMiB ?? null,
    temperatureC: temperatureC ?? null,
    t,
  };
}

function toNumber(field: string): number | null {
  // Units are tolerated in case a build ignores `nounits`.
  const m = /^(-?\d+(?:\.\d+)?)(?:\s*(?:W|MHz|MiB|%|C))?$/.exec(field);
  return m ? Number(m[1]) : null;
}

function toText(field: string): string | null {
  return field === '' || field === 'N/A' || /^\[.*\]$/.test(field) ? null : field;
}

/** Restart delay after the n-th consecutive failure (n ≥ 1): base, 2×base, 4×base … at most 60 s. */
export function restartDelayMs(failures: number, baseMs = DEFAULT_RESTART_BACKOFF_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), MAX_RESTART_BACKOFF_MS);
}

/** Splits a stream of text chunks into whole lines; a partial last line waits for the next chunk. */
export function createLineSplitter(): { push(chunk: string): string[] } {
  let rest = '';
  return {
    push(chunk) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      return lines.map((l) => l.replace(/\r$/, ''));
    },
  };
}

/**
 * Groups samples into loop cycles. A cycle ends when an index repeats; once a cycle's set of
 * GPUs is known, a cycle with the same set is emitted as soon as its last GPU arrives instead of
 * waiting for the next cycle's first line.
 */
export function createCycleAssembler(onCycle: (gpus: GpuSample[]) => void): {
  push(sample: GpuSample): void;
} {
  let pending: GpuSample[] = [];
  let lastKey = '';
  const keyOf = (gpus: readonly GpuSample[]) => gpus.map((g) => g.index).join(',');
  const flush = () => {
    const gpus = pending.sort((a, b) => a.index - b.index);
    pending = [];
    lastKey = keyOf(gpus);
    onCycle(gpus);
  };
  return {
    push(sample) {
      if (pending.some((p) => p.index === sample.index)) flush();
      pending.push(sample);
      if (keyOf([...pending].sort((a, b) => a.index - b.index)) === lastKey) flush();
    },
  };
}

/** Starts nvidia-smi in loop mode and keeps it running until `stop()`. Never throws for a missing command. */
export function startNvidiaReader(options: NvidiaReaderOptions): NvidiaReader {
  const { intervalMs } = options;
  if (!Number.isInteger(intervalMs) || intervalMs < 1) {
    throw new RangeError(`intervalMs must be a whole number of milliseconds ≥ 1, got ${intervalMs}`);
  }
  const command = options.command ?? 'nvidia-smi';
  const baseBackoffMs = options.restartBackoffMs ?? DEFAULT_RESTART_BACKOFF_MS;
  const clock = options.clock ?? Date.now;

  let child: ChildProcess | undefined;
  let alive = false;
  let closed: Promise<void> = Promise.resolve();
  let latest: GpuSample[] = [];
  let error: string | undefined;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const onCycle = (gpus: GpuSample[]) => {
    latest = gpus;
    failures = 0; // it works again: the next failure starts from the base delay
    options.onSample?.(gpus);
  };

  const launch = () => {
    restartTimer = undefined;
    if (stopped) return;
    // Its own process group, so stop() reaches anything it forked and a terminal's Ctrl-C does not.
    const proc = spawn(command, nvidiaSmiArgs(intervalMs), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = proc;
    const lines = createLineSplitter();
    const cycles = createCycleAssembler(onCycle);
    let stderrTail = '';
    let otherOutput = ''; // stdout lines that are not GPU lines: nvidia-smi prints its errors there
    let spawnError: NodeJS.ErrnoException | undefined;

    proc.on('spawn', () => {
      alive = true;
    });
    proc.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) {
        const sample = parseGpuCsvLine(line, clock());
        if (sample) cycles.push(sample);
        else if (line.trim() !== '') otherOutput = `${otherOutput}${line.trim()}\n`.slice(-TAIL_CHARS);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-TAIL_CHARS);
    });
    proc.on('exit', () => {
      alive = false;
      // The leader is gone; whatever it left in its group would hold the pipes open.
      signalGroup(proc, 'SIGKILL');
    });
    closed = new Promise<void>((resolve) => {
      proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        alive = false;
        child = undefined;
        latest = [];
        if (!stopped) {
          const why = describeFailure(command, spawnError, code, signal, stderrTail || otherOutput);
          error = why.message;
          failures += 1;
          restartTimer = setTimeout(
            launch,
            why.notFound ? MAX_RESTART_BACKOFF_MS : restartDelayMs(failures, baseBackoffMs),
          );
        }
        resolve();
      });
    });
  };

  launch();

  return {
    latest: () => latest,
    running: () => alive,
    lastError: () => error,
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      const proc = child;
      if (!proc) return closed;
      signalGroup(proc, 'SIGTERM');
      const kill = setTimeout(() => signalGroup(proc, 'SIGKILL'), STOP_GRACE_MS);
      await closed;
      clearTimeout(kill);
    },
  };
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: the group is empty, nothing left to signal
  }
}

function describeFailure(
  command: string,
  spawnError: NodeJS.ErrnoException | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
  tail: string,
): { message: string; notFound: boolean } {
  if (spawnError?.code === 'ENOENT') {
    return {
      message: `nvidia-smi not found (no "${command}" on PATH): no NVIDIA driver tools`,
      notFound: true,
    };
  }
  if (spawnError) return { message: `cannot start ${command}: ${spawnError.message}`, notFound: false };
  const how = signal
    ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (often out of memory)' : ''}`
    : `exited with code ${code}`;
  const said = tail.trim().split('\n').slice(-3).join(' | ');
  return { message: `${command} ${how}${said ? `: ${said}` : ''}`, notFound: false };
}
