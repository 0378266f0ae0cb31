import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { delay } from '../agent/delay.js';
import type { MasterClient } from '../core/client.js';
import type { JobJson, RunJson } from '../core/contract/schemas.js';
import { isFfrtmpError } from '../core/errors.js';
import { type ScenarioRecord, resultsDocument, scenarioTimes, toScenarioRecord } from '../core/run-stats.js';
import type { Scenario } from '../core/scenarios.js';

/**
 * The benchmark runner: the scenarios become one run on a master (`POST /runs`, the one code path
 * shared with distributed mode), whose jobs run one after another; the results file is rewritten
 * after every scenario, so an interrupted run keeps what finished. `GET /runs/{id}` serves the same
 * document from the master.
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
  /** The run's name on the master. */
  name: string;
  /** The runner's options, kept with the run (repeat, baseline, …). */
  options?: Record<string, unknown>;
  /** Pin every job to this node (`--node`). */
  targetNodeId?: string | undefined;
  /** Aborting cancels the run's unfinished jobs, writes what finished, and returns. */
  signal: AbortSignal;
  /** Called once the master has created the run (and queued every job). */
  onRunCreated?: (run: RunJson) => void;
  onProgress?: (p: RunProgress) => void;
  onScenarioDone?: (record: ScenarioRecord, index: number) => void;
  pollMs?: number;
  now?: () => number;
}

export interface RunOutcome {
  runId: string;
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

/** Cancels what is still queued or running; a job that finished meanwhile is left as it is. */
async function cancelUnfinished(client: MasterClient, jobIds: readonly string[]): Promise<void> {
  for (const id of jobIds) {
    await client.cancelJob(id).catch((error: unknown) => {
      if (!isFfrtmpError(error) || error.code !== 'E_INVALID_TRANSITION') throw error;
    });
  }
}

export async function runScenarios(o: RunScenariosOptions): Promise<RunOutcome> {
  const now = o.now ?? Date.now;
  const run = await o.client.createRun({
    name: o.name,
    options: o.options ?? {},
    jobs: o.scenarios.map((s) => ({
      scenario: s.name,
      parameters: s.parameters,
      kind: s.kind,
      group: s.group ?? null,
      repetition: s.repetition ?? null,
      ...(o.targetNodeId ? { target_node_id: o.targetNodeId } : {}),
    })),
  });
  o.onRunCreated?.(run);
  const jobIds = run.entries.map((e) => e.job_id);
  const testDate = Date.parse(run.created_at);
  const records: ScenarioRecord[] = [];
  const save = () =>
    writeAtomically(o.outputFile, `${JSON.stringify(resultsDocument(testDate, records), null, 2)}\n`);
  const outcome = (interrupted: boolean): RunOutcome => ({
    runId: run.id,
    records,
    outputFile: o.outputFile,
    interrupted,
  });

  for (const [index, scenario] of o.scenarios.entries()) {
    const jobId = jobIds[index];
    if (jobId === undefined) throw new Error(`run ${run.id} has no job for scenario ${index + 1}`);
    const started = now();
    let job: JobJson = await o.client.getJob(jobId);
    while (job.status !== 'completed' && job.status !== 'failed' && job.status !== 'canceled') {
      if (o.signal.aborted) {
        await cancelUnfinished(o.client, jobIds.slice(index));
        save();
        return outcome(true);
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
    const record = toScenarioRecord(scenario, job, result, scenarioTimes(job, result));
    records.push(record);
    save();
    o.onScenarioDone?.(record, index);
    if (o.signal.aborted) {
      await cancelUnfinished(o.client, jobIds.slice(index + 1));
      save();
      return outcome(true);
    }
  }
  save();
  return outcome(o.signal.aborted);
}
