import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FfrtmpError } from '../../core/errors.js';
import {
  JOB_STATUSES,
  type Job,
  type JobStatus,
  PRIORITIES,
  type Priority,
  assign,
  cancel,
  canRunOn,
  expireLease,
  finish,
  renew,
  retry,
} from '../../core/job.js';
import { NODE_STATUSES, type NodeRegistration, type NodeStatus } from '../../core/node.js';
import {
  type JobResult,
  type NewJob,
  type NewRun,
  type ResultUpload,
  type Run,
  emptyJobCounts,
  toJob,
} from '../../core/records.js';
import { decodeCursor, encodeCursor, pageLimit } from '../paging.js';
import type {
  AppliedMigration,
  ClaimOptions,
  JobFilter,
  HeartbeatOptions,
  LeaseOptions,
  NodeFilter,
  Page,
  PageOf,
  ProgressReport,
  ReapOptions,
  ReapReport,
  RecordTotals,
  ResultFilter,
  Store,
  StoreRecords,
  SubmitResultOutcome,
} from '../port.js';
import { createGroupCommit } from './group-commit.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { NODE_SELECT, prepareStatements } from './statements.js';
import {
  fromJobRow,
  fromNodeRow,
  fromResultRow,
  type JobRow,
  type NodeRow,
  type ResultRow,
  type RunRow,
  toJobParams,
  toRun,
} from './rows.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  /**
   * `normal` (default): WAL with synchronous=NORMAL — every committed transaction survives a crash or
   * kill -9 of the master; an OS crash or power cut may lose the last few. `full`: fsync per commit.
   */
  synchronous?: 'normal' | 'full';
}

/** Opens (creating) the file and applies pending migrations; `migrations` lists what this applied. */
export function openSqliteStore(options: SqliteStoreOptions): Store & { migrations: AppliedMigration[] } {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
  enableWal(db);
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  const migrations = migrate(db);
  return Object.assign(createSqliteStore(db), { migrations });
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * Switching a fresh file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once,
 * without the busy handler, when another process opening the same file holds it: 4 processes opening
 * one fresh file failed this way in 1 of 10 test runs. Retry, sleeping 10 ms, up to the busy timeout.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function migrate(db: Database.Database): AppliedMigration[] {
  const done: AppliedMigration[] = [];
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      // Checked again under the write lock: another process opening the same fresh file (a second
      // master, a CLI command) may have applied it since we read `applied`; without this check one
      // of them failed with "table nodes already exists" (2 in 450 opens, 10 processes racing).
      if (isApplied.get(m.version)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
      done.push({ version: m.version, name: m.name });
    }).immediate();
  }
  return done;
}

