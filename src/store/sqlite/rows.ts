import type { Confidence, Job, JobStatus, Priority } from '../../core/job.js';
import { PRIORITIES, PRIORITY_RANK } from '../../core/job.js';
import type { JobParameters } from '../../core/job-parameters.js';
import type { Node, NodeStatus, NodeType, PowerSource } from '../../core/node.js';
import { type JobResult, type Run, type RunEntry, runStatus } from '../../core/records.js';

/** Rows as better-sqlite3 returns them, and their mapping to domain objects. */

export interface NodeRow {
  seq: number;
  id: string;
  node_key: string | null;
  address: string;
  type: string;
  cpu_threads: number;
  cpu_model: string;
  has_gpu: number;
  gpu_type: string | null;
  ram_bytes: number;
  labels: string;
  encoders: string;
  power_sources: string;
  max_concurrent_jobs: number;
  agent_version: string | null;
  ffmpeg_version: string | null;
  offline: number;
  /** Derived in the SELECT (NODE_SELECT), not stored. */
  status: string;
  current_job_id: string | null;
  last_heartbeat: number;
  registered_at: number;
}

export interface JobRow {
  seq: number;
  id: string;
  scenario: string;
  confidence: string;
  parameters: string;
  requires: string;
  status: string;
  priority: number;
  node_id: string | null;
  target_node_id: string | null;
  run_id: string | null;
  attempt: number;
  retry_count: number;
  max_retries: number;
  progress: number;
  stats: string | null;
  error: string | null;
  created_at: number;
  assigned_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  lease_expires_at: number | null;
  not_before: number | null;
}

export interface ResultRow {
  seq: number;
  job_id: string;
  attempt: number;
  node_id: string;
  status: string;
  completed_at: number;
  received_at: number;
  error: string | null;
  body: string;
}

export function fromNodeRow(r: NodeRow): Node {
  return {
    id: r.id,
    node_key: r.node_key,
    address: r.address,
    type: r.type as NodeType,
    cpu_threads: r.cpu_threads,
    cpu_model: r.cpu_model,
    has_gpu: r.has_gpu === 1,
    gpu_type: r.gpu_type,
    ram_bytes: r.ram_bytes,
    labels: JSON.parse(r.labels) as Record<string, string>,
    encoders: JSON.parse(r.encoders) as string[],
    power_sources: JSON.parse(r.power_sources) as PowerSource[],
    max_concurrent_jobs: r.max_concurrent_jobs,
    agent_version: r.agent_version,
    ffmpeg_version: r.ffmpeg_version,
    status: r.status as NodeStatus,
    current_job_id: r.current_job_id,
    last_heartbeat: r.last_heartbeat,
    registered_at: r.registered_at,
  };
}

export function fromJobRow(r: JobRow): Job {
  return {
    id: r.id,
    scenario: r.scenario,
    confidence: r.confidence as Confidence,
    parameters: JSON.parse(r.parameters) as JobParameters,
    status: r.status as JobStatus,
    priority: PRIORITIES[r.priority] as Priority,
    node_id: r.node_id,
    target_node_id: r.target_node_id,
    run_id: r.run_id,
    requires: JSON.parse(r.requires) as string[],
    attempt: r.attempt,
    retry_count: r.retry_count,
    max_retries: r.max_retries,
    progress: r.progress,
    stats: r.stats === null ? null : (JSON.parse(r.stats) as Record<string, number>),
    error: r.error,
    created_at: r.created_at,
    assigned_at: r.assigned_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    lease_expires_at: r.lease_expires_at,
    not_before: r.not_before,
  };
}

/** Named parameters for INSERT/UPDATE of a job. */
export function toJobParams(job: Job) {
  return {
    id: job.id,
    scenario: job.scenario,
    confidence: job.confidence,
    parameters: JSON.stringify(job.parameters),
    requires: JSON.stringify(job.requires),
    status: job.status,
    priority: PRIORITY_RANK[job.priority],
    node_id: job.node_id,
    target_node_id: job.target_node_id,
    run_id: job.run_id,
    attempt: job.attempt,
    retry_count: job.retry_count,
    max_retries: job.max_retries,
    progress: job.progress,
    stats: job.stats === null ? null : JSON.stringify(job.stats),
    error: job.error,
    created_at: job.created_at,
    assigned_at: job.assigned_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    lease_expires_at: job.lease_expires_at,
    not_before: job.not_before,
  };
}

export function fromResultRow(r: ResultRow): JobResult {
  const body = JSON.parse(r.body) as Pick<
    JobResult,
    'metrics' | 'power' | 'energy' | 'quality' | 'samples' | 'analyzer_output'
  >;
  return {
    job_id: r.job_id,
    node_id: r.node_id,
    attempt: r.attempt,
    status: r.status as JobResult['status'],
    completed_at: r.completed_at,
    received_at: r.received_at,
    error: r.error,
    ...body,
  };
}

export interface RunRow {
  seq: number;
  id: string;
  name: string;
  options: string;
  entries: string;
  created_at: number;
}

export function toRun(r: RunRow, job_counts: Record<JobStatus, number>): Run {
  return {
    id: r.id,
    name: r.name,
    created_at: r.created_at,
    options: JSON.parse(r.options) as Record<string, unknown>,
    entries: JSON.parse(r.entries) as RunEntry[],
    job_counts,
    status: runStatus(job_counts),
  };
}
