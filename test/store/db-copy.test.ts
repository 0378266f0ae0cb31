import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParameters } from '../../src/core/job-parameters.js';
import type { NodeRegistration } from '../../src/core/node.js';
import type { NewJob } from '../../src/core/records.js';
import type { Store } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { CLI, tempDir } from '../helpers.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

// `ffrtmp db migrate` and `ffrtmp db copy` through the built CLI, from a real SQLite file into a
// real PostgreSQL database.

const T0 = 1_700_000_000_000;
const LEASE = { leaseMs: 30_000 };

let db: TestDatabase;
const dir = tempDir('ffrtmp-db-copy-');
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
  dir.cleanup();
});

function ffrtmp(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it first)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const registration = (i: number): NodeRegistration => ({
  address: `10.0.0.${i}`,
  type: 'server',
  cpu_threads: 8 + i,
  cpu_model: `CPU ${i}`,
  has_gpu: i % 2 === 0,
  gpu_type: i % 2 === 0 ? 'NVIDIA L4' : null,
  ram_bytes: 2 ** 35 + i,
  labels: { rack: `r${i}` },
  encoders: ['libx264', 'libx265'],
  power_sources: ['rapl', 'estimate'],
  max_concurrent_jobs: 2,
  agent_version: '0.1.0',
  ffmpeg_version: '7.1',
  node_key: `key-${i}`,
});

const newJob = (i: number): NewJob => ({
  id: randomUUID(),
  scenario: `scenario-${i}`,
  confidence: 'auto',
  parameters: parseJobParameters({ duration: 10 + i, bitrate: `${1000 + i}k`, resolution: '1280x720' }),
  priority: (['high', 'medium', 'low'] as const)[i % 3] ?? 'medium',
  max_retries: 3,
  run_id: null,
  target_node_id: null,
});

/**
 * A standalone database with history: 3 nodes (two gone offline), 14 jobs in most statuses (2 of
 * them a run's), and results of several attempts (a failed first attempt, then a completed retry).
 */
async function seed(store: Store): Promise<void> {
  const nodes = [];
  for (let i = 1; i <= 3; i++) nodes.push((await store.registerNode(registration(i), T0 + i)).node.id);
  const [a = '', b = ''] = nodes;
  for (let i = 0; i < 12; i++) await store.enqueue(newJob(i), T0 + 100 + i);
  // A benchmark run of two jobs, low priority so the jobs above go first.
  const specs = [newJob(20), newJob(21)].map((j) => ({ ...j, priority: 'low' as const }));
  await store.createRun(
    {
      id: randomUUID(),
      name: 'copied run',
      options: { repeat: 2, baseline: false },
      entries: specs.map((j, i) => ({ job_id: j.id, kind: 'single', group: 'encode', repetition: i + 1 })),
    },
    specs,
    T0 + 200,
  );
  let now = T0 + 1000;
  for (let round = 0; round < 3; round++) {
    for (const node of [a, b]) {
      const job = await store.claimNext(node, now, LEASE);
      if (!job) continue;
      await store.renewLease(
        { jobId: job.id, nodeId: node, progress: 0.5, stats: { watts: 40 + round } },
        now,
        LEASE,
      );
      await store.submitResult(
        {
          job_id: job.id,
          node_id: node,
          attempt: job.attempt,
          status: round === 0 ? 'failed' : 'completed',
          completed_at: now,
          error: round === 0 ? 'encoder crashed' : null,
          metrics: { encoding_fps: 30 + round, frames_encoded: 900 },
          power: { mean_watts: 42.5 + round },
          energy: { package_joules: 1234.5, source: 'rapl' },
          quality: round === 2 ? { psnr: 41.2, ssim: 0.98 } : null,
          samples: [
            { t: 0, watts: 42 },
            { t: 1, watts: 43.5 },
          ],
          analyzer_output: { efficiency: 1.5 },
        },
        now + 1,
      );
      if (round === 0) await store.retryJob(job.id, now + 2);
      now += 10;
    }
  }
  // One running job (node a keeps heartbeating), one canceled, one whose node b goes silent: b and the
  // never-heard-of-again node 3 go offline and b's job is requeued as attempt 2.
  const running = await store.claimNext(a, now, LEASE);
  if (running) await store.renewLease({ jobId: running.id, nodeId: a, progress: 0.25 }, now, LEASE);
  const queued = await store.listJobs({ status: 'queued' }, { limit: 1 });
  if (queued.items[0]) await store.cancelJob(queued.items[0].id, now);
  await store.claimNext(b, now, LEASE);
  await store.heartbeat(a, now + 50_000, LEASE);
  await store.reclaimExpired(now + 60_000, { random: () => 0.5, nodeTimeoutMs: 55_000 });
}