function createSqliteStore(db: Database.Database): Store {
  const q = prepareStatements(db);

  function nodeRow(id: string): NodeRow {
    const row = q.nodeById.get(id) as NodeRow | undefined;
    if (!row) {
      throw new FfrtmpError('E_NODE_NOT_FOUND', `node ${id} is not registered; register it again`, {
        details: { node_id: id },
      });
    }
    return row;
  }

  function assertNode(id: string): void {
    if (!q.nodeExists.get(id)) nodeRow(id);
  }

  function jobRow(id: string): Job {
    const row = q.jobById.get(id) as JobRow | undefined;
    if (!row)
      throw new FfrtmpError('E_JOB_NOT_FOUND', `job ${id} does not exist`, { details: { job_id: id } });
    return fromJobRow(row);
  }

  /** Persists the outcome of a core transition; `expected_*` guard against a lost update. */
  function save(before: Job, after: Job): Job {
    const info = q.updateJob.run({
      ...toJobParams(after),
      expected_status: before.status,
      expected_attempt: before.attempt,
    });
    if (info.changes !== 1)
      throw new FfrtmpError('E_INTERNAL', `job ${before.id} changed underneath a transaction`);
    return after;
  }

  function registrationParams(r: NodeRegistration, id: string, now: number) {
    return {
      id,
      node_key: r.node_key,
      address: r.address,
      type: r.type,
      cpu_threads: r.cpu_threads,
      cpu_model: r.cpu_model,
      has_gpu: r.has_gpu ? 1 : 0,
      gpu_type: r.gpu_type,
      ram_bytes: r.ram_bytes,
      labels: JSON.stringify(r.labels),
      encoders: JSON.stringify(r.encoders),
      power_sources: JSON.stringify(r.power_sources),
      max_concurrent_jobs: r.max_concurrent_jobs,
      agent_version: r.agent_version,
      ffmpeg_version: r.ffmpeg_version,
      now,
    };
  }

  function page<R extends { seq: number }, T>(
    sql: string,
    args: unknown[],
    p: Page,
    map: (r: R) => T,
  ): PageOf<T> {
    const limit = pageLimit(p);
    const rows = db.prepare(`${sql} ORDER BY seq LIMIT ?`).all(...args, limit + 1) as R[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(map), next_cursor: more && last ? encodeCursor(last.seq) : null };
  }

  function where(filters: [string, unknown][], cursor: number): { sql: string; args: unknown[] } {
    const present = filters.filter(([, v]) => v !== undefined);
    const clauses = ['seq > ?', ...present.map(([c]) => c)];
    return { sql: `WHERE ${clauses.join(' AND ')}`, args: [cursor, ...present.map(([, v]) => v)] };
  }

  const group = createGroupCommit(db);
  const tx =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> =>
      group.run(() => fn(...args));

  const registerNode = tx((r: NodeRegistration, now: number) => {
    const existing = r.node_key ? (q.nodeByKey.get(r.node_key) as { id: string } | undefined) : undefined;
    if (existing) {
      q.updateNodeRegistration.run(registrationParams(r, existing.id, now));
      return { node: fromNodeRow(nodeRow(existing.id)), created: false };
    }
    const id = randomUUID();
    q.insertNode.run(registrationParams(r, id, now));
    return { node: fromNodeRow(nodeRow(id)), created: true };
  });

  const heartbeat = tx((nodeId: string, now: number, options: HeartbeatOptions) => {
    assertNode(nodeId);
    q.touchNode.run(now, nodeId);
    if (options.jobIds === undefined) q.renewNodeLeases.run(now + options.leaseMs, nodeId);
    else q.renewListedLeases.run(now + options.leaseMs, nodeId, JSON.stringify(options.jobIds));
    return fromNodeRow(nodeRow(nodeId));
  });

  const removeNode = tx((nodeId: string, now: number) => {
    assertNode(nodeId);
    for (const row of q.activeOf.all(nodeId) as JobRow[]) {
      const job = fromJobRow(row);
      save(job, expireLease({ ...job, lease_expires_at: now }, now, 0));
    }
    q.deleteNode.run(nodeId);
  });

  function enqueueOne(newJob: NewJob, now: number): Job {
    const job = toJob(newJob, now);
    q.insertJob.run({ ...toJobParams(job), scenario: job.scenario, confidence: job.confidence });
    return job;
  }
  const enqueue = tx(enqueueOne);

  const createRun = tx((run: NewRun, jobs: readonly NewJob[], now: number) => {
    if (run.entries.length !== jobs.length || run.entries.some((e, i) => e.job_id !== jobs[i]?.id))
      throw new FfrtmpError('E_INTERNAL', `run ${run.id}: entries do not name its jobs in order`);
    q.insertRun.run({
      id: run.id,
      name: run.name,
      options: JSON.stringify(run.options),
      entries: JSON.stringify(run.entries),
      created_at: now,
    });
    const stored = jobs.map((newJob) => enqueueOne({ ...newJob, run_id: run.id }, now));
    return { run: fromRunRow(runRow(run.id)), jobs: stored };
  });

  function runRow(id: string): RunRow {
    const row = q.runById.get(id) as RunRow | undefined;
    if (!row)
      throw new FfrtmpError('E_RUN_NOT_FOUND', `run ${id} does not exist`, { details: { run_id: id } });
    return row;
  }

  function fromRunRow(row: RunRow): Run {
    const counts = emptyJobCounts();
    for (const r of q.runJobCounts.all(row.id) as { status: JobStatus; n: number }[]) counts[r.status] = r.n;
    return toRun(row, counts);
  }

  const claimNext = tx((nodeId: string, now: number, options: ClaimOptions) => {
    const node = q.nodeForClaim.get(nodeId) as
      | { encoders: string; max_concurrent_jobs: number; offline: number }
      | undefined;
    if (!node) nodeRow(nodeId); // throws E_NODE_NOT_FOUND
    if (!node) return null;
    // Polling is proof of life: an offline node that asks for work is back.
    if (node.offline) q.touchNode.run(now, nodeId);
    const { n } = q.activeCount.get(nodeId) as { n: number };
    if (n >= node.max_concurrent_jobs) return null;
    const row = q.nextCandidates.get({ now, node_id: nodeId, encoders: node.encoders }) as JobRow | undefined;
    if (!row) return null;
    const job = fromJobRow(row);
    if (!canRunOn(job, JSON.parse(node.encoders) as string[]))
      throw new FfrtmpError(
        'E_INTERNAL',
        `claim query returned job ${job.id} that node ${nodeId} cannot run`,
      );
    return save(job, assign(job, nodeId, now, options.leaseMs));
  });

  const renewLease = tx((report: ProgressReport, now: number, options: LeaseOptions) => {
    assertNode(report.nodeId);
    const job = jobRow(report.jobId);
    return save(job, renew(job, report, now, options.leaseMs));
  });

  const submitResult = tx((upload: ResultUpload, now: number): SubmitResultOutcome => {
    assertNode(upload.node_id);
    const job = jobRow(upload.job_id);
    const attempt = upload.attempt ?? (job.node_id === upload.node_id ? job.attempt : undefined);
    if (attempt !== undefined) {
      const stored = q.resultByAttempt.get(job.id, attempt) as ResultRow | undefined;
      if (stored && stored.node_id === upload.node_id) {
        return { job, result: fromResultRow(stored), duplicate: true };
      }
    }
    const after = finish(
      job,
      { nodeId: upload.node_id, attempt, status: upload.status, error: upload.error },
      now,
    );
    const result: JobResult = { ...upload, attempt: job.attempt, received_at: now };
    insertResult(result);
    return { job: save(job, after), result, duplicate: false };
  });

  function insertResult(result: JobResult): void {
    q.insertResult.run({
      job_id: result.job_id,
      attempt: result.attempt,
      node_id: result.node_id,
      status: result.status,
      completed_at: result.completed_at,
      received_at: result.received_at,
      error: result.error,
      body: JSON.stringify({
        metrics: result.metrics,
        power: result.power,
        energy: result.energy,
        quality: result.quality,
        samples: result.samples,
        analyzer_output: result.analyzer_output,
      }),
    });
  }

  const importRecords = tx((records: Partial<StoreRecords>) => {
    for (const n of records.nodes ?? []) {
      q.importNode.run({
        ...registrationParams(n, n.id, n.registered_at),
        offline: n.status === 'offline' ? 1 : 0,
        last_heartbeat: n.last_heartbeat,
        registered_at: n.registered_at,
      });
    }
    for (const job of records.jobs ?? []) q.insertJob.run(toJobParams(job));
    for (const r of records.results ?? []) insertResult(r);
    for (const r of records.runs ?? [])
      q.insertRun.run({
        id: r.id,
        name: r.name,
        options: JSON.stringify(r.options),
        entries: JSON.stringify(r.entries),
        created_at: r.created_at,
      });
  });

  const eraseAll = tx(() => {
    for (const table of ['results', 'jobs', 'runs', 'nodes']) db.prepare(`DELETE FROM ${table}`).run();
  });

  const cancelJob = tx((jobId: string, now: number) => {
    const job = jobRow(jobId);
    return save(job, cancel(job, now));
  });

  const retryJob = tx((jobId: string, _now: number) => {
    const job = jobRow(jobId);
    return save(job, retry(job));
  });

  const reclaimExpired = tx((now: number, options: ReapOptions): ReapReport => {
    const report: ReapReport = { requeued: [], failed: [], nodesOffline: [] };
    const reap = (job: Job) => {
      const after = save(job, expireLease(job, now, options.random()));
      (after.status === 'failed' ? report.failed : report.requeued).push(after);
    };
    // A node gone silent loses its leases at once; then any other lapsed leases.
    for (const row of q.lostNodes.all(now - options.nodeTimeoutMs) as NodeRow[]) {
      q.markOffline.run(row.id);
      for (const jr of q.activeOf.all(row.id) as JobRow[]) {
        const job = fromJobRow(jr);
        reap({ ...job, lease_expires_at: Math.min(job.lease_expires_at ?? now, now) });
      }
      report.nodesOffline.push(fromNodeRow(nodeRow(row.id)));
    }
    for (const row of q.expired.all(now, options.batch ?? 500) as JobRow[]) reap(fromJobRow(row));
    return report;
  });

  return {
    dialect: 'sqlite',
    registerNode: async (r, now) => registerNode(r, now),
    heartbeat: async (id, now, options) => heartbeat(id, now, options),
    getNode: async (id) => fromNodeRow(nodeRow(id)),
    listNodes: async (filter: NodeFilter, p: Page) => {
      const w = where([['status = ?', filter.status]], decodeCursor(p.cursor));
      return page(`SELECT * FROM (${NODE_SELECT}) ${w.sql}`, w.args, p, fromNodeRow);
    },
    removeNode: async (id, now) => removeNode(id, now),
    enqueue: async (job, now) => enqueue(job, now),
    getJob: async (id) => jobRow(id),
    listJobs: async (filter: JobFilter, p: Page) => {
      const w = where(
        [
          ['status = ?', filter.status],
          ['node_id = ?', filter.node_id],
          ['run_id = ?', filter.run_id],
        ],
        decodeCursor(p.cursor),
      );
      return page(`SELECT * FROM jobs ${w.sql}`, w.args, p, fromJobRow);
    },
    claimNext: async (nodeId, now, options) => claimNext(nodeId, now, options),
    renewLease: async (report, now, options) => renewLease(report, now, options),
    submitResult: async (upload, now) => submitResult(upload, now),
    cancelJob: async (id, now) => cancelJob(id, now),
    retryJob: async (id, now) => retryJob(id, now),
    reclaimExpired: async (now, options) => reclaimExpired(now, options),
    getLatestResult: async (jobId) => {
      const row = q.latestResult.get(jobId) as ResultRow | undefined;
      if (row) return fromResultRow(row);
      jobRow(jobId);
      throw new FfrtmpError('E_RESULT_NOT_FOUND', `job ${jobId} has no result yet`, {
        details: { job_id: jobId },
      });
    },
    listResults: async (filter: ResultFilter, p: Page) => {
      const w = where(
        [
          ['job_id = ?', filter.job_id],
          ['node_id = ?', filter.node_id],
          ['job_id IN (SELECT id FROM jobs WHERE run_id = ?)', filter.run_id],
        ],
        decodeCursor(p.cursor),
      );
      return page(`SELECT * FROM results ${w.sql}`, w.args, p, fromResultRow);
    },
    createRun: async (run, jobs, now) => createRun(run, jobs, now),
    getRun: async (id) => fromRunRow(runRow(id)),
    listRuns: async (p: Page) => {
      const w = where([], decodeCursor(p.cursor));
      return page(`SELECT * FROM runs ${w.sql}`, w.args, p, fromRunRow);
    },
    latestResultPerScenario: async (limit) =>
      (q.latestPerScenario.all(Math.max(0, Math.trunc(limit))) as ResultRow[]).map((r) => ({
        job: jobRow(r.job_id),
        result: fromResultRow(r),
      })),
    counts: async () => {
      const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const r of q.jobCounts.all() as { status: JobStatus; n: number }[]) jobs[r.status] = r.n;
      const queuedByPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
      for (const r of q.queuedByPriority.all() as { priority: number; n: number }[]) {
        const p = PRIORITIES[r.priority];
        if (p) queuedByPriority[p] = r.n;
      }
      const nodes = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
      for (const r of q.nodeCounts.all() as { status: NodeStatus; n: number }[]) nodes[r.status] = r.n;
      return { jobs, queuedByPriority, nodes };
    },
    close: async () => {
      group.close();
      if (db.open) db.close();
    },
    totals: async () => q.totals.get() as RecordTotals,
    importRecords: (records: Partial<StoreRecords>) => importRecords(records),
    eraseAll: () => eraseAll(),
  };
}
