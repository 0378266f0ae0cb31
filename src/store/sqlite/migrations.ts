/**
 * Numbered, append-only migrations for the SQLite store. Never edit a released migration; add the
 * next number. Times are epoch milliseconds; JSON columns hold arrays/objects as text.
 */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'init',
    sql: `
      CREATE TABLE nodes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        node_key TEXT UNIQUE,
        address TEXT NOT NULL,
        type TEXT NOT NULL,
        cpu_threads INTEGER NOT NULL,
        cpu_model TEXT NOT NULL,
        has_gpu INTEGER NOT NULL,
        gpu_type TEXT,
        ram_bytes INTEGER NOT NULL,
        labels TEXT NOT NULL,
        encoders TEXT NOT NULL,
        power_sources TEXT NOT NULL,
        max_concurrent_jobs INTEGER NOT NULL,
        agent_version TEXT,
        ffmpeg_version TEXT,
        -- busy/available and the current job are derived from jobs when read, so claims and
        -- results never rewrite the node row; only the reaper and heartbeats flip this flag.
        offline INTEGER NOT NULL DEFAULT 0,
        last_heartbeat INTEGER NOT NULL,
        registered_at INTEGER NOT NULL
      );

      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        scenario TEXT NOT NULL,
        confidence TEXT NOT NULL,
        parameters TEXT NOT NULL,
        requires TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        node_id TEXT,
        target_node_id TEXT,
        run_id TEXT,
        attempt INTEGER NOT NULL,
        retry_count INTEGER NOT NULL,
        max_retries INTEGER NOT NULL,
        progress REAL NOT NULL,
        stats TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        assigned_at INTEGER,
        started_at INTEGER,
        completed_at INTEGER,
        lease_expires_at INTEGER,
        not_before INTEGER
      );
      -- The claim walks this index in order: priority rank, then submission order.
      CREATE INDEX jobs_queue ON jobs (priority, seq) WHERE status = 'queued';
      CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status IN ('assigned', 'running');
      CREATE INDEX jobs_active_by_node ON jobs (node_id) WHERE status IN ('assigned', 'running');
      CREATE INDEX jobs_by_run ON jobs (run_id, seq) WHERE run_id IS NOT NULL;
      -- Few indexes on purpose: every index is rewritten on each state change of a job, and
      -- claims are the hot path. Listing by status or node scans (admin pages, limit 100).

      CREATE TABLE results (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        status TEXT NOT NULL,
        completed_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        error TEXT,
        body TEXT NOT NULL,
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
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        options TEXT NOT NULL,
        -- [{job_id, kind, group, repetition}] in run order; the jobs carry run_id.
        entries TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- The claim asks "is an earlier job of this run unfinished?"; only unfinished run jobs are here.
      CREATE INDEX jobs_run_unfinished ON jobs (run_id, seq)
        WHERE run_id IS NOT NULL AND status IN ('queued', 'assigned', 'running');
    `,
  },
];
