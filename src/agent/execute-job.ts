import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MasterClient } from '../core/client.js';
import type { JobJson, ResultBody } from '../core/contract/schemas.js';
import { type EncodePlan, planEncode } from '../core/encode-plan.js';
import { type ProcessReport, summarizeEncode } from '../core/encode-metrics.js';
import { isFfrtmpError } from '../core/errors.js';
import { type ProgressBlock, parseEncodedBytes } from '../core/ffmpeg-progress.js';
import { type JobParameters, parseJobParameters } from '../core/job-parameters.js';
import { parseBitrateKbps } from '../core/units.js';
import type { Sampler } from '../power/sampler.js';
import { type Baseline, baselineFrom } from './baseline.js';
import { delay } from './delay.js';
import { buildLedger } from './ledger.js';
import { ffprobeFor, probeInput } from './media.js';
import { measureQuality } from './quality.js';
import { describeExit, type PlanOutcome, runPlan } from './run-ffmpeg.js';

export interface ExecuteOptions {
  workDir: string;
  mediaDir: string;
  rtmpBaseUrl?: string | undefined;
  ffmpegPath: string;
  progressIntervalMs: number;
  graceMs: number;
  /** Cap for file-mode jobs without their own timeout_sec. */
  defaultFileTimeoutMs: number;
  procRoot?: string;
}

