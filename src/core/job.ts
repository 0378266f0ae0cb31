import { FfrtmpError } from './errors.js';
import type { JobParameters } from './job-parameters.js';

/**
 * The job model and its state machine (DESIGN §3). Every transition is a pure function taking the
 * current job and `now` (epoch ms) and returning the next job, or throwing E_INVALID_TRANSITION /
 * E_STALE_ATTEMPT. Stores apply these inside their transactions, so the rules live in one place.
 *
 *   queued → assigned → running → completed | failed | canceled
 *   assigned|running --lease lapses--> queued (attempt+1, backoff) | failed (retries exhausted)
 */

export const JOB_STATUSES = ['queued', 'assigned', 'running', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_STATUSES = ['assigned', 'running'] as const satisfies readonly JobStatus[];
export const TERMINAL_STATUSES = ['completed', 'failed', 'canceled'] as const satisfies readonly JobStatus[];

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Lower rank is served first; FIFO within a rank. */
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export const CONFIDENCES = ['auto', 'high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Job {
  id: string;
  scenario: string;
  confidence: Confidence;
  parameters: JobParameters;
  status: JobStatus;
  priority: Priority;
  node_id: string | null;
  /** Pins the job to one node (`ffrtmp test --node`); null lets any capable node take it. */
  target_node_id: string | null;
  run_id: string | null;
  requires: string[];
  /** Starts at 1; each requeue after a lost lease (or a manual retry) starts the next attempt. */
  attempt: number;
  retry_count: number;
  max_retries: number;
  progress: number;
  /** The holder's latest live figures (fps, speed, watts …), for progress displays; null before any. */
  stats: Record<string, number> | null;
  error: string | null;
  created_at: number;
  assigned_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  lease_expires_at: number | null;
  not_before: number | null;
}

export function isActive(status: JobStatus): boolean {
  return status === 'assigned' || status === 'running';
}

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'canceled';
}

function illegal(job: Job, action: string): FfrtmpError {
  return new FfrtmpError('E_INVALID_TRANSITION', `cannot ${action} job ${job.id}: it is ${job.status}`, {
    details: { job_id: job.id, status: job.status },
  });
}

/** True when `job` may run on a node that has `encoders` (FFmpeg encoder names). */
export function canRunOn(job: Pick<Job, 'requires'>, encoders: readonly string[]): boolean {
  return job.requires.every((r) => encoders.includes(r));
}

export function assign(job: Job, nodeId: string, now: number, leaseMs: number): Job {
  if (job.status !== 'queued') throw illegal(job, 'assign');
  return {
    ...job,
    status: 'assigned',
    node_id: nodeId,
    assigned_at: now,
    lease_expires_at: now + leaseMs,
    not_before: null,
    progress: 0,
    stats: null,
    error: null,
  };
}

/**
 * Fencing: a report about a job counts only when it comes from the node holding the job's current
 * attempt. A report without an attempt (the reference agent sends none) counts for the attempt
 * the sending node holds.
 */
export function assertHolder(job: Job, nodeId: string, attempt: number | undefined): void {
  if (job.node_id !== nodeId || (attempt !== undefined && attempt !== job.attempt)) {
    const holder = job.node_id === null ? 'no node' : `node ${job.node_id}`;
    throw new FfrtmpError(
      'E_STALE_ATTEMPT',
      `job ${job.id} attempt ${job.attempt} is held by ${holder}; report from node ${nodeId}` +
        `${attempt === undefined ? '' : ` for attempt ${attempt}`} is stale`,
      { details: { job_id: job.id, attempt: job.attempt, node_id: job.node_id } },
    );
  }
}

