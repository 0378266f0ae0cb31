import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { FfrtmpError } from '../../core/errors.js';
import {
  JOB_STATUSES,
  type Job,
  type JobStatus,
  PRIORITIES,
  type Priority,
  assign,
  cancel,
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
  Page,
  PageOf,
  ReapReport,
  RecordTotals,
  Store,
  StoreRecords,
  SubmitResultOutcome,
} from '../port.js';
import { isConnectionError, isRetryable, toStoreError } from './errors.js';
import { migratePostgres } from './migrations.js';
import { createJobsReadyListener, JOBS_READY_CHANNEL } from './notify.js';
import {
  fromJobRow,
  fromNodeRow,
  fromResultRow,
  type JobRow,
  jobInsertParams,
  jobUpdateParams,
  type NodeRow,
  nodeParams,
  type ResultRow,
  type RunRow,
  resultParams,
  runParams,
  toRun,
} from './rows.js';
import * as SQL from './sql.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Pool size per master (default 10). */
  poolSize?: number;
  /** How long a request waits for a connection before failing with E_STORE_UNAVAILABLE (default 5 s). */
  connectTimeoutMs?: number;
}

/** BIGINT (epoch ms, sequences) as numbers: every value we store is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function poolConfig(options: PostgresStoreOptions): pg.PoolConfig {
  return {
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types,
  };
}

/** Opens a pool, applies pending migrations, and returns the store with what was applied. */
export async function openPostgresStore(
  options: PostgresStoreOptions,
): Promise<Store & { migrations: AppliedMigration[] }> {
  const pool = new pg.Pool(poolConfig(options));
  // An idle client whose server went away emits here; without a listener the process would exit.
  // The pool drops that client and opens a new one for the next request.
  pool.on('error', () => {});
  // A client can also fail between its connect and its first checkout (PostgreSQL's FATAL in the
  // same TCP chunk as "ready", e.g. pg_terminate_backend), before any query attached a listener:
  // give every client one at birth; the failed query itself still rejects and is answered 503.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    try {
      const migrations = await migratePostgres(client);
      return Object.assign(createPostgresStore(pool, options), { migrations });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw toStoreError(error);
  }
}

type Db = pg.ClientBase;

const ignore = () => {};

