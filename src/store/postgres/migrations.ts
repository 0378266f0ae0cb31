import type pg from 'pg';

/**
 * Numbered, append-only migrations for the PostgreSQL store. Never edit a released migration; add
 * the next number. Times are epoch milliseconds (BIGINT, read back as numbers); JSON as JSONB.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'init',
    sql: `
      CREATE TABLE nodes (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        node_key TEXT UNIQUE,
        address TEXT NOT NULL,
        type TEXT NOT NULL,
        cpu_threads INTEGER NOT NULL,
        cpu_model TEXT NOT NULL,
        has_gpu BOOLEAN NOT NULL,
        gpu_type TEXT,
        ram_bytes BIGINT NOT NULL,
        labels JSONB NOT NULL,
        encoders JSONB NOT NULL,
        power_sources JSONB NOT NULL,
        max_concurrent_jobs INTEGER NOT NULL,
        agent_version TEXT,
        ffmpeg_version TEXT,
        -- As in SQLite: busy/available and the current job are derived from jobs when read, so claims
        -- never rewrite (nor lock for long) the node row; the reaper and heartbeats flip this flag.
        offline BOOLEAN NOT NULL DEFAULT FALSE,
        last_heartbeat BIGINT NOT NULL,
        registered_at BIGINT NOT NULL
      );
      CREATE INDEX nodes_by_heartbeat ON nodes (last_heartbeat) WHERE NOT offline;

      CREATE TABLE jobs (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        scenario TEXT NOT NULL,
        confidence TEXT NOT NULL,
        parameters JSONB NOT NULL,
        requires JSONB NOT NULL,
        status TEXT NOT NULL,
        priority SMALLINT NOT NULL,
        node_id TEXT,
        target_node_id TEXT,
        run_id TEXT,
        attempt INTEGER NOT NULL,
        retry_count INTEGER NOT NULL,
        max_retries INTEGER NOT NULL,
        progress DOUBLE PRECISION NOT NULL,
        stats JSONB,
        error TEXT,
        created_at BIGINT NOT NULL,
        assigned_at BIGINT,
        started_at BIGINT,
        completed_at BIGINT,
        lease_expires_at BIGINT,
        not_before BIGINT
      );
      -- The claim walks this index in order: priority rank, then submission order.
      CREATE INDEX jobs_queue ON jobs (priority, seq) WHERE status = 'queued';
      CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status IN ('assigned', 'running');
      CREATE INDEX jobs_active_by_node ON jobs (node_id) WHERE status IN ('assigned', 'running');
      CREATE INDEX jobs_by_run ON jobs (run_id, seq) WHERE run_id IS NOT NULL;

      CREATE TABLE results (
        seq BIGSERIAL PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        status TEXT NOT NULL,
        completed_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        error TEXT,
        body JSONB NOT NULL,
        UNIQUE (job_id, attempt)
      );
      CREATE INDEX results_by_node ON results (node_id, seq);
    `,
  },
  {
    version: 2,
    name: 'runs',
    sql: `
      CREATE TABLE runs (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        options JSONB NOT NULL,
        -- [{job_id, kind, group, repetition}] in run order; the jobs carry run_id.
        entries JSONB NOT NULL,
        created_at BIGINT NOT NULL
      );
      -- The claim asks "is an earlier job of this run unfinished?"; only unfinished run jobs are here.
      CREATE INDEX jobs_run_unfinished ON jobs (run_id, seq)
        WHERE run_id IS NOT NULL AND status IN ('queued', 'assigned', 'running');
    `,
  },
  {
    version: 3,
    name: 'claim function',
    // The claim in one round trip instead of six (BEGIN, lock node, count, pick, update, COMMIT).
    // Each statement of a VOLATILE PL/pgSQL function takes a fresh snapshot, so the active count,
    // taken after the node lock, sees a claim for the same node that committed while we waited:
    // max_concurrent_jobs holds as with the separate statements. The UPDATE writes what core's
    // assign() produces; the store returns assign() of the picked row, and the contract suite
    // compares both (a claimed job read back equals the one returned).
    sql: `
      CREATE FUNCTION ffrtmp_claim(p_now BIGINT, p_node TEXT, p_lease_ms BIGINT) RETURNS SETOF jobs
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        n RECORD;
        picked jobs;
      BEGIN
        SELECT encoders, max_concurrent_jobs, offline INTO n FROM nodes WHERE id = p_node FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'node % is not registered', p_node USING ERRCODE = 'P0002';
        END IF;
        -- Polling is proof of life: an offline node that asks for work is back.
        IF n.offline THEN
          UPDATE nodes SET last_heartbeat = p_now, offline = FALSE WHERE id = p_node;
        END IF;
        IF (SELECT COUNT(*) FROM jobs WHERE node_id = p_node AND status IN ('assigned', 'running'))
            >= n.max_concurrent_jobs THEN
          RETURN;
        END IF;
        -- The oldest ready job of the best priority whose requirements the node's encoders cover;
        -- SKIP LOCKED passes over a job another claim holds. A run's jobs go one at a time, in run
        -- order (jobs that merely carry a run_id, with no run row, are not held back).
        SELECT * INTO picked FROM jobs
        WHERE status = 'queued' AND (not_before IS NULL OR not_before <= p_now)
          AND (target_node_id IS NULL OR target_node_id = p_node)
          AND requires <@ n.encoders
          AND (jobs.run_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = jobs.run_id)
            OR NOT EXISTS (SELECT 1 FROM jobs p WHERE p.run_id = jobs.run_id AND p.seq < jobs.seq
              AND p.status IN ('queued', 'assigned', 'running')))
        ORDER BY priority, seq
        LIMIT 1
        FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
          RETURN;
        END IF;
        UPDATE jobs SET status = 'assigned', node_id = p_node, assigned_at = p_now,
          lease_expires_at = p_now + p_lease_ms, not_before = NULL, progress = 0, stats = NULL, error = NULL
        WHERE seq = picked.seq;
        RETURN NEXT picked;
      END
      $fn$;
    `,
  },
];

/** Any constant works; it only has to be the same for every master sharing the database. */
const MIGRATION_LOCK = 0x6666_7274; // "ffrt"

import type { AppliedMigration } from '../port.js';

/**
 * Applies what is missing, all in one transaction under a transaction-scoped advisory lock: masters
 * starting together queue on the lock, and the second one finds everything applied. A failing
 * migration rolls back whole (PostgreSQL DDL is transactional). Returns what this call applied.
 */
export async function migratePostgres(client: pg.ClientBase): Promise<AppliedMigration[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: AppliedMigration[] = [];
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push({ version: m.version, name: m.name });
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