/** Progress (or a bare lease renewal) from the holder; the first one marks the job running. */
export function renew(
  job: Job,
  report: {
    nodeId: string;
    attempt?: number | undefined;
    progress?: number | undefined;
    stats?: Record<string, number> | undefined;
  },
  now: number,
  leaseMs: number,
): Job {
  // A holder whose job was requeued gets E_STALE_ATTEMPT; one whose job was canceled gets
  // E_INVALID_TRANSITION naming the status. Either way it stops the encode.
  assertHolder(job, report.nodeId, report.attempt);
  if (!isActive(job.status)) throw illegal(job, 'report progress for');
  const progress =
    report.progress === undefined ? job.progress : Math.min(1, Math.max(job.progress, report.progress));
  return {
    ...job,
    status: 'running',
    started_at: job.started_at ?? now,
    progress,
    stats: report.stats ?? job.stats,
    lease_expires_at: now + leaseMs,
  };
}

export interface Outcome {
  nodeId: string;
  attempt?: number | undefined;
  status: 'completed' | 'failed';
  error?: string | null | undefined;
}

/** The holder's final report. */
export function finish(job: Job, outcome: Outcome, now: number): Job {
  assertHolder(job, outcome.nodeId, outcome.attempt);
  if (!isActive(job.status)) throw illegal(job, `record a ${outcome.status} result for`);
  return {
    ...job,
    status: outcome.status,
    started_at: job.started_at ?? now,
    completed_at: now,
    progress: outcome.status === 'completed' ? 1 : job.progress,
    error: outcome.status === 'failed' ? (outcome.error ?? 'failed without an error message') : null,
    lease_expires_at: null,
  };
}

export function cancel(job: Job, now: number, reason = 'canceled by user'): Job {
  if (isTerminal(job.status)) throw illegal(job, 'cancel');
  return {
    ...job,
    status: 'canceled',
    completed_at: now,
    lease_expires_at: null,
    not_before: null,
    error: reason,
  };
}

/**
 * A manual retry of a failed or canceled job: the next attempt (so reports from the old one stay
 * fenced off), queued at once, with a fresh budget of automatic retries — the user asked for it.
 */
export function retry(job: Job): Job {
  if (job.status !== 'failed' && job.status !== 'canceled') throw illegal(job, 'retry');
  return {
    ...job,
    status: 'queued',
    attempt: job.attempt + 1,
    retry_count: 0,
    stats: null,
    node_id: null,
    progress: 0,
    error: null,
    assigned_at: null,
    started_at: null,
    completed_at: null,
    lease_expires_at: null,
    not_before: null,
  };
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2000, capMs: 300_000 };

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random, so
 * retries of many jobs lost together (one dead node) spread out but never come back immediately.
 * `random` is a number in [0, 1) supplied by the caller.
 */
export function backoffMs(
  retryNumber: number,
  random: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1));
}

export function leaseExpired(job: Job, now: number): boolean {
  return isActive(job.status) && job.lease_expires_at !== null && job.lease_expires_at <= now;
}

/**
 * The holder stopped renewing. Requeue as the next attempt after a backoff, or fail the job once
 * `max_retries` retries are used up.
 */
export function expireLease(
  job: Job,
  now: number,
  random: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): Job {
  if (!leaseExpired(job, now)) throw illegal(job, 'expire the lease of');
  const reason = `lease expired on node ${job.node_id ?? '?'} (attempt ${job.attempt})`;
  if (job.retry_count >= job.max_retries) {
    return {
      ...job,
      status: 'failed',
      completed_at: now,
      lease_expires_at: null,
      error: `${reason}; gave up after ${job.retry_count} retries (max_retries ${job.max_retries})`,
    };
  }
  const retryNumber = job.retry_count + 1;
  return {
    ...job,
    status: 'queued',
    attempt: job.attempt + 1,
    retry_count: retryNumber,
    stats: null,
    node_id: null,
    progress: 0,
    error: reason,
    assigned_at: null,
    started_at: null,
    lease_expires_at: null,
    not_before: now + backoffMs(retryNumber, random, options),
  };
}

/** Whether a queued job may be handed out now (its retry backoff has passed). */
export function isReady(job: Job, now: number): boolean {
  return job.status === 'queued' && (job.not_before === null || job.not_before <= now);
}
