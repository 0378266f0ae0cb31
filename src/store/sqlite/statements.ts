import type Database from 'better-sqlite3';

export const ACTIVE = `status IN ('assigned', 'running')`;

/** Nodes with their derived status and current job (the latest active job they hold). */
export const NODE_SELECT = `
  SELECT *, CASE WHEN offline = 1 THEN 'offline' WHEN current_job_id IS NOT NULL THEN 'busy' ELSE 'available' END AS status
  FROM (SELECT n.*, (SELECT j.id FROM jobs j WHERE j.node_id = n.id AND j.${ACTIVE}
                     ORDER BY j.assigned_at DESC, j.seq DESC LIMIT 1) AS current_job_id
        FROM nodes n)`;

/** Every statement of the SQLite store, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    nodeById: db.prepare(`${NODE_SELECT} WHERE id = ?`),
    nodeByKey: db.prepare('SELECT id FROM nodes WHERE node_key = ?'),
    // The claim needs only these; parsing the whole row on every poll would be waste.
    nodeForClaim: db.prepare('SELECT encoders, max_concurrent_jobs, offline FROM nodes WHERE id = ?'),
    nodeExists: db.prepare('SELECT 1 AS found FROM nodes WHERE id = ?'),
    insertNode: db.prepare(`
      INSERT INTO nodes (id, node_key, address, type, cpu_threads, cpu_model, has_gpu, gpu_type, ram_bytes, labels,
        encoders, power_sources, max_concurrent_jobs, agent_version, ffmpeg_version, offline,
        last_heartbeat, registered_at)
      VALUES (@id, @node_key, @address, @type, @cpu_threads, @cpu_model, @has_gpu, @gpu_type, @ram_bytes, @labels,
        @encoders, @power_sources, @max_concurrent_jobs, @agent_version, @ffmpeg_version, 0,
        @now, @now)`),
    updateNodeRegistration: db.prepare(`
      UPDATE nodes SET address = @address, type = @type, cpu_threads = @cpu_threads, cpu_model = @cpu_model,
        has_gpu = @has_gpu, gpu_type = @gpu_type, ram_bytes = @ram_bytes, labels = @labels, encoders = @encoders,
        power_sources = @power_sources, max_concurrent_jobs = @max_concurrent_jobs, agent_version = @agent_version,
        ffmpeg_version = @ffmpeg_version, last_heartbeat = @now, offline = 0
      WHERE id = @id`),
    touchNode: db.prepare('UPDATE nodes SET last_heartbeat = ?, offline = 0 WHERE id = ?'),
    renewNodeLeases: db.prepare(`UPDATE jobs SET lease_expires_at = ? WHERE node_id = ? AND ${ACTIVE}`),
    renewListedLeases: db.prepare(
      `UPDATE jobs SET lease_expires_at = ? WHERE node_id = ? AND ${ACTIVE} AND id IN (SELECT value FROM json_each(?))`,
    ),
    deleteNode: db.prepare('DELETE FROM nodes WHERE id = ?'),
    lostNodes: db.prepare('SELECT id FROM nodes WHERE offline = 0 AND last_heartbeat < ?'),
    markOffline: db.prepare('UPDATE nodes SET offline = 1 WHERE id = ?'),
    activeCount: db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE node_id = ? AND ${ACTIVE}`),
    activeOf: db.prepare(`SELECT * FROM jobs WHERE node_id = ? AND ${ACTIVE}`),
    jobById: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    insertJob: db.prepare(`
      INSERT INTO jobs (id, scenario, confidence, parameters, requires, status, priority, node_id, target_node_id, run_id,
        attempt, retry_count, max_retries, progress, stats, error, created_at, assigned_at, started_at, completed_at,
        lease_expires_at, not_before)
      VALUES (@id, @scenario, @confidence, @parameters, @requires, @status, @priority, @node_id, @target_node_id, @run_id,
        @attempt, @retry_count, @max_retries, @progress, @stats, @error, @created_at, @assigned_at, @started_at, @completed_at,
        @lease_expires_at, @not_before)`),
    // Writes the state a core transition produced; `expected` guards against a lost update.
    updateJob: db.prepare(`
      UPDATE jobs SET status = @status, node_id = @node_id, attempt = @attempt, retry_count = @retry_count,
        progress = @progress, stats = @stats, error = @error, assigned_at = @assigned_at, started_at = @started_at,
        completed_at = @completed_at, lease_expires_at = @lease_expires_at, not_before = @not_before
      WHERE id = @id AND status = @expected_status AND attempt = @expected_attempt`),
    // The claim: oldest ready job of the best priority whose requirements this node meets.
    // INDEXED BY: walk jobs_queue in (priority, seq) order and stop at the first match. Once ANALYZE
    // has run, the planner may otherwise prefer a scan of the whole table plus a sort (~150 ms at
    // 100k queued); with the hint, a plan without the index is an error at prepare, never a slow claim.
    nextCandidates: db.prepare(`
      SELECT * FROM jobs INDEXED BY jobs_queue
      WHERE status = 'queued' AND (not_before IS NULL OR not_before <= @now)
        AND (target_node_id IS NULL OR target_node_id = @node_id)
        AND NOT EXISTS (SELECT 1 FROM json_each(jobs.requires) r WHERE r.value NOT IN (SELECT value FROM json_each(@encoders)))
        -- A run's jobs go one at a time, in run order: no earlier job of its run is unfinished.
        -- (Jobs that merely carry a run_id from POST /jobs, with no run row, are not held back.)
        AND (jobs.run_id IS NULL
          OR NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = jobs.run_id)
          OR NOT EXISTS (SELECT 1 FROM jobs p WHERE p.run_id = jobs.run_id AND p.seq < jobs.seq
            AND p.status IN ('queued', 'assigned', 'running')))
      ORDER BY priority, seq
      LIMIT 1`),
    expired: db.prepare(
      `SELECT * FROM jobs WHERE ${ACTIVE} AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?`,
    ),
    resultByAttempt: db.prepare('SELECT * FROM results WHERE job_id = ? AND attempt = ?'),
    latestResult: db.prepare('SELECT * FROM results WHERE job_id = ? ORDER BY attempt DESC LIMIT 1'),
    latestPerScenario: db.prepare(`
      SELECT * FROM results WHERE seq IN (
        SELECT MAX(r.seq) FROM results r JOIN jobs j ON j.id = r.job_id
        WHERE r.status = 'completed' GROUP BY j.scenario)
      ORDER BY seq DESC LIMIT ?`),
    jobCounts: db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
    queuedByPriority: db.prepare(
      `SELECT priority, COUNT(*) AS n FROM jobs WHERE status = 'queued' GROUP BY priority`,
    ),
    nodeCounts: db.prepare(`SELECT status, COUNT(*) AS n FROM (${NODE_SELECT}) GROUP BY status`),
    insertRun: db.prepare(
      'INSERT INTO runs (id, name, options, entries, created_at) VALUES (@id, @name, @options, @entries, @created_at)',
    ),
    runById: db.prepare('SELECT * FROM runs WHERE id = ?'),
    runJobCounts: db.prepare('SELECT status, COUNT(*) AS n FROM jobs WHERE run_id = ? GROUP BY status'),
    insertResult: db.prepare(`
      INSERT INTO results (job_id, attempt, node_id, status, completed_at, received_at, error, body)
      VALUES (@job_id, @attempt, @node_id, @status, @completed_at, @received_at, @error, @body)`),
    // Bulk copy (ffrtmp db copy): a node verbatim, with its offline flag and times.
    importNode: db.prepare(`
      INSERT INTO nodes (id, node_key, address, type, cpu_threads, cpu_model, has_gpu, gpu_type, ram_bytes, labels,
        encoders, power_sources, max_concurrent_jobs, agent_version, ffmpeg_version, offline,
        last_heartbeat, registered_at)
      VALUES (@id, @node_key, @address, @type, @cpu_threads, @cpu_model, @has_gpu, @gpu_type, @ram_bytes, @labels,
        @encoders, @power_sources, @max_concurrent_jobs, @agent_version, @ffmpeg_version, @offline,
        @last_heartbeat, @registered_at)`),
    totals: db.prepare(`SELECT (SELECT COUNT(*) FROM nodes) AS nodes, (SELECT COUNT(*) FROM runs) AS runs,
      (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM results) AS results`),
  };
}
