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

/**
 * The heartbeat in one statement (no BEGIN/COMMIT): marks the node alive, renews the leases of the
 * jobs it holds, and returns the node as NODE_SELECT would (its current job is the latest active
 * one it holds). No row: the node is unknown.
 */
export const HEARTBEAT = `
  WITH touched AS (
    UPDATE nodes SET last_heartbeat = $1, offline = FALSE WHERE id = $2 RETURNING *),
  renewed AS (
    UPDATE jobs SET lease_expires_at = $3
    WHERE node_id = $2 AND ${ACTIVE} AND EXISTS (SELECT 1 FROM touched)
      AND ($4::text[] IS NULL OR id = ANY($4::text[]))
    RETURNING id)
  SELECT t.*, c.current_job_id,
    CASE WHEN t.offline THEN 'offline' WHEN c.current_job_id IS NOT NULL THEN 'busy' ELSE 'available' END AS status
  FROM touched t
  LEFT JOIN LATERAL (SELECT j.id AS current_job_id FROM jobs j WHERE j.node_id = t.id AND ${ACTIVE}
                     ORDER BY j.assigned_at DESC, j.seq DESC LIMIT 1) c ON TRUE`;

export const DELETE_NODE = 'DELETE FROM nodes WHERE id = $1';
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

export const ACTIVE_OF_FOR_UPDATE = `SELECT * FROM jobs WHERE node_id = $1 AND ${ACTIVE} ORDER BY seq FOR UPDATE`;

export const JOB_BY_ID = 'SELECT * FROM jobs WHERE id = $1';
export const JOB_FOR_UPDATE = 'SELECT * FROM jobs WHERE id = $1 FOR UPDATE';

const JOB_COLUMNS = `id, scenario, confidence, parameters, requires, status, priority, node_id, target_node_id,
  run_id, attempt, retry_count, max_retries, progress, stats, error, created_at, assigned_at, started_at,
  completed_at, lease_expires_at, not_before`;
const JOB_VALUES = `$1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16,
  $17, $18, $19, $20, $21, $22`;
export const INSERT_JOB = `INSERT INTO jobs (${JOB_COLUMNS}) VALUES (${JOB_VALUES})`;
/** enqueue in one statement: the insert and the wake-up on $23 (delivered on commit). */
export const ENQUEUE = `
  WITH i AS (INSERT INTO jobs (${JOB_COLUMNS}) VALUES (${JOB_VALUES}) RETURNING 1)
  SELECT pg_notify($23, '') FROM i`;

const SET_JOB = `status = $2, node_id = $3, attempt = $4, retry_count = $5, progress = $6, stats = $7::jsonb,
    error = $8, assigned_at = $9, started_at = $10, completed_at = $11, lease_expires_at = $12, not_before = $13`;

/** Writes the state a core transition produced; the expected status and attempt guard a lost update. */
export const UPDATE_JOB = `UPDATE jobs SET ${SET_JOB} WHERE id = $1 AND status = $14 AND attempt = $15`;

/**
 * The claim, one round trip: migration 3's ffrtmp_claim locks the node, checks its capacity, picks
 * the oldest ready job of the best priority that it can run (FOR UPDATE SKIP LOCKED, run order kept)
 * and assigns it. Returns the picked row as it was before the assignment; SQLSTATE P0002 = no node.
 */
export const CLAIM = 'SELECT * FROM ffrtmp_claim($1, $2, $3)';

/**
 * A job read for an optimistic update (renewLease, submitResult): its row version (xmin, which
 * every update of the row changes) and whether the reporting node exists, in one row even when
 * the job does not. With $3 (an attempt, or NULL for "the one the node holds"), the result already
 * stored for that attempt, as JSON.
 */
export const JOB_FOR_REPORT = `
  SELECT j.*, j.xmin::text AS version, EXISTS (SELECT 1 FROM nodes WHERE id = $2) AS node_exists,
    (SELECT to_jsonb(r) FROM results r WHERE r.job_id = j.id
       AND r.attempt = COALESCE($3::int, CASE WHEN j.node_id = $2 THEN j.attempt END)) AS stored
  FROM (SELECT 1) one LEFT JOIN jobs j ON j.id = $1`;

/** UPDATE_JOB guarded by the row version read with JOB_FOR_REPORT ($14): no row, someone wrote first. */
export const UPDATE_JOB_AT_VERSION = `UPDATE jobs SET ${SET_JOB} WHERE id = $1 AND xmin = $14::text::xid`;

/**
 * submitResult's write, one statement: the job update at the version read ($14), the result
 * ($15..$22, only when the update took), and the wake-up on $23 when some job is queued. Returns
 * `updated` = 0 when someone wrote the job first (read again).
 */
export const FINISH_AT_VERSION = `
  WITH u AS (UPDATE jobs SET ${SET_JOB} WHERE id = $1 AND xmin = $14::text::xid RETURNING id),
  r AS (
    INSERT INTO results (job_id, attempt, node_id, status, completed_at, received_at, error, body)
    SELECT $15, $16, $17, $18, $19, $20, $21, $22::jsonb WHERE EXISTS (SELECT 1 FROM u) RETURNING 1)
  SELECT (SELECT COUNT(*) FROM r)::int AS updated,
    (SELECT pg_notify($23, '') WHERE EXISTS (SELECT 1 FROM r)
       AND EXISTS (SELECT 1 FROM jobs WHERE status = 'queued')) AS notified`;

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
