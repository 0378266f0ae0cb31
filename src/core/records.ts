import { requiresOf, type JobParameters } from './job-parameters.js';
import { type Confidence, JOB_STATUSES, type Job, type JobStatus, type Priority } from './job.js';
import type { ScenarioKind } from './scenarios.js';

/** What `enqueue` needs: a validated submission plus the id and time the caller chose. */
export interface NewJob {
  id: string;
  scenario: string;
  confidence: Confidence;
  parameters: JobParameters;
  priority: Priority;
  max_retries: number;
  run_id: string | null;
  target_node_id: string | null;
}

export function toJob(job: NewJob, now: number): Job {
  return {
    ...job,
    status: 'queued',
    node_id: null,
    requires: requiresOf(job.parameters),
    attempt: 1,
    retry_count: 0,
    progress: 0,
    stats: null,
    error: null,
    created_at: now,
    assigned_at: null,
    started_at: null,
    completed_at: null,
    lease_expires_at: null,
    not_before: null,
  };
}

/** Free-form but bounded measurement sections of a result (validated by the HTTP contract). */
export type ResultSection = Record<string, unknown>;

/** One attempt's outcome as uploaded by the agent that held it (DESIGN §3 Result). */
export interface JobResult {
  job_id: string;
  node_id: string;
  attempt: number;
  status: 'completed' | 'failed';
  /** When the agent finished (epoch ms); the agent's clock. */
  completed_at: number;
  /** When the master stored it (epoch ms). */
  received_at: number;
  error: string | null;
  metrics: ResultSection;
  power: ResultSection | null;
  energy: ResultSection | null;
  quality: ResultSection | null;
  samples: unknown[] | null;
  analyzer_output: ResultSection | null;
}

/** A result as uploaded; without `attempt` (the reference agent) it counts for the attempt the node holds. */
export type ResultUpload = Omit<JobResult, 'attempt' | 'received_at'> & { attempt?: number | undefined };

/** How a run's job came to be: the scenario kind, and its repetition (`--repeat N`) if any. */
export interface RunEntry {
  job_id: string;
  kind: ScenarioKind;
  /** The scenario name the repetitions share; null when not repeated. */
  group: string | null;
  /** 1..n for a repetition; null when not repeated. */
  repetition: number | null;
}

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A benchmark run (DESIGN §3 Run): a named, ordered set of jobs. */
export interface Run {
  id: string;
  name: string;
  created_at: number;
  /** The runner's options (repeat, baseline, …): small free-form JSON, stored as given. */
  options: Record<string, unknown>;
  /** The run's jobs in submission order. */
  entries: RunEntry[];
  /** How many of the run's jobs are in each status. */
  job_counts: Record<JobStatus, number>;
  /** Derived from job_counts by runStatus. */
  status: RunStatus;
}

/** What `createRun` stores besides the jobs. */
export type NewRun = Pick<Run, 'id' | 'name' | 'options' | 'entries'>;

/**
 * A run's status from its jobs' statuses: `queued` while none has started, `running` while any is
 * not finished, then `completed` when all completed, else `failed` when any failed, else `canceled`.
 */
export function runStatus(counts: Record<JobStatus, number>): RunStatus {
  const total = JOB_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  if (counts.queued === total) return 'queued';
  if (counts.queued + counts.assigned + counts.running > 0) return 'running';
  if (counts.completed === total) return 'completed';
  return counts.failed > 0 ? 'failed' : 'canceled';
}

/** Zero for every job status. */
export function emptyJobCounts(): Record<JobStatus, number> {
  return Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
}

/** The scenario kind a job's parameters describe, when the submitter did not say. */
export function scenarioKindOf(p: JobParameters): ScenarioKind {
  if (p.type === 'baseline') return 'baseline';
  return (p.bitrates?.length ?? 0) > 1 || (p.streams ?? 1) > 1 ? 'multi' : 'single';
}
