import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { JobParameters } from '../src/core/job-parameters.js';
import type { NewJob } from '../src/core/records.js';
import { toRegistration } from '../src/master/routes/nodes.js';
import type { Store } from '../src/store/port.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createTestDatabase } from '../test/postgres.js';
import { tempDir } from '../test/helpers.js';
import { type LatencySummary, Samples, fmt as f } from './lib/stats.js';

/**
 * Claim latency at two queue depths, store level (no HTTP): `claimNext` timed alone while the
 * queue holds `depth` ready jobs. Each claimed job is completed and replaced outside the timing,
 * so the depth stays put. Flat p99 from 1k to 100k means the claim walks an index, not the table.
 */

export interface ClaimBenchOptions {
  depths: number[];
  claims: number;
}

export interface ClaimRow {
  store: 'sqlite' | 'postgres';
  depth: number;
  fillSec: number;
  latencyMs: LatencySummary;
}

const LEASE = { leaseMs: 60_000 };
const PARAMETERS = { duration: 60, bitrate: '5000k' } as unknown as JobParameters;

function newJob(): NewJob {
  return {
    id: randomUUID(),
    scenario: 'bench-claim',
    confidence: 'auto',
    parameters: PARAMETERS,
    priority: 'medium',
    max_retries: 3,
    run_id: null,
    target_node_id: null,
  };
}

/**
 * Fills the queue: one job through `enqueue`, then `count - 1` copies of its row made by the database
 * itself (another id, a later created_at), so 100k jobs take seconds, not minutes of round trips.
 * Both then get ANALYZE, as autovacuum would soon do on a PostgreSQL server (and an operator's
 * ANALYZE on SQLite): with statistics present the SQLite planner used to sort the whole table for
 * the claim instead of walking jobs_queue (~150 ms at 100k, found with this benchmark; the claim
 * now names its index).
 */
async function fill(store: Store, target: { path?: string; url?: string }, count: number): Promise<void> {
  const template = await store.enqueue(newJob(), Date.now() - count);
  const copies = count - 1;
  if (copies <= 0) return;
  const copyOf = (columns: string[], id: string, created: string) =>
    columns.map((c) => (c === 'id' ? id : c === 'created_at' ? created : `t.${c}`)).join(', ');
  if (target.path) {
    const db = new Database(target.path, { timeout: 5000 });
    try {
      const columns = (db.pragma('table_info(jobs)') as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'seq');
      db.prepare(
        `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?)
         INSERT INTO jobs (${columns.join(', ')})
         SELECT ${copyOf(columns, "t.id || '-' || g.x", 't.created_at + g.x')} FROM jobs t, g WHERE t.id = ?`,
      ).run(copies, template.id);
      db.exec('ANALYZE');
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'jobs' AND table_schema = current_schema() AND column_name <> 'seq'`,
      );
      const columns = rows.map((r) => r.column_name);
      await client.query(
        `INSERT INTO jobs (${columns.join(', ')})
         SELECT ${copyOf(columns, "t.id || '-' || g", 't.created_at + g')}
         FROM jobs t CROSS JOIN generate_series(1, $1::int) g WHERE t.id = $2 ORDER BY g`,
        [copies, template.id],
      );
      await client.query('ANALYZE jobs');
    } finally {
      await client.end();
    }
  }
}

async function measure(
  store: Store['dialect'],
  target: { path?: string; url?: string },
  depth: number,
  claims: number,
) {
  const db = target.path
    ? openSqliteStore({ path: target.path })
    : await openPostgresStore({ url: target.url as string });
  try {
    const { node } = await db.registerNode(
      toRegistration({ address: 'bench-claim', node_key: `bench-claim-${depth}`, max_concurrent_jobs: 1 }),
      Date.now(),
    );
    const t0 = performance.now();
    await fill(db, target, depth);
    const fillSec = (performance.now() - t0) / 1000;
    const samples = new Samples();
    const warmup = Math.min(50, Math.floor(claims / 10));
    for (let i = 0; i < warmup + claims; i++) {
      const now = Date.now();
      const c0 = performance.now();
      const job = await db.claimNext(node.id, now, LEASE);
      const c1 = performance.now();
      if (!job) throw new Error(`${store}: claimNext found nothing with ${depth} queued`);
      if (i >= warmup) samples.add(c1 - c0);
      await db.submitResult(
        {
          job_id: job.id,
          node_id: node.id,
          attempt: job.attempt,
          status: 'completed',
          completed_at: now,
          error: null,
          metrics: {},
          power: null,
          energy: null,
          quality: null,
          samples: null,
          analyzer_output: null,
        },
        now,
      );
      await db.enqueue(newJob(), now);
    }
    return { store, depth, fillSec, latencyMs: samples.summary() } satisfies ClaimRow;
  } finally {
    await db.close();
  }
}

export async function runClaimBench(o: ClaimBenchOptions): Promise<ClaimRow[]> {
  const rows: ClaimRow[] = [];
  const dir = tempDir('ffrtmp-bench-claim-');
  // A throwaway database on the local cluster (or on FFRTMP_TEST_DATABASE_URL's server), one schema per depth.
  const pgdb = await createTestDatabase();
  try {
    for (const depth of o.depths) {
      const path = join(dir.path, `claim-${depth}.db`);
      rows.push(await measure('sqlite', { path }, depth, o.claims));
      console.log(`  sqlite   ${depth} queued: done`);
    }
    for (const depth of o.depths) {
      const url = await pgdb.schemaUrl();
      rows.push(await measure('postgres', { url }, depth, o.claims));
      console.log(`  postgres ${depth} queued: done`);
    }
    return rows;
  } finally {
    await pgdb.drop();
    dir.cleanup();
  }
}

export function formatClaim(rows: ClaimRow[], claims: number): string {
  const lines = [
    `claim latency: store.claimNext, ${claims} timed claims per depth (depth held constant)`,
    '  store      queued    fill s     p50 ms    p99 ms    max ms',
    ...rows.map(
      (r) =>
        `  ${r.store.padEnd(9)} ${String(r.depth).padStart(7)} ${f(r.fillSec, 1).padStart(9)}  ${f(r.latencyMs.p50, 3).padStart(9)} ${f(r.latencyMs.p99, 3).padStart(9)} ${f(r.latencyMs.max, 3).padStart(9)}`,
    ),
  ];
  for (const store of ['sqlite', 'postgres'] as const) {
    const mine = rows.filter((r) => r.store === store).sort((a, b) => a.depth - b.depth);
    const [low, high] = [mine[0], mine.at(-1)];
    if (low && high && low !== high) {
      lines.push(
        `  ${store}: p99 at ${high.depth} queued is ${f(high.latencyMs.p99 / low.latencyMs.p99, 2)}× the p99 at ${low.depth}`,
      );
    }
  }
  return lines.join('\n');
}
