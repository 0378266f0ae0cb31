import type { EncodePlan } from '../core/encode-plan.js';
import { type ProgressBlock, createProgressParser } from '../core/ffmpeg-progress.js';
import { type ExitInfo, type OwnedProcess, spawnOwned } from './children.js';
import { readPeakRssBytes } from '../power/procfs.js';

/**
 * Runs the FFmpeg processes of one encode plan side by side, follows their `-progress pipe:1`
 * output, and stops them all on cancel, timeout, or the first failure. Never a shell: each
 * process is an argument array from the pure planner.
 */

export interface RunPlanOptions {
  cwd: string;
  /** Aborting stops every process (SIGTERM, then SIGKILL after graceMs). */
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  graceMs: number;
  onProgress?: (index: number, block: ProgressBlock) => void;
  onSpawn?: (index: number, pid: number) => void;
  procRoot?: string;
}

export interface ProcessOutcome {
  index: number;
  pid: number | undefined;
  exit: ExitInfo;
  lastProgress: ProgressBlock | undefined;
  stderrTail: string;
  peakRssBytes: number | undefined;
}

export interface PlanOutcome {
  processes: ProcessOutcome[];
  startedAt: number;
  endedAt: number;
  wallMs: number;
  timedOut: boolean;
  canceled: boolean;
  /** A process failed, so the others were stopped. */
  failedFast: boolean;
}

// Enough for FFmpeg's closing summary plus the encoder's statistics after it (x264: ~1.5 KB).
const STDERR_TAIL_BYTES = 16_384;

export async function runPlan(plan: EncodePlan, options: RunPlanOptions): Promise<PlanOutcome> {
  const startedAt = Date.now();
  const t0 = performance.now();
  let timedOut = false;
  let failedFast = false;
  const owned: OwnedProcess[] = [];
  const peaks: (number | undefined)[] = [];
  const tails: string[] = [];
  const last: (ProgressBlock | undefined)[] = [];

  const stopAll = () => Promise.all(owned.map((p) => p.stop(options.graceMs)));
  plan.processes.forEach((planned, index) => {
    const proc = spawnOwned(planned.command, planned.args, { cwd: options.cwd, procRoot: options.procRoot });
    owned.push(proc);
    tails.push('');
    if (proc.pid !== undefined) options.onSpawn?.(index, proc.pid);
    const parser = createProgressParser((block) => {
      last[index] = block;
      options.onProgress?.(index, block);
    });
    proc.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
    proc.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      tails[index] = ((tails[index] ?? '') + chunk).slice(-STDERR_TAIL_BYTES);
    });
  });

  // Peak memory is a high-water mark; sampling it once a second loses nothing that matters.
  const samplePeaks = () => {
    owned.forEach((p, i) => {
      if (p.running() && p.pid !== undefined)
        peaks[i] = readPeakRssBytes(p.pid, options.procRoot) ?? peaks[i];
    });
  };
  samplePeaks();
  const peakTimer = setInterval(samplePeaks, 1000);
  const onAbort = () => void stopAll();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const timeout =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void stopAll();
        }, options.timeoutMs);
  if (options.signal.aborted) onAbort();

  // The first process that fails takes the others down: a partial multi-stream run measures nothing useful.
  const exits = owned.map((p) =>
    p.exited.then((exit) => {
      if ((exit.code !== 0 || exit.spawnError) && !options.signal.aborted && !timedOut && !failedFast) {
        failedFast = owned.some((o) => o.running());
        void stopAll();
      }
      return exit;
    }),
  );
  const results = await Promise.all(exits);
  clearInterval(peakTimer);
  clearTimeout(timeout);
  options.signal.removeEventListener('abort', onAbort);
  // Read what is left in the pipes (the final progress block, the last stderr lines).
  await Promise.all(owned.map((p) => p.closed));

  return {
    processes: results.map((exit, index) => ({
      index,
      pid: owned[index]?.pid,
      exit,
      lastProgress: last[index],
      stderrTail: (tails[index] ?? '').trim(),
      peakRssBytes: peaks[index],
    })),
    startedAt,
    endedAt: Date.now(),
    wallMs: performance.now() - t0,
    timedOut,
    canceled: options.signal.aborted,
    failedFast,
  };
}

/** A human reading of an exit (execa's habit): 137 → killed, often out of memory. */
export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) {
    const code = (exit.spawnError as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'ffmpeg not found (install it: apt-get install ffmpeg)'
      : `could not start: ${exit.spawnError.message}`;
  }
  if (exit.signal === 'SIGKILL')
    return 'killed (SIGKILL; by the agent after a timeout or cancel, or the kernel when out of memory)';
  if (exit.signal) return `terminated by ${exit.signal}`;
  if (exit.code === 137) return 'exited with 137 (killed, often out of memory)';
  return `exited with code ${exit.code}`;
}