async function all<T>(
  list: (p: { limit: number; cursor?: string }) => Promise<{ items: T[]; next_cursor: string | null }>,
) {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

describe('ffrtmp db', () => {
  it('migrate applies the schema once on both backends and reports it', async () => {
    const url = await db.schemaUrl();
    const first = await ffrtmp(['db', 'migrate', '--database-url', url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const m of POSTGRES_MIGRATIONS)
      expect(first.stdout).toContain(`applied migration ${m.version} ${m.name}`);
    expect(first.stdout).not.toContain('ffrtmp_test@'); // the password is masked
    const second = await ffrtmp(['db', 'migrate', '--database-url', url, '--json']);
    expect(JSON.parse(second.stdout).applied).toEqual([]);

    const path = join(dir.path, 'migrate.db');
    const sqlite = await ffrtmp(['db', 'migrate', '--db', path]);
    expect(sqlite.code).toBe(0);
    expect(sqlite.stdout).toContain('applied migration 1 init');
    expect(sqlite.stdout).toContain('applied migration 2 runs');
    expect((await ffrtmp(['db', 'migrate', '--db', path])).stdout).toContain('schema up to date');
  });

  it('copy moves nodes, jobs, every result attempt from SQLite into PostgreSQL, verified', async () => {
    const path = join(dir.path, 'standalone.db');
    const source = openSqliteStore({ path });
    await seed(source);
    const url = await db.schemaUrl();

    const copy = await ffrtmp(['db', 'copy', '--from', `sqlite:${path}`, '--to', url, '--batch', '4']);
    expect(copy.stderr).toMatch(/jobs: 14\/14/);
    expect(copy.code, copy.stderr).toBe(0);
    const target = await openPostgresStore({ url });
    try {
      const [nodes, runs, jobs, results] = [
        await all((p) => source.listNodes({}, p)),
        await all((p) => source.listRuns(p)),
        await all((p) => source.listJobs({}, p)),
        await all((p) => source.listResults({}, p)),
      ];
      expect(copy.stdout).toContain(
        `copied and verified: 3 nodes, 1 runs, 14 jobs, ${results.length} results`,
      );
      // The seed really produced the history this test is about.
      expect(new Set(jobs.map((j) => j.status))).toEqual(
        new Set(['queued', 'running', 'completed', 'canceled']),
      );
      expect(jobs.some((j) => j.status === 'queued' && j.attempt === 2 && j.not_before !== null)).toBe(true);
      expect(results.some((r) => r.attempt === 2)).toBe(true);
      expect(nodes.map((n) => n.status)).toContain('offline');

      // Every record, field by field, in the same order; derived node status and current job too.
      expect(await all((p) => target.listNodes({}, p))).toEqual(nodes);
      expect(await all((p) => target.listJobs({}, p))).toEqual(jobs);
      expect(await all((p) => target.listResults({}, p))).toEqual(results);
      expect(await all((p) => target.listRuns(p))).toEqual(runs);
      expect(runs[0]?.entries).toHaveLength(2);
      expect(await target.counts()).toEqual(await source.counts());

      // A copied queue goes on working: the target hands out the source's next job.
      const queued = jobs.find((j) => j.status === 'queued');
      const free = nodes.find((n) => n.status === 'offline'); // it comes back by asking for work
      if (!queued || !free) throw new Error('seed left no queued job or free node');
      const next = await target.claimNext(free.id, T0 + 200_000, LEASE);
      expect(next?.id).toBe((await source.claimNext(free.id, T0 + 200_000, LEASE))?.id);
    } finally {
      await target.close();
      await source.close();
    }

    // A second copy into the now non-empty target is refused, and --force replaces it.
    const again = await ffrtmp(['db', 'copy', '--from', `sqlite:${path}`, '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds .* pass --force/);
    const forced = await ffrtmp(['db', 'copy', '--from', `sqlite:${path}`, '--to', url, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('erased first');

    // And back: PostgreSQL into a new SQLite file, the same counts.
    const back = join(dir.path, 'back.db');
    const reverse = await ffrtmp(['db', 'copy', '--from', url, '--to', `sqlite:${back}`, '--json']);
    expect(reverse.code, reverse.stderr).toBe(0);
    expect(JSON.parse(reverse.stdout).target).toEqual(JSON.parse(reverse.stdout).source);
    const copied = openSqliteStore({ path: back });
    try {
      expect((await copied.totals()).jobs).toBe(14);
    } finally {
      await copied.close();
    }
  });

  it('refuses a missing source file and a target that is not a database URL, exit 2', async () => {
    const missing = await ffrtmp([
      'db',
      'copy',
      '--from',
      'sqlite:/nonexistent/x.db',
      '--to',
      await db.schemaUrl(),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--from: \/nonexistent\/x.db does not exist/);
    const bad = await ffrtmp(['db', 'copy', '--from', 'sqlite:/tmp/x.db', '--to', 'mysql://u:secret@h/db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--to: expected sqlite:PATH or postgres:/);
    expect(bad.stderr).not.toContain('secret');
  });
});
