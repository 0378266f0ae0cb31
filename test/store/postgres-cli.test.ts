import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, http, type SpawnedMaster, spawnMaster, until } from '../helpers.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

// `ffrtmp master --database-url` as real processes: two masters on one PostgreSQL database.

const NODE = {
  address: 'worker-1',
  type: 'server',
  cpu_threads: 16,
  cpu_model: 'Intel Xeon',
  has_gpu: false,
  ram_bytes: 34_359_738_368,
};
const JOB = { scenario: 'cli', confidence: 'auto', parameters: { duration: 60, bitrate: '5000k' } };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

const started: SpawnedMaster[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.kill()));
});

describe('ffrtmp master on PostgreSQL', () => {
  it('two master processes (--database-url and DATABASE_URL) serve one queue; one survives the other’s kill -9', async () => {
    const url = await db.schemaUrl();
    const a = await spawnMaster(['--database-url', url]);
    started.push(a);
    const b = await spawnMaster([], { DATABASE_URL: url });
    started.push(b);
    // The log names the database without its password.
    expect(a.output()).toMatch(/database postgres:\/\/ffrtmp_test:\*\*\*@/);
    expect(a.output()).not.toContain(':ffrtmp_test@');

    const node = (await http(b.url, 'POST', '/nodes/register', NODE)).json;
    const poll = http(b.url, 'GET', `/jobs/next?node_id=${node.id}&wait=20`);
    // Once the poller is parked on B (B's /metrics says so), the job enters through A.
    await until(
      async () =>
        /^ffrtmp_longpoll_waiting 1$/m.test(await (await fetch(`${b.url}/metrics`)).text())
          ? true
          : undefined,
      10_000,
      'the poller to park on B',
    );
    const job = (await http(a.url, 'POST', '/jobs', JOB)).json;
    const t0 = performance.now();
    expect((await poll).json.job.id).toBe(job.id);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((await http(a.url, 'GET', `/jobs/${job.id}`)).json).toMatchObject({
      status: 'assigned',
      node_id: node.id,
    });

    await a.kill();
    const second = (await http(b.url, 'POST', '/jobs', JOB)).json;
    expect((await http(b.url, 'GET', '/jobs')).json.count).toBe(2);
    expect((await http(b.url, 'GET', `/jobs/${second.id}`)).json.status).toBe('queued');
  });

  it('refuses a --database-url that is not a postgres URL with exit 2', () => {
    const res = spawnSync(process.execPath, [CLI, 'master', '--port', '0', '--database-url', 'mysql://x/y'], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--database-url: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});
