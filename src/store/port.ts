import type { Job, JobStatus, Priority } from '../core/job.js';
import type { Node, NodeRegistration, NodeStatus } from '../core/node.js';
import type { JobResult, NewJob, NewRun, ResultUpload, Run } from '../core/records.js';

/**
 * The persistence port: domain verbs, each one atomic. Adapters (sqlite/, postgres/) implement it
 * with explicit SQL per dialect and must pass the one contract suite in `contract.ts`.
 * Time is always passed in (`now`, epoch ms) so that tests can drive leases with a fake clock.
 */

export interface Page {
  limit?: number | undefined;
  /** Opaque cursor from a previous page's `next_cursor`. */
  cursor?: string | undefined;
}

export interface PageOf<T> {
  items: T[];
  next_cursor: string | null;
}

export interface JobFilter {
  status?: JobStatus | undefined;
  node_id?: string | undefined;
  run_id?: string | undefined;
}

export interface NodeFilter {
  status?: NodeStatus | undefined;
}

export interface ResultFilter {
  job_id?: string | undefined;
  node_id?: string | undefined;
  run_id?: string | undefined;
}

export interface ClaimOptions {
  leaseMs: number;
}

export interface LeaseOptions {
  leaseMs: number;
}

export interface HeartbeatOptions extends LeaseOptions {
  /**
   * The jobs the agent says it still has (running, or finished with the result not yet uploaded).
   * Only their leases are renewed: a job the node was given but never got (the claim's answer was
   * lost with a dying master) then lapses and is requeued. Absent (the reference agent): all.
   */
  jobIds?: readonly string[] | undefined;
}

export interface ProgressReport {
  jobId: string;
  nodeId: string;
  attempt?: number | undefined;
  progress?: number | undefined;
  stats?: Record<string, number> | undefined;
}

export interface ReapOptions {
  /** A number in [0, 1) per requeued job, for backoff jitter. */
  random: () => number;
  nodeTimeoutMs: number;
  /** At most this many jobs per call, so one reaper pass stays short. */
  batch?: number;
}

export interface ReapReport {
  requeued: Job[];
  failed: Job[];
  nodesOffline: Node[];
}

export interface SubmitResultOutcome {
  job: Job;
  result: JobResult;
  /** True when this exact attempt's result was already stored (an idempotent re-upload). */
  duplicate: boolean;
}

/** Counts for the master's /metrics, computed when scraped. */
export interface StoreCounts {
  jobs: Record<JobStatus, number>;
  queuedByPriority: Record<Priority, number>;
  nodes: Record<NodeStatus, number>;
}

/** What `ffrtmp db copy` moves between stores, as domain records: ids, times and order are kept. */
export interface StoreRecords {
  nodes: Node[];
  runs: Run[];
  jobs: Job[];
  results: JobResult[];
}

export type RecordKind = keyof StoreRecords;
export type RecordTotals = Record<RecordKind, number>;

/** One schema migration, as `ffrtmp db migrate` reports it. */
export interface AppliedMigration {
  version: number;
  name: string;
}

/**
 * Called when jobs may have become claimable through any master sharing the store: `at` is
 * undefined for "now", or the epoch ms when they become claimable (a retry backoff).
 */
export type JobsReadyListener = (at: number | undefined) => void;

/** A job with its latest completed result (the master's results metrics). */
export interface ScenarioResult {
  job: Job;
  result: JobResult;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  registerNode(registration: NodeRegistration, now: number): Promise<{ node: Node; created: boolean }>;
  /**
   * Marks the node alive and renews the leases of the jobs it holds (an agent that sends no progress,
   * like the reference agent, keeps its jobs while it heartbeats). Throws E_NODE_NOT_FOUND for an
   * unknown node: the agent then registers again.
   */
  heartbeat(nodeId: string, now: number, options: HeartbeatOptions): Promise<Node>;
  getNode(nodeId: string): Promise<Node>;
  listNodes(filter: NodeFilter, page: Page): Promise<PageOf<Node>>;
  /** Removes a node; its active jobs go back to the queue as the next attempt. */
  removeNode(nodeId: string, now: number): Promise<void>;

  enqueue(job: NewJob, now: number): Promise<Job>;
  getJob(jobId: string): Promise<Job>;
  listJobs(filter: JobFilter, page: Page): Promise<PageOf<Job>>;
  /**
   * Hands the oldest ready job of the highest priority that this node can run to this node, or
   * returns null. The jobs of a run made by createRun go one at a time, in run order: a job waits
   * while an earlier job of its run is queued, assigned or running (a benchmark run measures one
   * encode at a time). Jobs that only carry a run_id (POST /jobs) are not held back. Never gives one job to two nodes, respects the node's max_concurrent_jobs.
   */
  claimNext(nodeId: string, now: number, options: ClaimOptions): Promise<Job | null>;
  /** Progress from the holder; renews the lease. Fenced by node and attempt. */
  renewLease(report: ProgressReport, now: number, options: LeaseOptions): Promise<Job>;
  /** Stores the holder's final result and finishes the job, atomically. Idempotent per attempt. */
  submitResult(upload: ResultUpload, now: number): Promise<SubmitResultOutcome>;
  cancelJob(jobId: string, now: number): Promise<Job>;
  retryJob(jobId: string, now: number): Promise<Job>;
  /** Requeues or fails jobs whose lease lapsed, and marks silent nodes offline. */
  reclaimExpired(now: number, options: ReapOptions): Promise<ReapReport>;

  getLatestResult(jobId: string): Promise<JobResult>;
  listResults(filter: ResultFilter, page: Page): Promise<PageOf<JobResult>>;
  /**
   * The latest completed result of each scenario name (latest by arrival), newest first, at most
   * `limit` scenarios: what the master's results metrics show, bounded however many runs there were.
   */
  latestResultPerScenario(limit: number): Promise<ScenarioResult[]>;

  /**
   * Stores the run and enqueues its jobs in the given order (each with `run_id` = the run's id),
   * all or nothing. `run.entries` must name the jobs, in the same order.
   */
  createRun(run: NewRun, jobs: readonly NewJob[], now: number): Promise<{ run: Run; jobs: Job[] }>;
  /** Throws E_RUN_NOT_FOUND. Status and job_counts are derived from the run's jobs now. */
  getRun(runId: string): Promise<Run>;
  /** Oldest first, paged like the other lists. */
  listRuns(page: Page): Promise<PageOf<Run>>;

  counts(): Promise<StoreCounts>;

  /** How many records of each kind the store holds (verifies `ffrtmp db copy`). */
  totals(): Promise<RecordTotals>;
  /**
   * Inserts records verbatim (same ids, times, attempts, derived state), in the given order, all of
   * one call in one transaction. Nodes come with their status: `offline` is kept, busy/available is
   * derived again from the jobs. Results need their jobs imported first.
   */
  importRecords(records: Partial<StoreRecords>): Promise<void>;
  /** Deletes every node, run, job and result (`ffrtmp db copy --force` on a non-empty target). */
  eraseAll(): Promise<void>;

  /**
   * Present where several masters share the store (PostgreSQL LISTEN/NOTIFY): the listener hears
   * of submissions, retries, requeues and freed capacity on every master, this one included.
   * Returns the unsubscribe function. Absent for SQLite, whose one master wakes its own waiters.
   */
  onJobsReady?(listener: JobsReadyListener): () => void;

  close(): Promise<void>;
}
