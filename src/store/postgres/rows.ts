import type { Confidence, Job, JobStatus, Priority } from '../../core/job.js';
import { PRIORITIES, PRIORITY_RANK } from '../../core/job.js';
import type { JobParameters } from '../../core/job-parameters.js';
import type { Node, NodeRegistration, NodeStatus, NodeType, PowerSource } from '../../core/node.js';
import { type JobResult, type Run, type RunEntry, runStatus } from '../../core/records.js';

/**
 * Rows as node-postgres returns them (JSONB already parsed, BIGINT read as numbers by the pool's
 * type parser), and their mapping to domain objects and back to query parameters.
 */

export interface NodeRow {
  seq: number;
  id: string;
  node_key: string | null;
  address: string;
  type: string;
  cpu_threads: number;
  cpu_model: string;
  has_gpu: boolean;
  gpu_type: string | null;
  ram_bytes: number;
  labels: Record<string, string>;
  encoders: string[];
  power_sources: PowerSource[];
  max_concurrent_jobs: number;
  agent_version: string | null;
  ffmpeg_version: string | null;
  offline: boolean;
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
  parameters: JobParameters;
  requires: string[];
  status: string;
  priority: number;
  node_id: string | null;
  target_node_id: string | null;
  run_id: string | null;
  attempt: number;
  retry_count: number;
  max_retries: number;
  progress: number;
  stats: Record<string, number> | null;
  error: string | null;
  created_at: number;
  assigned_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  lease_expires_at: number | null;
  not_before: number | null;
}

type ResultBody = Pick<JobResult, 'metrics' | 'power' | 'energy' | 'quality' | 'samples' | 'analyzer_output'>;

export interface ResultRow {
  seq: number;
  job_id: string;
  attempt: number;
  node_id: string;
  status: string;
  completed_at: number;
  received_at: number;
  error: string | null;
  body: ResultBody;
}

export function fromNodeRow(r: NodeRow): Node {
  return {
    id: r.id,
    node_key: r.node_key,
    address: r.address,
    type: r.type as NodeType,
    cpu_threads: r.cpu_threads,
    cpu_model: r.cpu_model,
    has_gpu: r.has_gpu,
    gpu_type: r.gpu_type,
    ram_bytes: r.ram_bytes,
    labels: r.labels,
    encoders: r.encoders,
    power_sources: r.power_sources,
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
    parameters: r.parameters,
    status: r.status as JobStatus,
    priority: PRIORITIES[r.priority] as Priority,
    node_id: r.node_id,
    target_node_id: r.target_node_id,
    run_id: r.run_id,
    requires: r.requires,
    attempt: r.attempt,
    retry_count: r.retry_count,
    max_retries: r.max_retries,
    progress: r.progress,
    stats: r.stats,
    error: r.error,
    created_at: r.created_at,
    assigned_at: r.assigned_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    lease_expires_at: r.lease_expires_at,
    not_before: r.not_before,
  };
}

export function fromResultRow(r: ResultRow): JobResult {
  return {
    job_id: r.job_id,
    node_id: r.node_id,
    attempt: r.attempt,
    status: r.status as JobResult['status'],
    completed_at: r.completed_at,
    received_at: r.received_at,
    error: r.error,
    ...r.body,
  };
}

/** JSON goes in as text cast to JSONB: node-postgres would turn a JS array into a PostgreSQL array. */
const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** Parameters $1..$22 of INSERT_JOB, in column order. */
export function jobInsertParams(job: Job): unknown[] {
  return [
    job.id,
    job.scenario,
    job.confidence,
    json(job.parameters),
    json(job.requires),
    job.status,
    PRIORITY_RANK[job.priority],
    job.node_id,
    job.target_node_id,
    job.run_id,
    job.attempt,
    job.retry_count,
    job.max_retries,
    job.progress,
    json(job.stats),
    job.error,
    job.created_at,
    job.assigned_at,
    job.started_at,
    job.completed_at,
    job.lease_expires_at,
    job.not_before,
  ];
}

/** Parameters of UPDATE_JOB: the state a core transition produced, then the expected old state. */
export function jobUpdateParams(before: Job, after: Job): unknown[] {
  return [
    after.id,
    after.status,
    after.node_id,
    after.attempt,
    after.retry_count,
    after.progress,
    json(after.stats),
    after.error,
    after.assigned_at,
    after.started_at,
    after.completed_at,
    after.lease_expires_at,
    after.not_before,
    before.status,
    before.attempt,
  ];
}

export function nodeParams(r: NodeRegistration): unknown[] {
  return [
    r.node_key,
    r.address,
    r.type,
    r.cpu_threads,
    r.cpu_model,
    r.has_gpu,
    r.gpu_type,
    r.ram_bytes,
    json(r.labels),
    json(r.encoders),
    json(r.power_sources),
    r.max_concurrent_jobs,
    r.agent_version,
    r.ffmpeg_version,
  ];
}

export function resultParams(r: JobResult): unknown[] {
  const body: ResultBody = {
    metrics: r.metrics,
    power: r.power,
    energy: r.energy,
    quality: r.quality,
    samples: r.samples,
    analyzer_output: r.analyzer_output,
  };
  return [r.job_id, r.attempt, r.node_id, r.status, r.completed_at, r.received_at, r.error, json(body)];
}

export interface RunRow {
  seq: number;
  id: string;
  name: string;
  options: Record<string, unknown>;
  entries: RunEntry[];
  created_at: number;
}

export function toRun(r: RunRow, job_counts: Record<JobStatus, number>): Run {
  return {
    id: r.id,
    name: r.name,
    created_at: r.created_at,
    options: r.options,
    entries: r.entries,
    job_counts,
    status: runStatus(job_counts),
  };
}

export function runParams(r: Pick<Run, 'id' | 'name' | 'options' | 'entries' | 'created_at'>): unknown[] {
  return [r.id, r.name, json(r.options), json(r.entries), r.created_at];
}
