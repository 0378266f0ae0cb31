/** The SQL of the PostgreSQL store, one constant per statement; `$n` parameters only. */

export const ACTIVE = `status IN ('assigned', 'running')`;

/** Nodes with their derived status and current job (the latest active job they hold), as in SQLite. */
export const NODE_SELECT = `
  SELECT n.*, c.current_job_id,
    CASE WHEN n.offline THEN 'offline' WHEN c.current_job_id IS NOT NULL THEN 'busy' ELSE 'available' END AS status
  FROM nodes n
  LEFT JOIN LATERAL (SELECT j.id AS current_job_id FROM jobs j WHERE j.node_id = n.id AND j.${ACTIVE}
                     ORDER BY j.assigned_at DESC, j.seq DESC LIMIT 1) c ON TRUE`;

export const NODE_BY_ID = `${NODE_SELECT} WHERE n.id = $1`;
export const NODE_EXISTS = 'SELECT 1 FROM nodes WHERE id = $1';

const NODE_COLUMNS = `node_key, address, type, cpu_threads, cpu_model, has_gpu, gpu_type, ram_bytes, labels,
  encoders, power_sources, max_concurrent_jobs, agent_version, ffmpeg_version`;
const NODE_VALUES = '$2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14, $15';

/**
 * Registration as one statement: a known node_key updates that node (ON CONFLICT, so two masters
 * registering one agent at once cannot create two nodes); `xmax = 0` tells an insert from an update.
 */
export const UPSERT_NODE = `
  INSERT INTO nodes (id, ${NODE_COLUMNS}, offline, last_heartbeat, registered_at)
  VALUES ($1, ${NODE_VALUES}, FALSE, $16, $16)
  ON CONFLICT (node_key) DO UPDATE SET address = EXCLUDED.address, type = EXCLUDED.type,
    cpu_threads = EXCLUDED.cpu_threads, cpu_model = EXCLUDED.cpu_model, has_gpu = EXCLUDED.has_gpu,
    gpu_type = EXCLUDED.gpu_type, ram_bytes = EXCLUDED.ram_bytes, labels = EXCLUDED.labels,
    encoders = EXCLUDED.encoders, power_sources = EXCLUDED.power_sources,
    max_concurrent_jobs = EXCLUDED.max_concurrent_jobs, agent_version = EXCLUDED.agent_version,
    ffmpeg_version = EXCLUDED.ffmpeg_version, last_heartbeat = EXCLUDED.last_heartbeat, offline = FALSE
  RETURNING id, (xmax = 0) AS created`;

/** A node copied verbatim (ffrtmp db copy). */
export const IMPORT_NODE = `
  INSERT INTO nodes (id, ${NODE_COLUMNS}, offline, last_heartbeat, registered_at)
  VALUES ($1, ${NODE_VALUES}, $16, $17, $18)`;

export const TOUCH_NODE = 'UPDATE nodes SET last_heartbeat = $1, offline = FALSE WHERE id = $2 RETURNING id';
export const RENEW_NODE_LEASES = `UPDATE jobs SET lease_expires_at = $1 WHERE node_id = $2 AND ${ACTIVE}`;
export const DELETE_NODE = 'DELETE FROM nodes WHERE id = $1';
/** Locks the node: claims of one node queue here, so max_concurrent_jobs holds under concurrency. */
export const NODE_FOR_CLAIM =
  'SELECT encoders, max_concurrent_jobs, offline FROM nodes WHERE id = $1 FOR UPDATE';
export const NODE_FOR_UPDATE = 'SELECT id FROM nodes WHERE id = $1 FOR UPDATE';

/**
 * Silent nodes, marked offline in the same statement. SKIP LOCKED plus the re-check PostgreSQL does
 * on a row that changed meanwhile (offline is then true) mean two reapers never both take a node.
 */
export const MARK_LOST_NODES = `
  UPDATE nodes SET offline = TRUE WHERE id IN (
    SELECT id FROM nodes WHERE NOT offline AND last_heartbeat < $1 ORDER BY last_heartbeat FOR UPDATE SKIP LOCKED)
    AND NOT offline
  RETURNING id`;

export const ACTIVE_COUNT = `SELECT COUNT(*)::int AS n FROM jobs WHERE node_id = $1 AND ${ACTIVE}`;
export const ACTIVE_OF_FOR_UPDATE = `SELECT * FROM jobs WHERE node_id = $1 AND ${ACTIVE} ORDER BY seq FOR UPDATE`;

export const JOB_BY_ID = 'SELECT * FROM jobs WHERE id = $1';
export const JOB_FOR_UPDATE = 'SELECT * FROM jobs WHERE id = $1 FOR UPDATE';

