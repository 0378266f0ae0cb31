import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sampler, WindowMeasurement } from '../power/sampler.js';
import { delay } from './delay.js';

/**
 * The node's idle power, so results can report net energy above idle. Measured when the agent
 * starts (unless a recent one for the same source is cached in the work dir) and again whenever
 * a `type: baseline` job runs; cached in `<work-dir>/baseline.json`.
 */
export interface Baseline {
  package_watts: number;
  dram_watts: number | null;
  gpu_watts: number | null;
  /** Source of the package figure (`rapl`, `estimated:…`): a cache for another source is stale. */
  source: string;
  measured_at: string;
  duration_sec: number;
}

const FILE = 'baseline.json';

export function baselineFrom(w: WindowMeasurement): Baseline | undefined {
  const watts = (j: number | null | undefined) =>
    j === null || j === undefined || w.durationSec <= 0 ? null : j / w.durationSec;
  const pkg = watts(w.package.joules);
  if (pkg === null || pkg <= 0) return undefined;
  return {
    package_watts: round(pkg),
    dram_watts: w.dram ? watts(w.dram.joules) : null,
    gpu_watts: w.gpu ? watts(w.gpu.joules) : null,
    source: w.package.source,
    measured_at: new Date(w.end).toISOString(),
    duration_sec: round(w.durationSec),
  };
}

export function loadBaseline(
  workDir: string,
  source: string,
  maxAgeMs: number,
  now: number,
): Baseline | undefined {
  try {
    const b = JSON.parse(readFileSync(join(workDir, FILE), 'utf8')) as Baseline;
    const age = now - Date.parse(b.measured_at);
    return b.source === source && age >= 0 && age <= maxAgeMs && b.package_watts > 0 ? b : undefined;
  } catch {
    return undefined;
  }
}

export function saveBaseline(workDir: string, b: Baseline): void {
  const tmp = join(workDir, `.${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(b, null, 2));
  renameSync(tmp, join(workDir, FILE));
}

/** Measures idle power for `ms` (nothing else should run; the agent takes no job meanwhile). */
export async function measureBaseline(
  sampler: Sampler,
  ms: number,
  signal?: AbortSignal,
): Promise<Baseline | undefined> {
  const window = sampler.openWindow();
  await delay(ms, signal);
  return baselineFrom(window.close());
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
