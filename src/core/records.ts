import { requiresOf, type JobParameters } from './job-parameters.js';
import type { Confidence, Job, Priority } from './job.js';

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