export interface JobRun {
  job: JobJson;
  nodeId: string;
  client: MasterClient;
  options: ExecuteOptions;
  /** Aborted when the agent is forced to stop. */
  signal: AbortSignal;
  /** Live encoder statistics, for the metrics endpoint. */
  onStats?: (stats: LiveStats) => void;
  /** Power measurement; without it results carry no energy (lifecycle tests). */
  measurement?: Measurement;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface LiveStats {
  fps: number;
  speed: number;
  frames: number;
  droppedFrames: number;
  bitrateKbps: number;
  outTimeSec: number;
}

export interface Measurement {
  sampler: Sampler;
  baseline(): Baseline | undefined;
  /** A baseline job measured the idle node: remember it. */
  setBaseline(b: Baseline): void;
}

export type JobEnd =
  | { kind: 'result'; result: ResultBody & { attempt: number } }
  /** The master canceled the job or gave it to another node: there is nothing to upload. */
  | { kind: 'abandoned'; reason: string };

function liveStats(blocks: readonly (ProgressBlock | undefined)[]): LiveStats {
  const present = blocks.filter((b): b is ProgressBlock => b !== undefined);
  return {
    fps: present.reduce((s, b) => s + (b.fps ?? 0), 0),
    speed: present.length > 0 ? present.reduce((s, b) => s + (b.speed ?? 0), 0) / present.length : 0,
    frames: present.reduce((s, b) => s + (b.frame ?? 0), 0),
    droppedFrames: present.reduce((s, b) => s + (b.dropFrames ?? 0), 0),
    bitrateKbps: present.reduce((s, b) => s + (b.bitrateKbps ?? 0), 0),
    outTimeSec: Math.max(0, ...present.map((b) => (b.outTimeUs ?? 0) / 1e6)),
  };
}

/** The node's power right now, for progress displays (`watts`, `gpu_watts`). */
function liveWatts(measurement: Measurement | undefined): Record<string, number> {
  const w = measurement?.sampler.latestWatts();
  return {
    ...(w?.package === null || w?.package === undefined ? {} : { watts: Math.round(w.package * 10) / 10 }),
    ...(w?.gpu === null || w?.gpu === undefined ? {} : { gpu_watts: Math.round(w.gpu * 10) / 10 }),
  };
}

function encodedBytes(stderr: string): number | undefined {
  const sizes = parseEncodedBytes(stderr);
  return sizes ? sizes.videoBytes + sizes.audioBytes : undefined;
}

function timeoutMs(params: JobParameters, options: ExecuteOptions): number {
  if (params.timeout_sec !== undefined) return params.timeout_sec * 1000;
  // A live encode is real time: twice its duration plus a minute is already a hung process.
  if (params.mode === 'live') return ((params.duration ?? 60) * 2 + 60) * 1000;
  return options.defaultFileTimeoutMs;
}

function fileBytes(plan: EncodePlan): number | undefined {
  const files = plan.processes.flatMap((p) => p.outputs).filter((o) => o.kind === 'file');
  if (files.length === 0) return undefined;
  return files.reduce((sum, o) => {
    try {
      return sum + statSync(o.target).size;
    } catch {
      return sum;
    }
  }, 0);
}

function failureMessage(outcome: PlanOutcome, timeout: number): string | undefined {
  if (outcome.timedOut)
    return `timed out after ${Math.round(timeout / 1000)} s (timeout_sec); FFmpeg was stopped`;
  const failed = outcome.processes.filter((p) => p.exit.code !== 0 || p.exit.spawnError);
  if (failed.length === 0) return undefined;
  const first = failed.find((p) => !(outcome.failedFast && p.exit.signal === 'SIGTERM')) ?? failed[0];
  if (!first) return undefined;
  const tail = first.stderrTail.split('\n').slice(-15).join('\n');
  return `ffmpeg process ${first.index + 1}/${outcome.processes.length} ${describeExit(first.exit)} after ${(first.exit.wallMs / 1000).toFixed(1)} s${tail ? `: ${tail}` : ''}`;
}

type ResultFields = Omit<ResultBody, 'job_id' | 'node_id' | 'attempt' | 'status' | 'error' | 'completed_at'>;

/** The result of this attempt: completed unless there is an error. */
function resultOf(run: JobRun, error: string | null, completedAt: number, fields: ResultFields): JobEnd {
  return {
    kind: 'result',
    result: {
      job_id: run.job.id,
      node_id: run.nodeId,
      attempt: run.job.attempt,
      status: error ? 'failed' : 'completed',
      completed_at: new Date(completedAt).toISOString(),
      error,
      ...fields,
    },
  };
}

/**
 * Runs one attempt of a job: plans the encode, runs FFmpeg, renews the lease with progress (and
 * learns of a cancel that way), and returns the result to upload.
 */
export async function executeJob(run: JobRun): Promise<JobEnd> {
  const { job, client, nodeId, options } = run;
  const stop = new AbortController();
  let abandoned: string | undefined;
  const onForce = () => stop.abort();
  run.signal.addEventListener('abort', onForce, { once: true });
  const jobDir = join(options.workDir, 'jobs', `${job.id}-${job.attempt}`);
  const blocks: (ProgressBlock | undefined)[] = [];
  let params: JobParameters | undefined;
  let plan: EncodePlan | undefined;

  const report = async () => {
    const stats = liveStats(blocks);
    const duration = params?.duration;
    const progress = duration ? Math.min(0.99, stats.outTimeSec / duration) : undefined;
    try {
      await client.reportProgress(job.id, {
        node_id: nodeId,
        attempt: job.attempt,
        ...(progress === undefined ? {} : { progress }),
        stats: {
          ...liveWatts(run.measurement),
          fps: stats.fps,
          speed: stats.speed,
          frames: stats.frames,
          dropped_frames: stats.droppedFrames,
          bitrate_kbps: stats.bitrateKbps,
        },
      });
    } catch (error) {
      const code = isFfrtmpError(error) ? error.code : undefined;
      if (code === 'E_INVALID_TRANSITION' || code === 'E_STALE_ATTEMPT' || code === 'E_JOB_NOT_FOUND') {
        abandoned = `the master answered ${code}: ${(error as Error).message}`;
        stop.abort();
      }
      // Unreachable master: keep encoding; heartbeats or the next report renew the lease.
    }
  };
  const reporter = setInterval(() => void report(), options.progressIntervalMs);

  try {
    params = parseJobParameters(job.parameters);
    mkdirSync(jobDir, { recursive: true });
    await report(); // marks the job running at once
    const measurement = run.measurement;
    if (params.type === 'baseline') {
      // The idle node, measured: energy while nothing runs, the floor every job is compared with.
      const window = measurement?.sampler.openWindow();
      await delay((params.duration ?? 0) * 1000, stop.signal);
      const measured = window?.close();
      if (abandoned) return { kind: 'abandoned', reason: abandoned };
      const fresh = measured ? baselineFrom(measured) : undefined;
      if (fresh && !run.signal.aborted) measurement?.setBaseline(fresh);
      const ledger = measured
        ? buildLedger({
            window: measured,
            baseline: fresh,
            jobCpuSec: 0,
            metrics: null,
            pixels: 0,
            bitrateMbps: 0,
          })
        : undefined;
      return resultOf(run, run.signal.aborted ? 'agent stopped during the baseline' : null, Date.now(), {
        metrics: {
          duration: measured ? Math.round(measured.durationSec * 1000) / 1000 : (params.duration ?? 0),
          transcode_duration_sec: 0,
          frames_encoded: 0,
        },
        ...(ledger ? { power: ledger.power, energy: ledger.energy, samples: ledger.samples } : {}),
        analyzer_output: {
          ...(ledger ? { ...ledger.figures, warnings: ledger.warnings } : {}),
          baseline: fresh ?? null,
        },
      });
    }

    // Stabilization: let the node settle (the previous job's heat, page cache) before measuring.
    if (params.stabilization) await delay(params.stabilization * 1000, stop.signal);
    if (abandoned) return { kind: 'abandoned', reason: abandoned };
    const input =
      params.mode === 'file' && params.input !== undefined
        ? await probeInput(ffprobeFor(options.ffmpegPath), join(options.mediaDir, params.input))
        : undefined;
    plan = planEncode(params, {
      ...(input ? { input } : {}),
      workDir: jobDir,
      mediaDir: options.mediaDir,
      streamKey: job.id,
      ffmpegPath: options.ffmpegPath,
      ...(options.rtmpBaseUrl ? { rtmpBaseUrl: options.rtmpBaseUrl } : {}),
    });
    for (const w of plan.warnings) run.log(w, { job_id: job.id });
    const limit = timeoutMs(params, options);
    const window = measurement?.sampler.openWindow();
    const outcome = await runPlan(plan, {
      cwd: jobDir,
      signal: stop.signal,
      timeoutMs: limit,
      graceMs: options.graceMs,
      procRoot: options.procRoot,
      onProgress: (index, block) => {
        blocks[index] = block;
        run.onStats?.(liveStats(blocks));
      },
    });
    const measured = window?.close();
    if (abandoned) return { kind: 'abandoned', reason: abandoned };

    const reports: ProcessReport[] = outcome.processes.map((p) => ({
      frames: p.lastProgress?.frame ?? 0,
      outTimeSec: (p.lastProgress?.outTimeUs ?? 0) / 1e6,
      outputBytes: encodedBytes(p.stderrTail) ?? p.lastProgress?.totalSize ?? 0,
      dropFrames: p.lastProgress?.dropFrames ?? 0,
      dupFrames: p.lastProgress?.dupFrames ?? 0,
      cpuSeconds: p.exit.cpuSeconds,
      peakRssBytes: p.peakRssBytes,
      outputFps: plan?.processes[p.index]?.outputs.map((o) => o.fps) ?? [],
    }));
    const metrics = summarizeEncode(reports, outcome.wallMs / 1000, fileBytes(plan));
    const error = run.signal.aborted
      ? 'agent was forced to stop during the encode'
      : failureMessage(outcome, limit);
    const failedExit = outcome.processes.find((p) => p.exit.code !== 0 || p.exit.signal);
    const outputs = plan.processes.flatMap((p) => p.outputs);
    const ledger = measured
      ? buildLedger({
          window: measured,
          baseline: measurement?.baseline(),
          jobCpuSec: outcome.processes.reduce((sum, p) => sum + p.exit.cpuSeconds, 0),
          metrics,
          pixels: outputs.reduce((sum, o) => {
            const [w = 0, h = 0] = o.resolution.split('x').map(Number);
            return sum + w * h * o.fps * metrics.duration;
          }, 0),
          bitrateMbps: outputs.reduce((sum, o) => sum + (parseBitrateKbps(o.bitrate) ?? 0), 0) / 1000,
        })
      : undefined;
    for (const w of ledger?.warnings ?? []) run.log(w, { job_id: job.id });
    // Quality after the window: decoding and comparing must not count in the encode's energy.
    const quality =
      params.quality && !error
        ? await measureQuality(
            plan,
            params,
            params.input === undefined ? undefined : join(options.mediaDir, params.input),
            options.ffmpegPath,
            stop.signal,
          )
        : undefined;
    // Cooldown: idle after the encode, outside the window, so the next job starts from rest.
    if (params.cooldown && !error) await delay(params.cooldown * 1000, stop.signal);
    return resultOf(run, error ?? null, outcome.endedAt, {
      metrics: {
        ...metrics,
        ...(failedExit ? { exit_code: failedExit.exit.code, exit_signal: failedExit.exit.signal } : {}),
        ...(outcome.timedOut ? { timed_out: true } : {}),
      },
      ...(ledger ? { power: ledger.power, energy: ledger.energy, samples: ledger.samples } : {}),
      ...(quality ? { quality: { ...quality } } : {}),
      analyzer_output: {
        ...(ledger?.figures ?? {}),
        started_at: new Date(outcome.startedAt).toISOString(),
        ended_at: new Date(outcome.endedAt).toISOString(),
        outputs: plan.processes.flatMap((p) =>
          p.outputs.map((o) => ({
            resolution: o.resolution,
            fps: o.fps,
            bitrate: o.bitrate,
            kind: o.kind,
          })),
        ),
        warnings: [...plan.warnings, ...(ledger?.warnings ?? []), ...(quality?.errors ?? [])],
      },
    });
  } catch (error) {
    if (abandoned) return { kind: 'abandoned', reason: abandoned };
    // Bad parameters (an agent older than the master) or a plan that cannot run here: a failed result, not a crash.
    const message = isFfrtmpError(error) ? error.message : `agent error: ${(error as Error).message}`;
    if (!isFfrtmpError(error))
      run.log('job failed with an agent error', { job_id: job.id, err: String((error as Error).stack) });
    return resultOf(run, message, Date.now(), { metrics: {} });
  } finally {
    clearInterval(reporter);
    run.signal.removeEventListener('abort', onForce);
    rmSync(jobDir, { recursive: true, force: true });
  }
}