const JOB_COLUMNS = `id, scenario, confidence, parameters, requires, status, priority, node_id, target_node_id,
  run_id, attempt, retry_count, max_retries, progress, stats, error, created_at, assigned_at, started_at,
  completed_at, lease_expires_at, not_before`;
export const INSERT_JOB = `
  INSERT INTO jobs (${JOB_COLUMNS})
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18,
    $19, $20, $21, $22)`;

/** Writes the state a core transition produced; the expected status and attempt guard a lost update. */
export const UPDATE_JOB = `
  UPDATE jobs SET status = $2, node_id = $3, attempt = $4, retry_count = $5, progress = $6, stats = $7::jsonb,
    error = $8, assigned_at = $9, started_at = $10, completed_at = $11, lease_expires_at = $12, not_before = $13
  WHERE id = $1 AND status = $14 AND attempt = $15`;

/**
 * The claim: the oldest ready job of the best priority whose requirements the node's encoders cover
 * (JSONB containment). SKIP LOCKED: a job another master is claiming right now is passed over, not
 * waited for, so concurrent claims spread over the queue instead of queuing on its head.
 */
export const NEXT_CANDIDATE = `
  SELECT * FROM jobs
  WHERE status = 'queued' AND (not_before IS NULL OR not_before <= $1)
    AND (target_node_id IS NULL OR target_node_id = $2)
    AND requires <@ $3::jsonb
    -- A run's jobs go one at a time, in run order: no earlier job of its run is unfinished. A job
    -- another claim holds locked still reads as queued here, so the next one waits for it too.
    -- (Jobs that merely carry a run_id from POST /jobs, with no run row, are not held back.)
    AND (jobs.run_id IS NULL
      OR NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = jobs.run_id)
      OR NOT EXISTS (SELECT 1 FROM jobs p WHERE p.run_id = jobs.run_id AND p.seq < jobs.seq
        AND p.status IN ('queued', 'assigned', 'running')))
  ORDER BY priority, seq
  LIMIT 1
  FOR UPDATE SKIP LOCKED`;

export const EXPIRED = `
  SELECT * FROM jobs WHERE ${ACTIVE} AND lease_expires_at <= $1
  ORDER BY lease_expires_at LIMIT $2
  FOR UPDATE SKIP LOCKED`;

export const RESULT_BY_ATTEMPT = 'SELECT * FROM results WHERE job_id = $1 AND attempt = $2';
export const LATEST_RESULT = 'SELECT * FROM results WHERE job_id = $1 ORDER BY attempt DESC LIMIT 1';
export const INSERT_RESULT = `
  INSERT INTO results (job_id, attempt, node_id, status, completed_at, received_at, error, body)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`;

export const JOB_COUNTS = 'SELECT status, COUNT(*)::int AS n FROM jobs GROUP BY status';
export const QUEUED_BY_PRIORITY = `SELECT priority, COUNT(*)::int AS n FROM jobs WHERE status = 'queued' GROUP BY priority`;
export const NODE_COUNTS = `SELECT status, COUNT(*)::int AS n FROM (${NODE_SELECT}) s GROUP BY status`;

export const INSERT_RUN = `
  INSERT INTO runs (id, name, options, entries, created_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)`;
export const RUN_BY_ID = 'SELECT * FROM runs WHERE id = $1';
export const RUN_JOB_COUNTS = 'SELECT status, COUNT(*)::int AS n FROM jobs WHERE run_id = $1 GROUP BY status';

export const TOTALS = `SELECT (SELECT COUNT(*) FROM nodes)::int AS nodes, (SELECT COUNT(*) FROM runs)::int AS runs,
  (SELECT COUNT(*) FROM jobs)::int AS jobs, (SELECT COUNT(*) FROM results)::int AS results`;
/** Children first; TRUNCATE would need more privileges than the master's role may hold. */
export const ERASE_ALL = ['DELETE FROM results', 'DELETE FROM jobs', 'DELETE FROM runs', 'DELETE FROM nodes'];

/** The latest completed result of each scenario, newest first (the master's results metrics). */
export const LATEST_PER_SCENARIO = `
  SELECT * FROM results WHERE seq IN (
    SELECT MAX(r.seq) FROM results r JOIN jobs j ON j.id = r.job_id
    WHERE r.status = 'completed' GROUP BY j.scenario)
  ORDER BY seq DESC LIMIT $1`;
export const JOBS_BY_IDS = 'SELECT * FROM jobs WHERE id = ANY($1::text[])';

export const NOTIFY = 'SELECT pg_notify($1, $2)';
/** Walks the queue index for one row: cheap. */
export const NOTIFY_IF_QUEUED = `SELECT pg_notify($1, '') WHERE EXISTS (SELECT 1 FROM jobs WHERE status = 'queued')`;
