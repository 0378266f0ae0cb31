/**
 * Compute nodes (DESIGN §3): what an agent registers, and the health rules the master applies.
 */

export const NODE_TYPES = ['server', 'desktop', 'laptop'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const NODE_STATUSES = ['available', 'busy', 'offline'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const POWER_SOURCES = ['rapl', 'nvidia', 'estimate'] as const;
export type PowerSource = (typeof POWER_SOURCES)[number];

/** What an agent sends to `POST /nodes/register` (the reference's fields plus ours). */
export interface NodeRegistration {
  address: string;
  type: NodeType;
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
  /** Stable identity kept in the agent's work dir; re-registering with it returns the same node. */
  node_key: string | null;
}

export interface Node extends NodeRegistration {
  id: string;
  status: NodeStatus;
  last_heartbeat: number;
  registered_at: number;
  current_job_id: string | null;
}

/** The reference's heuristic: battery → laptop; more than 16 threads and 32 GiB → server; else desktop. */
export function classifyNodeType(hw: {
  hasBattery: boolean;
  cpuThreads: number;
  ramBytes: number;
}): NodeType {
  if (hw.hasBattery) return 'laptop';
  if (hw.cpuThreads > 16 && hw.ramBytes > 32 * 1024 ** 3) return 'server';
  return 'desktop';
}

/** A node is offline once `timeoutMs` passes without a heartbeat. */
export function isNodeLost(
  node: Pick<Node, 'last_heartbeat' | 'status'>,
  now: number,
  timeoutMs: number,
): boolean {
  return node.status !== 'offline' && now - node.last_heartbeat > timeoutMs;
}

/** Status of a live node given how many jobs it holds. */
export function liveStatus(activeJobs: number): NodeStatus {
  return activeJobs > 0 ? 'busy' : 'available';
}
