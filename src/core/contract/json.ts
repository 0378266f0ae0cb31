import type { Job } from '../job.js';
import type { Node } from '../node.js';
import type { JobResult, ResultUpload, Run } from '../records.js';
import type { JobJson, NodeJson, ResultBody, ResultJson, RunJson } from './schemas.js';

/** Domain objects keep epoch-ms times; the wire uses RFC 3339 strings. */

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function toJobJson(job: Job): JobJson {
  return {
    id: job.id,
    scenario: job.scenario,
    confidence: job.confidence,
    parameters: { ...job.parameters },
    status: job.status,
    priority: job.priority,
    node_id: job.node_id,
    target_node_id: job.target_node_id,
    run_id: job.run_id,
    requires: job.requires,
    attempt: job.attempt,
    retry_count: job.retry_count,
    max_retries: job.max_retries,
    progress: job.progress,
    stats: job.stats,
    error: job.error,
    created_at: iso(job.created_at),
    assigned_at: isoOrNull(job.assigned_at),
    started_at: isoOrNull(job.started_at),
    completed_at: isoOrNull(job.completed_at),
    lease_expires_at: isoOrNull(job.lease_expires_at),
    not_before: isoOrNull(job.not_before),
  };
}

export function toNodeJson(node: Node): NodeJson {
  return {
    ...node,
    last_heartbeat: iso(node.last_heartbeat),
    registered_at: iso(node.registered_at),
  };
}

export function toResultJson(result: JobResult): ResultJson {
  return {
    ...result,
    completed_at: iso(result.completed_at),
    received_at: iso(result.received_at),
  };
}

/** A validated upload body as the store's ResultUpload; `now` stands in for a missing completed_at. */
export function fromResultBody(body: ResultBody, now: number): ResultUpload {
  const completed = body.completed_at === undefined ? now : Date.parse(body.completed_at);
  return {
    job_id: body.job_id,
    node_id: body.node_id,
    attempt: body.attempt,
    status: body.status,
    completed_at: Number.isFinite(completed) ? completed : now,
    error: body.error ?? null,
    metrics: body.metrics ?? {},
    power: body.power ?? null,
    energy: body.energy ?? null,
    quality: body.quality ?? null,
    samples: body.samples ?? null,
    analyzer_output: body.analyzer_output ?? null,
  };
}

export function toRunJson(run: Run): RunJson {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    created_at: iso(run.created_at),
    options: run.options,
    entries: run.entries.map((e) => ({ ...e })),
    job_counts: { ...run.job_counts },
  };
}
