import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Master, createMaster } from '../../src/master/create-master.js';
import type { Store } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { JOBS_READY_CHANNEL } from '../../src/store/postgres/notify.js';
import { until } from '../helpers.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

// Two masters, each with its own store (pool and LISTEN connection) on one PostgreSQL database, in
// process: a long-poll parked on B must be answered when a job enters through A.

const NODE = {
  address: 'worker-1',
  type: 'server',
  cpu_threads: 16,
  cpu_model: 'Intel Xeon',
  has_gpu: false,
  ram_bytes: 34_359_738_368,
};
const JOB = { scenario: 'two-masters', confidence: 'auto', parameters: { duration: 60, bitrate: '5000k' } };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

interface Pair {
  a: Master;
  b: Master;
  stores: Store[];
  url: string;
}
let pair: Pair | undefined;
afterEach(async () => {
  if (!pair) return;
  await Promise.all([pair.a.close(), pair.b.close()]);
  await Promise.all(pair.stores.map((s) => s.close()));
  pair = undefined;
});

async function twoMasters(): Promise<Pair> {
  const url = await db.schemaUrl();
  const stores = [await openPostgresStore({ url }), await openPostgresStore({ url })];
  const [sa, sb] = stores as unknown as [Store, Store];
  pair = { a: createMaster({ store: sa }), b: createMaster({ store: sb }), stores, url };
  await listening(sb, url);
  return pair;
}

/** Resolves once `store` receives notifications (its LISTEN connection is up). */
async function listening(store: Store, url: string): Promise<void> {
  let seen = false;
  const off = (store as unknown as { onJobsReady(fn: () => void): () => void }).onJobsReady(() => {
    seen = true;
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await until(
      async () => {
        await client.query('SELECT pg_notify($1, $2)', [JOBS_READY_CHANNEL, '']);
        return seen ? true : undefined;
      },
      10_000,
      'the LISTEN connection',
    );
  } finally {
    off();
    await client.end();
  }
}

async function call(master: Master, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await master.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
}

describe('two masters on one PostgreSQL', () => {
  it('a job submitted on A answers a long-poll parked on B within 100 ms', async () => {
    const { a, b } = await twoMasters();
    const node = (await call(b, 'POST', '/nodes/register', NODE)).json;

    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const poll = call(b, 'GET', `/jobs/next?node_id=${node.id}&wait=20`);
      await until(() => (b.waiting() === 1 ? true : undefined), 5000, 'the poller to park on B');
      const job = (await call(a, 'POST', '/jobs', JOB)).json;
      // From the moment A acknowledged the submission (it is committed) to B's answer.
      const t0 = performance.now();
      const answer = await poll;
      latencies.push(performance.now() - t0);
      expect(answer.json.job.id).toBe(job.id);
      expect(answer.json.job.node_id).toBe(node.id);
      // Finish it so the node (max 1 job) is free for the next round.
      await call(b, 'POST', '/results', {
        job_id: job.id,
        node_id: node.id,
        status: 'completed',
        metrics: {},
      });
    }
    // Without the notification B would answer only when wait=20 s ran out. The median carries the
    // 100 ms bar; a single round may lose the CPU on a loaded 2-core test machine (11-59 ms seen).
    const median = [...latencies].sort((x, y) => x - y)[2] ?? Number.NaN;
    expect(median).toBeLessThan(100);
    for (const ms of latencies) expect(ms).toBeLessThan(1000);
  });

  it('a result on A that frees the node wakes its poller on B for the queued next job', async () => {
    const { a, b } = await twoMasters();
    const node = (await call(b, 'POST', '/nodes/register', NODE)).json; // max_concurrent_jobs 1
    const first = (await call(a, 'POST', '/jobs', JOB)).json;
    const second = (await call(a, 'POST', '/jobs', JOB)).json;
    expect((await call(b, 'GET', `/jobs/next?node_id=${node.id}`)).json.job.id).toBe(first.id);

    // At capacity: the poller parks on B until the node is free again.
    const poll = call(b, 'GET', `/jobs/next?node_id=${node.id}&wait=20`);
    await until(() => (b.waiting() === 1 ? true : undefined), 5000, 'the poller to park on B');
    await call(a, 'POST', '/results', {
      job_id: first.id,
      node_id: node.id,
      status: 'completed',
      metrics: {},
    });
    const t0 = performance.now();
    expect((await poll).json.job.id).toBe(second.id);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a retry on A wakes a poller on B', async () => {
    const { a, b } = await twoMasters();
    const node = (await call(b, 'POST', '/nodes/register', NODE)).json;
    const job = (await call(a, 'POST', '/jobs', JOB)).json;
    expect((await call(b, 'GET', `/jobs/next?node_id=${node.id}`)).json.job.id).toBe(job.id);
    await call(b, 'POST', '/results', {
      job_id: job.id,
      node_id: node.id,
      status: 'failed',
      error: 'boom',
      metrics: {},
    });

    const poll = call(b, 'GET', `/jobs/next?node_id=${node.id}&wait=20`);
    await until(() => (b.waiting() === 1 ? true : undefined), 5000, 'the poller to park on B');
    const t0 = performance.now();
    expect((await call(a, 'POST', `/jobs/${job.id}/retry`)).status).toBe(200);
    const answer = await poll;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(answer.json.job).toMatchObject({ id: job.id, attempt: 2, status: 'assigned' });
  });
});
