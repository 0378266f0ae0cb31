import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { delay } from '../agent/delay.js';
import type { MasterClient } from '../core/client.js';
import type { JobJson } from '../core/contract/schemas.js';
import { isFfrtmpError } from '../core/errors.js';
import { type ScenarioRecord, resultsDocument, toScenarioRecord } from '../core/run-stats.js';
import type { Scenario } from '../core/scenarios.js';

/**
 * The benchmark runner: each scenario becomes a job on a master (the one code path shared with
 * distributed mode), run one after another; the results file is rewritten after every scenario,
 * so an interrupted run keeps what finished.
 */

export type Phase = 'queued' | 'stabilizing' | 'measuring' | 'cooling down' | 'uploading';

export interface RunProgress {
  index: number;
  total: number;
  scenario: string;
  phase: Phase;
  elapsedSec: number;
  /** Estimated seconds left for this scenario, when its duration is known. */
  remainingSec: number | null;
  /** The node's power right now, from the job's latest progress report. */
  watts: number | null;
}

export interface RunScenariosOptions {
  client: MasterClient;
  scenarios: readonly Scenario[];
  outputFile: string;
  runId: string;
  /** Pin every job to this node (`--node`). */
  targetNodeId?: string | undefined;
  /** Aborting cancels the running job, writes what finished, and returns. */
  signal: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  onScenarioDone?: (record: ScenarioRecord, index: number) => void;
  pollMs?: number;
  now?: () => number;
}

export interface RunOutcome {
  records: ScenarioRecord[];
  outputFile: string;
  interrupted: boolean;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function phaseOf(
  job: JobJson,
  params: Record<string, unknown>,
  now: number,
): { phase: Phase; remaining: number | null } {
  if (job.status === 'queued' || job.status === 'assigned' || job.started_at === null) {
    return { phase: 'queued', remaining: null };
  }
  const stab = num(params.stabilization);
  const dur = num(params.duration);
  const cool = num(params.cooldown);
  const t = (now - Date.parse(job.started_at)) / 1000;
  const total = stab + dur + cool;
  const remaining = dur > 0 ? Math.max(0, total - t) : null;
  if (t < stab) return { phase: 'stabilizing', remaining };
  if (dur === 0 || t < stab + dur) return { phase: 'measuring', remaining };
  if (t < total) return { phase: 'cooling down', remaining };
  return { phase: 'uploading', remaining: 0 };
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function runScenarios(o: RunScenariosOptions): Promise<RunOutcome> {
  const now = o.now ?? Date.now;
  const testDate = now();
  const records: ScenarioRecord[] = [];
  const save = () =>
    writeAtomically(o.outputFile, `${JSON.stringify(resultsDocument(testDate, records), null, 2)}\n`);

  for (const [index, scenario] of o.scenarios.entries()) {
    if (o.signal.aborted) break;
    const submitted = await o.client.submitJob({
      scenario: scenario.name,
      parameters: scenario.parameters,
      run_id: o.runId,
      ...(o.targetNodeId ? { target_node_id: o.targetNodeId } : {}),
    });
    const started = now();
    let job: JobJson = submitted;
    while (job.status !== 'completed' && job.status !== 'failed' && job.status !== 'canceled') {
      if (o.signal.aborted) {
        await o.client.cancelJob(job.id).catch((error: unknown) => {
          if (!isFfrtmpError(error) || error.code !== 'E_INVALID_TRANSITION') throw error;
        });
        save();
        return { records, outputFile: o.outputFile, interrupted: true };
      }
      const { phase, remaining } = phaseOf(job, scenario.parameters, now());
      o.onProgress?.({
        index,
        total: o.scenarios.length,
        scenario: scenario.name,
        phase,
        elapsedSec: (now() - started) / 1000,
        remainingSec: remaining,
        watts: job.stats?.watts ?? null,
      });
      await delay(o.pollMs ?? 500, o.signal);
      job = await o.client.getJob(job.id);
    }
    const result = await o.client.getResult(job.id).catch((error: unknown) => {
      if (isFfrtmpError(error) && error.code === 'E_RESULT_NOT_FOUND') return undefined;
      throw error;
    });
    const analyzer = result?.analyzer_output ?? null;
    const startIso =
      (typeof analyzer?.started_at === 'string' ? analyzer.started_at : null) ?? job.started_at;
    const endIso = (typeof analyzer?.ended_at === 'string' ? analyzer.ended_at : null) ?? job.completed_at;
    const record = toScenarioRecord(scenario, job, result, { startIso, endIso });
    records.push(record);
    save();
    o.onScenarioDone?.(record, index);
  }
  save();
  return { records, outputFile: o.outputFile, interrupted: o.signal.aborted };
}
