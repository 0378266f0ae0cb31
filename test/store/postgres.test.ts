import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParameters } from '../../src/core/job-parameters.js';
import type { NodeRegistration } from '../../src/core/node.js';
import type { NewJob } from '../../src/core/records.js';
import { describeStoreContract } from '../../src/store/contract.js';
import type { Store } from '../../src/store/port.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

// Each test gets a fresh schema of this file's database: the same isolation as a new SQLite file.
describeStoreContract('postgres', async () => openPostgresStore({ url: await db.schemaUrl() }));

// What only several masters on one database can show: each store below is one master's pool.
describe('PostgreSQL store shared by several masters', () => {
  const T0 = 1_700_000_000_000;
  const LEASE = { leaseMs: 30_000 };
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function masters(count: number): Promise<Store[]> {
    const url = await db.schemaUrl();
    const stores = await Promise.all(Array.from({ length: count }, () => openPostgresStore({ url })));
    open.push(...stores);
    return stores;
  }

  const registration = (key: string): NodeRegistration => ({
    address: key,
    type: 'server',
    cpu_threads: 8,
    cpu_model: 'cpu',
    has_gpu: false,
    gpu_type: null,
    ram_bytes: 2 ** 34,
    labels: {},
    encoders: ['libx264'],
    power_sources: ['estimate'],
    max_concurrent_jobs: 2,
    agent_version: null,
    ffmpeg_version: null,
    node_key: key,
  });
  const newJob = (): NewJob => ({
    id: randomUUID(),
    scenario: 'pg',
    confidence: 'auto',
    parameters: parseJobParameters({ duration: 5, bitrate: '1M' }),
    priority: 'medium',
    max_retries: 3,
    run_id: null,
    target_node_id: null,
  });

  it('4 masters opening a fresh database at once apply each migration exactly once', async () => {
    const url = await db.schemaUrl();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url })));
    open.push(...stores);
    const applied = stores.flatMap((s) => s.migrations.map((m) => m.version));
    expect(applied.sort()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await client.end();
    }
  });

  it('hands each of 300 jobs to exactly one node while 3 masters claim at once (SKIP LOCKED)', async () => {
    const stores = await masters(3);
    const [first] = stores as [Store];
    const nodes: string[] = [];
    for (let i = 0; i < 30; i++) nodes.push((await first.registerNode(registration(`n${i}`), T0)).node.id);
    for (let i = 0; i < 300; i++) await first.enqueue(newJob(), T0 + i);

    const handed: string[] = [];
    let now = T0 + 1000;
    for (let round = 0; round < 100; round++) {
      now++;
      // Every node asks through a different master than in the round before.
      const claimed = await Promise.all(
        nodes.map((node, i) => stores[(i + round) % stores.length]?.claimNext(node, now, LEASE) ?? null),
      );
      const got = claimed.filter((j) => j !== null);
      if (got.length === 0) break;
      handed.push(...got.map((j) => j.id));
      await Promise.all(
        got.map((job, i) =>
          stores[i % stores.length]?.submitResult(
            {
              job_id: job.id,
              node_id: job.node_id ?? '',
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
          ),
        ),
      );
    }
    expect(handed).toHaveLength(300);
    expect(new Set(handed).size).toBe(300);
    expect((await first.counts()).jobs.completed).toBe(300);
  });

  it('3 masters reaping the same lapsed leases at once requeue each job exactly once', async () => {
    const stores = await masters(3);
    const [first] = stores as [Store];
    const nodes: string[] = [];
    for (let i = 0; i < 10; i++) nodes.push((await first.registerNode(registration(`r${i}`), T0)).node.id);
    for (let i = 0; i < 20; i++) await first.enqueue(newJob(), T0 + i);
    for (const node of nodes) {
      await first.claimNext(node, T0 + 100, LEASE);
      await first.claimNext(node, T0 + 100, LEASE);
    }
    // Nodes silent past the timeout and leases lapsed: every master's reaper runs now, twice.
    const later = T0 + 100 + LEASE.leaseMs + 1;
    const reports = await Promise.all(
      [...stores, ...stores].map((s) =>
        s.reclaimExpired(later, { random: () => 0.5, nodeTimeoutMs: 60_000 / 3 }),
      ),
    );
    const requeued = reports.flatMap((r) => r.requeued.map((j) => j.id));
    expect(requeued).toHaveLength(20);
    expect(new Set(requeued).size).toBe(20);
    expect(reports.flatMap((r) => r.nodesOffline.map((n) => n.id)).sort()).toEqual([...nodes].sort());
    const jobs = await first.listJobs({}, { limit: 100 });
    expect(jobs.items.map((j) => [j.status, j.attempt])).toEqual(jobs.items.map(() => ['queued', 2]));
  });
});
