import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseJobParameters } from '../../core/job-parameters.js';
import { describeStoreContract } from '../contract.js';
import type { Store } from '../port.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { prepareStatements } from './statements.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const WORKER = join(ROOT, 'test/fixtures/sqlite-claim-worker.ts');
const T0 = 1_700_000_000_000;

const dir = mkdtempSync(join(tmpdir(), 'ffrtmp-sqlite-'));
const dbPath = () => join(dir, `${randomUUID()}.db`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('sqlite', () => Promise.resolve(openSqliteStore({ path: dbPath() })));

describe('SQLite store', () => {
  const open: Store[] = [];
  const track = (store: Store): Store => {
    open.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const newJob = () => ({
    id: randomUUID(),
    scenario: 'sqlite',
    confidence: 'auto' as const,
    parameters: parseJobParameters({ duration: 60, bitrate: '5000k' }),
    priority: 'medium' as const,
    max_retries: 3,
    run_id: null,
    target_node_id: null,
  });

  function appliedMigrations(path: string): { version: number; name: string; applied_at: number }[] {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
        version: number;
        name: string;
        applied_at: number;
      }[];
    } finally {
      db.close();
    }
  }

  it('records each migration once and keeps data when the file is reopened', async () => {
    const path = dbPath();
    const first = track(openSqliteStore({ path }));
    const job = await first.enqueue(newJob(), T0);
    await first.close();

    const recorded = appliedMigrations(path);
    expect(recorded.map((m) => [m.version, m.name])).toEqual(
      SQLITE_MIGRATIONS.map((m) => [m.version, m.name]),
    );

    const second = track(openSqliteStore({ path }));
    expect(await second.getJob(job.id)).toEqual(job);
    await second.close();
    // Same rows, same applied_at: the reopen ran no migration again.
    expect(appliedMigrations(path)).toEqual(recorded);
  });

  it('claims through the queue index even after ANALYZE with 20,000 queued jobs', async () => {
    const path = dbPath();
    const store = track(openSqliteStore({ path }));
    const { node } = await store.registerNode(
      {
        address: '10.0.0.9',
        type: 'server',
        cpu_threads: 8,
        cpu_model: 'Test CPU',
        has_gpu: false,
        gpu_type: null,
        ram_bytes: 8 * 1024 ** 3,
        labels: {},
        encoders: ['libx264'],
        power_sources: [],
        max_concurrent_jobs: 1,
        agent_version: null,
        ffmpeg_version: null,
        node_key: 'analyzed',
      },
      T0,
    );
    const first = await store.enqueue(newJob(), T0);
    const raw = new Database(path);
    try {
      // 19,999 copies of the first job's row, later in the queue, then ANALYZE: statistics that
      // make a full scan plus sort look cheap to the planner.
      const columns = (raw.pragma('table_info(jobs)') as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'seq');
      const copy = columns.map((c) => (c === 'id' ? "t.id || '-' || g.x" : `t.${c}`)).join(', ');
      raw
        .prepare(
          `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 19999)
           INSERT INTO jobs (${columns.join(', ')}) SELECT ${copy} FROM jobs t, g WHERE t.id = ?`,
        )
        .run(first.id);
      raw.exec('ANALYZE');
      expect(raw.prepare('SELECT COUNT(*) AS n FROM sqlite_stat1').get()).not.toEqual({ n: 0 });
      const claim = prepareStatements(raw).nextCandidates.source;
      const plan = (
        raw.prepare(`EXPLAIN QUERY PLAN ${claim}`).all({
          now: T0,
          node_id: node.id,
          encoders: '["libx264"]',
        }) as {
          detail: string;
        }[]
      ).map((r) => r.detail);
      // The outer jobs access walks jobs_queue; no step reads the whole jobs table or sorts it.
      expect(plan).toContainEqual(expect.stringMatching(/^SCAN jobs USING INDEX jobs_queue/));
      expect(
        plan.filter((d) => /^SCAN jobs\b(?! USING)/.test(d) || /TEMP B-TREE FOR ORDER BY/.test(d)),
      ).toEqual([]);
    } finally {
      raw.close();
    }
    // And the store, whose statements were prepared before ANALYZE, still claims the oldest job.
    expect((await store.claimNext(node.id, T0, { leaseMs: 60_000 }))?.id).toBe(first.id);
  });

  it('works in memory', async () => {
    const store = track(openSqliteStore({ path: ':memory:' }));
    const job = await store.enqueue(newJob(), T0);
    expect(await store.getJob(job.id)).toEqual(job);
  });

  it('hands each of 400 jobs to exactly one node across 4 processes sharing the file', async () => {
    const path = dbPath();
    const store = track(openSqliteStore({ path }));
    const jobs: string[] = [];
    for (let i = 0; i < 400; i++) jobs.push((await store.enqueue(newJob(), T0 + i)).id);

    const outputs = await runWorkers(path, 4, 3);

    const claims = outputs.flatMap((o) => o.claims);
    const claimed = claims.map((c) => c.job);
    expect(claimed).toHaveLength(400);
    expect(new Set(claimed).size).toBe(400);
    expect([...claimed].sort()).toEqual([...jobs].sort());
    // At least two processes took jobs, so the claims really did race. Not all four: SQLite's busy
    // handler sleeps between retries and is unfair, so one process often gets none (4 of 10 runs).
    expect(outputs.filter((o) => o.claims.length > 0).length).toBeGreaterThanOrEqual(2);

    // What each process saw matches what the file holds.
    for (const c of claims)
      expect(await store.getJob(c.job)).toMatchObject({ status: 'assigned', node_id: c.node });
    const nodes = await store.listNodes({}, {});
    expect(nodes.items).toHaveLength(12);
    expect((await store.listJobs({ status: 'queued' }, {})).items).toEqual([]);
  });

  it('lets several processes open a fresh file at once, migrating it exactly once', async () => {
    const path = dbPath();
    const outputs = await runWorkers(path, 4, 1);

    expect(outputs.map((o) => o.claims)).toEqual([[], [], [], []]);
    expect(appliedMigrations(path).map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    const store = track(openSqliteStore({ path }));
    expect((await store.listNodes({}, {})).items).toHaveLength(4);
  });
});

/** Starts `count` workers, releases them together once all are up, and collects what they claimed. */
async function runWorkers(path: string, count: number, nodesEach: number): Promise<WorkerOutput[]> {
  const workers = Array.from({ length: count }, (_, i) => startWorker(path, i, nodesEach));
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end('go\n');
    return await Promise.all(workers.map((w) => w.done));
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill();
  }
}

interface WorkerOutput {
  worker: string;
  claims: { job: string; node: string }[];
}

interface Worker {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  ready: Promise<void>;
  done: Promise<WorkerOutput>;
}

/** Starts test/fixtures/sqlite-claim-worker.ts; `ready` resolves once it waits for the start signal. */
function startWorker(path: string, index: number, nodes: number): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, path, String(index), String(nodes)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else output.push(line);
  });
  const done = new Promise<WorkerOutput>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`worker ${index} exited with ${code}: ${stderr}`));
        return;
      }
      resolve(JSON.parse(output.join('')) as WorkerOutput);
    });
  });
  // A worker that dies before `ready` must fail the test, not hang it.
  done.catch(() => {});
  return { child, ready: Promise.race([ready, done.then(() => {})]), done };
}