function createPostgresStore(pool: pg.Pool, options: PostgresStoreOptions): Store {
  let closed = false;
  const listener = createJobsReadyListener(() => new pg.Client(poolConfig(options)));

  function assertOpen(): void {
    if (closed) throw new FfrtmpError('E_UNAVAILABLE', 'the store is closed (the master is shutting down)');
  }

  /** One verb, one transaction; deadlocks and serialization failures run it again. */
  async function tx<R>(fn: (db: Db) => Promise<R>): Promise<R> {
    assertOpen();
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toStoreError(error);
      }
      // A checked-out client has no error listener of the pool's: a connection that drops emits
      // 'error' here besides failing the query in flight, and unheard it would crash the process.
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        client.off('error', ignore);
        client.release();
        return result;
      } catch (error) {
        const broken = isConnectionError(error);
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        client.off('error', ignore);
        // A broken connection is destroyed rather than returned to the pool.
        client.release(broken ? (error as Error) : undefined);
        if (isRetryable(error) && attempt < 5) continue;
        throw toStoreError(error);
      }
    }
  }

  /**
   * One statement on its own (it commits alone: no BEGIN/COMMIT round trips), prepared under `name`
   * so that each pooled connection parses it once. Deadlocks and serialization failures run it again.
   */
  async function statement<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    assertOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        return await pool.query<R>({ name, text, values });
      } catch (error) {
        if (isRetryable(error) && attempt < 5) continue;
        throw toStoreError(error);
      }
    }
  }

  /**
   * A read-compute-write verb on one job without holding its row lock across round trips: `fast`
   * reads the row with its version, runs the core transition and writes only if the version is
   * unchanged (undefined: someone wrote first, read again). After a few lost races it runs `locked`,
   * the same verb as one locking transaction, which always makes progress.
   */
  async function optimistic<R>(fast: () => Promise<R | undefined>, locked: () => Promise<R>): Promise<R> {
    for (let i = 0; i < 3; i++) {
      const done = await fast();
      if (done !== undefined) return done;
    }
    return locked();
  }

  /** The job a report is about, its row version and the stored result of the attempt (see JOB_FOR_REPORT). */
  async function reportRead(jobId: string, nodeId: string, attempt: number | undefined) {
    const row = (
      await statement<JobRow & { version: string; node_exists: boolean; stored: ResultRow | null }>(
        'ffrtmp_job_for_report',
        SQL.JOB_FOR_REPORT,
        [jobId, nodeId, attempt ?? null],
      )
    ).rows[0];
    if (!row?.node_exists) throw nodeNotFound(nodeId);
    if (row.id === null) throw jobNotFound(jobId);
    return { job: fromJobRow(row), version: row.version, stored: row.stored };
  }

  async function read<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<R[]> {
    assertOpen();
    try {
      return (await pool.query<R>(sql, args)).rows;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async function nodeRow(db: Db | undefined, id: string): Promise<NodeRow> {
    const rows = db
      ? (await db.query<NodeRow>(SQL.NODE_BY_ID, [id])).rows
      : await read<NodeRow>(SQL.NODE_BY_ID, [id]);
    const row = rows[0];
    if (!row) throw nodeNotFound(id);
    return row;
  }

  function nodeNotFound(id: string): FfrtmpError {
    return new FfrtmpError('E_NODE_NOT_FOUND', `node ${id} is not registered; register it again`, {
      details: { node_id: id },
    });
  }

  async function assertNode(db: Db, id: string): Promise<void> {
    if ((await db.query(SQL.NODE_EXISTS, [id])).rowCount === 0) await nodeRow(db, id);
  }

  function jobNotFound(id: string): FfrtmpError {
    return new FfrtmpError('E_JOB_NOT_FOUND', `job ${id} does not exist`, { details: { job_id: id } });
  }

  async function lockJob(db: Db, id: string): Promise<Job> {
    const row = (await db.query<JobRow>(SQL.JOB_FOR_UPDATE, [id])).rows[0];
    if (!row) throw jobNotFound(id);
    return fromJobRow(row);
  }

  async function save(db: Db, before: Job, after: Job): Promise<Job> {
    const { rowCount } = await db.query(SQL.UPDATE_JOB, jobUpdateParams(before, after));
    if (rowCount !== 1)
      throw new FfrtmpError('E_INTERNAL', `job ${before.id} changed underneath a transaction`);
    return after;
  }

  /** Wakes long-polls on every master once this transaction commits; `at` = when the jobs become ready. */
  async function jobsReady(db: Db, at?: number): Promise<void> {
    await db.query(SQL.NOTIFY, [JOBS_READY_CHANNEL, at === undefined ? '' : String(at)]);
  }

  /**
   * After capacity was freed (a result, a cancel): wakes long-polls only when some job is queued, so
   * a fleet reporting results into an empty queue does not wake every poller on every master.
   */
  async function capacityFreed(db: Db): Promise<void> {
    await db.query(SQL.NOTIFY_IF_QUEUED, [JOBS_READY_CHANNEL]);
  }

  async function runOf(db: Db | undefined, row: RunRow): Promise<Run> {
    const rows = db
      ? (await db.query<{ status: JobStatus; n: number }>(SQL.RUN_JOB_COUNTS, [row.id])).rows
      : await read<{ status: JobStatus; n: number }>(SQL.RUN_JOB_COUNTS, [row.id]);
    const counts = emptyJobCounts();
    for (const r of rows) counts[r.status] = r.n;
    return toRun(row, counts);
  }

  async function runRow(db: Db | undefined, id: string): Promise<RunRow> {
    const rows = db
      ? (await db.query<RunRow>(SQL.RUN_BY_ID, [id])).rows
      : await read<RunRow>(SQL.RUN_BY_ID, [id]);
    const row = rows[0];
    if (!row)
      throw new FfrtmpError('E_RUN_NOT_FOUND', `run ${id} does not exist`, { details: { run_id: id } });
    return row;
  }

  async function page<R extends { seq: number }, T>(
    sql: string,
    filters: [string, unknown][],
    p: Page,
    map: (r: R) => T,
  ): Promise<PageOf<T>> {
    const limit = pageLimit(p);
    const args: unknown[] = [decodeCursor(p.cursor)];
    const clauses = ['seq > $1'];
    for (const [column, value] of filters) {
      if (value === undefined) continue;
      args.push(value);
      clauses.push(column.replace('?', `$${args.length}`));
    }
    args.push(limit + 1);
    const rows = await read<R>(
      `${sql} WHERE ${clauses.join(' AND ')} ORDER BY seq LIMIT $${args.length}`,
      args,
    );
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(map), next_cursor: more && last ? encodeCursor(last.seq) : null };
  }

  return {
    dialect: 'postgres',

    registerNode: (r: NodeRegistration, now) =>
      tx(async (db) => {
        const { rows } = await db.query<{ id: string; created: boolean }>(SQL.UPSERT_NODE, [
          randomUUID(),
          ...nodeParams(r),
          now,
        ]);
        const row = rows[0];
        if (!row) throw new FfrtmpError('E_INTERNAL', 'node upsert returned no row');
        return { node: fromNodeRow(await nodeRow(db, row.id)), created: row.created };
      }),

    heartbeat: async (nodeId, now, o) => {
      const row = (
        await statement<NodeRow>('ffrtmp_heartbeat', SQL.HEARTBEAT, [
          now,
          nodeId,
          now + o.leaseMs,
          o.jobIds === undefined ? null : [...o.jobIds],
        ])
      ).rows[0];
      if (!row) throw nodeNotFound(nodeId);
      return fromNodeRow(row);
    },

    getNode: async (id) => fromNodeRow(await nodeRow(undefined, id)),

    listNodes: (filter, p) =>
      page(`SELECT * FROM (${SQL.NODE_SELECT}) s`, [['status = ?', filter.status]], p, fromNodeRow),

    removeNode: (nodeId, now) =>
      tx(async (db) => {
        if ((await db.query(SQL.NODE_FOR_UPDATE, [nodeId])).rowCount === 0) await nodeRow(db, nodeId);
        for (const row of (await db.query<JobRow>(SQL.ACTIVE_OF_FOR_UPDATE, [nodeId])).rows) {
          const job = fromJobRow(row);
          await save(db, job, expireLease({ ...job, lease_expires_at: now }, now, 0));
        }
        await db.query(SQL.DELETE_NODE, [nodeId]);
        await jobsReady(db);
      }),

    enqueue: async (newJob: NewJob, now) => {
      const job = toJob(newJob, now);
      await statement('ffrtmp_enqueue', SQL.ENQUEUE, [...jobInsertParams(job), JOBS_READY_CHANNEL]);
      return job;
    },

    getJob: async (id) => {
      const row = (await read<JobRow>(SQL.JOB_BY_ID, [id]))[0];
      if (!row) throw jobNotFound(id);
      return fromJobRow(row);
    },

    listJobs: (filter, p) =>
      page(
        'SELECT * FROM jobs',
        [
          ['status = ?', filter.status],
          ['node_id = ?', filter.node_id],
          ['run_id = ?', filter.run_id],
        ],
        p,
        fromJobRow,
      ),

    claimNext: async (nodeId, now, o) => {
      let row: JobRow | undefined;
      try {
        // Inside BEGIN/COMMIT, not on its own: a master killed while the claim runs must leave it
        // uncommitted. A committed claim whose answer never reaches the agent stays assigned to a
        // live node whose heartbeats keep renewing its lease; a lone statement would commit even
        // after its master died (test/scale/master-kill.test.ts caught exactly that).
        row = (
          await tx(async (db) =>
            db.query<JobRow>({ name: 'ffrtmp_claim', text: SQL.CLAIM, values: [now, nodeId, o.leaseMs] }),
          )
        ).rows[0];
      } catch (error) {
        if ((error as { code?: unknown }).code === 'P0002') throw nodeNotFound(nodeId);
        throw error;
      }
      // The row as picked; ffrtmp_claim wrote what assign() makes of it.
      return row ? assign(fromJobRow(row), nodeId, now, o.leaseMs) : null;
    },

    renewLease: (report, now, o) =>
      optimistic(
        async () => {
          const { job, version } = await reportRead(report.jobId, report.nodeId, undefined);
          const after = renew(job, report, now, o.leaseMs);
          const { rowCount } = await statement('ffrtmp_update_job_at_version', SQL.UPDATE_JOB_AT_VERSION, [
            ...jobUpdateParams(job, after).slice(0, 13),
            version,
          ]);
          return rowCount === 1 ? after : undefined;
        },
        () =>
          tx(async (db) => {
            await assertNode(db, report.nodeId);
            const job = await lockJob(db, report.jobId);
            return save(db, job, renew(job, report, now, o.leaseMs));
          }),
      ),

    submitResult: (up: ResultUpload, now) =>
      optimistic(
        async (): Promise<SubmitResultOutcome | undefined> => {
          const { job, version, stored } = await reportRead(up.job_id, up.node_id, up.attempt);
          const attempt = up.attempt ?? (job.node_id === up.node_id ? job.attempt : undefined);
          if (attempt !== undefined && stored && stored.node_id === up.node_id)
            return { job, result: fromResultRow(stored), duplicate: true };
          const after = finish(job, { nodeId: up.node_id, attempt, status: up.status, error: up.error }, now);
          const result: JobResult = { ...up, attempt: job.attempt, received_at: now };
          try {
            const { rows } = await statement<{ updated: number }>('ffrtmp_finish', SQL.FINISH_AT_VERSION, [
              ...jobUpdateParams(job, after).slice(0, 13),
              version,
              ...resultParams(result),
              JOBS_READY_CHANNEL,
            ]);
            return rows[0]?.updated === 1 ? { job: after, result, duplicate: false } : undefined;
          } catch (error) {
            // A concurrent upload of the same attempt stored its result first: read again.
            if ((error as { code?: unknown }).code === '23505') return undefined;
            throw error;
          }
        },
        () =>
          tx(async (db): Promise<SubmitResultOutcome> => {
            await assertNode(db, up.node_id);
            const job = await lockJob(db, up.job_id);
            const attempt = up.attempt ?? (job.node_id === up.node_id ? job.attempt : undefined);
            if (attempt !== undefined) {
              const stored = (await db.query<ResultRow>(SQL.RESULT_BY_ATTEMPT, [job.id, attempt])).rows[0];
              if (stored && stored.node_id === up.node_id)
                return { job, result: fromResultRow(stored), duplicate: true };
            }
            const after = finish(
              job,
              { nodeId: up.node_id, attempt, status: up.status, error: up.error },
              now,
            );
            const result: JobResult = { ...up, attempt: job.attempt, received_at: now };
            await db.query(SQL.INSERT_RESULT, resultParams(result));
            const saved = await save(db, job, after);
            await capacityFreed(db);
            return { job: saved, result, duplicate: false };
          }),
      ),

    cancelJob: (jobId, now) =>
      tx(async (db) => {
        const job = await lockJob(db, jobId);
        const after = await save(db, job, cancel(job, now));
        await capacityFreed(db);
        return after;
      }),

    retryJob: (jobId) =>
      tx(async (db) => {
        const job = await lockJob(db, jobId);
        const after = await save(db, job, retry(job));
        await jobsReady(db, after.not_before ?? undefined);
        return after;
      }),

    reclaimExpired: (now, o) =>
      tx(async (db): Promise<ReapReport> => {
        const report: ReapReport = { requeued: [], failed: [], nodesOffline: [] };
        const reap = async (before: Job, job: Job) => {
          const after = await save(db, before, expireLease(job, now, o.random()));
          (after.status === 'failed' ? report.failed : report.requeued).push(after);
        };
        // A node gone silent loses its leases at once; then any other lapsed leases.
        for (const { id } of (await db.query<{ id: string }>(SQL.MARK_LOST_NODES, [now - o.nodeTimeoutMs]))
          .rows) {
          for (const row of (await db.query<JobRow>(SQL.ACTIVE_OF_FOR_UPDATE, [id])).rows) {
            const job = fromJobRow(row);
            await reap(job, { ...job, lease_expires_at: Math.min(job.lease_expires_at ?? now, now) });
          }
          report.nodesOffline.push(fromNodeRow(await nodeRow(db, id)));
        }
        for (const row of (await db.query<JobRow>(SQL.EXPIRED, [now, o.batch ?? 500])).rows) {
          const job = fromJobRow(row);
          await reap(job, job);
        }
        if (report.requeued.length > 0)
          await jobsReady(db, Math.min(...report.requeued.map((j) => j.not_before ?? now)));
        return report;
      }),

    getLatestResult: async (jobId) => {
      const row = (await read<ResultRow>(SQL.LATEST_RESULT, [jobId]))[0];
      if (row) return fromResultRow(row);
      if ((await read(SQL.JOB_BY_ID, [jobId])).length === 0) throw jobNotFound(jobId);
      throw new FfrtmpError('E_RESULT_NOT_FOUND', `job ${jobId} has no result yet`, {
        details: { job_id: jobId },
      });
    },

    listResults: (filter, p) =>
      page(
        'SELECT * FROM results',
        [
          ['job_id = ?', filter.job_id],
          ['node_id = ?', filter.node_id],
          ['job_id IN (SELECT id FROM jobs WHERE run_id = ?)', filter.run_id],
        ],
        p,
        fromResultRow,
      ),

    latestResultPerScenario: async (limit) => {
      const results = await read<ResultRow>(SQL.LATEST_PER_SCENARIO, [Math.max(0, Math.trunc(limit))]);
      if (results.length === 0) return [];
      const jobs = new Map(
        (await read<JobRow>(SQL.JOBS_BY_IDS, [results.map((r) => r.job_id)])).map((j) => [
          j.id,
          fromJobRow(j),
        ]),
      );
      return results.flatMap((r) => {
        const job = jobs.get(r.job_id);
        return job ? [{ job, result: fromResultRow(r) }] : [];
      });
    },

    createRun: (run: NewRun, jobs: readonly NewJob[], now: number) =>
      tx(async (db) => {
        if (run.entries.length !== jobs.length || run.entries.some((e, i) => e.job_id !== jobs[i]?.id))
          throw new FfrtmpError('E_INTERNAL', `run ${run.id}: entries do not name its jobs in order`);
        await db.query(SQL.INSERT_RUN, runParams({ ...run, created_at: now }));
        const stored: Job[] = [];
        for (const newJob of jobs) {
          const job = toJob({ ...newJob, run_id: run.id }, now);
          await db.query(SQL.INSERT_JOB, jobInsertParams(job));
          stored.push(job);
        }
        await jobsReady(db);
        return { run: await runOf(db, await runRow(db, run.id)), jobs: stored };
      }),

    getRun: async (id) => runOf(undefined, await runRow(undefined, id)),

    listRuns: async (p) => {
      const rows = await page('SELECT * FROM runs', [], p, (r: RunRow) => r);
      return {
        items: await Promise.all(rows.items.map((r) => runOf(undefined, r))),
        next_cursor: rows.next_cursor,
      };
    },

    counts: async () => {
      const [jobRows, queuedRows, nodeRows] = await Promise.all([
        read<{ status: JobStatus; n: number }>(SQL.JOB_COUNTS, []),
        read<{ priority: number; n: number }>(SQL.QUEUED_BY_PRIORITY, []),
        read<{ status: NodeStatus; n: number }>(SQL.NODE_COUNTS, []),
      ]);
      const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const r of jobRows) jobs[r.status] = r.n;
      const queuedByPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
      for (const r of queuedRows) {
        const p = PRIORITIES[r.priority];
        if (p) queuedByPriority[p] = r.n;
      }
      const nodes = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
      for (const r of nodeRows) nodes[r.status] = r.n;
      return { jobs, queuedByPriority, nodes };
    },

    totals: async () => {
      const row = (await read<RecordTotals>(SQL.TOTALS, []))[0];
      if (!row) throw new FfrtmpError('E_INTERNAL', 'totals query returned no row');
      return row;
    },

    importRecords: (records: Partial<StoreRecords>) =>
      tx(async (db) => {
        for (const n of records.nodes ?? [])
          await db.query(SQL.IMPORT_NODE, [
            n.id,
            ...nodeParams(n),
            n.status === 'offline',
            n.last_heartbeat,
            n.registered_at,
          ]);
        for (const job of records.jobs ?? []) await db.query(SQL.INSERT_JOB, jobInsertParams(job));
        for (const r of records.results ?? []) await db.query(SQL.INSERT_RESULT, resultParams(r));
        for (const r of records.runs ?? []) await db.query(SQL.INSERT_RUN, runParams(r));
        if (records.jobs?.length) await jobsReady(db);
      }),

    eraseAll: () =>
      tx(async (db) => {
        for (const sql of SQL.ERASE_ALL) await db.query(sql);
      }),

    onJobsReady: (fn) => listener.subscribe(fn),

    close: async () => {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
  };
}
