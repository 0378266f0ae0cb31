import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type Agent, createAgent } from '../../src/agent/create-agent.js';
import type { JobEnd, JobRun } from '../../src/agent/execute-job.js';
import { openSpool } from '../../src/agent/spool.js';
import { connectMasters } from '../../src/agent/transport.js';
import { type Master, createMaster } from '../../src/master/create-master.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { CLI, spawnMaster, tempDir, until } from '../helpers.js';

// Failover between two real masters on real ports. Each has its own SQLite file here (the shared
// PostgreSQL case is test/scale/): B does not know the agent, so moving to B also shows that a 404
// after a failover still means "register again".

const run = promisify(execFile);
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openMaster(
  dbPath: string,
): Promise<{ master: Master; url: string; close: () => Promise<void> }> {
  const store = openSqliteStore({ path: dbPath });
  const master = createMaster({ store, options: { leaseMs: 60_000, nodeTimeoutMs: 60_000 } });
  await master.app.listen({ host: '127.0.0.1', port: 0 });
  const address = master.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await master.close();
    await store.close();
  };
  cleanups.push(close);
  return { master, url: `http://127.0.0.1:${port}`, close };
}

function startAgent(masters: string[], workDir: string, switches: string[]): Agent {
  const { client, transport } = connectMasters({
    masters,
    onSwitch: (from, to) => switches.push(`${from} -> ${to}`),
  });
  const agent = createAgent({
    client,
    spool: openSpool(workDir),
    registration: { address: 'failover', node_key: 'failover-node-key' },
    options: {
      pollIntervalMs: 1000,
      heartbeatIntervalMs: 100,
      maxConcurrentJobs: 1,
      workDir,
      mediaDir: workDir,
      ffmpegPath: 'ffmpeg',
      progressIntervalMs: 100,
      graceMs: 100,
      defaultFileTimeoutMs: 10_000,
    },
    random: () => 0,
    execute: async (r: JobRun): Promise<JobEnd> => ({
      kind: 'result',
      result: {
        job_id: r.job.id,
        node_id: r.nodeId,
        attempt: r.job.attempt,
        status: 'completed',
        completed_at: new Date().toISOString(),
        error: null,
        metrics: { frames_encoded: 1 },
      },
    }),
  });
  agent.start();
  cleanups.push(async () => {
    await agent.stop({ force: true });
    await transport.close();
  });
  return agent;
}

const submit = (m: Master) =>
  m.app.inject({ method: 'POST', url: '/jobs', payload: { scenario: 's', parameters: { duration: 1 } } });

it('an agent given two masters works on the first, moves to the second when the first dies, and registers there', async () => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const a = await openMaster(join(dir.path, 'a.db'));
  const b = await openMaster(join(dir.path, 'b.db'));
  const switches: string[] = [];
  const agent = startAgent([a.url, b.url], join(dir.path, 'agent'), switches);
  const onA = await new Promise<string>((resolve) => agent.events.once('node:registered', resolve));
  const jobA = (await submit(a.master)).json().id as string;
  await until(
    async () =>
      (await a.master.app.inject({ url: `/jobs/${jobA}` })).json().status === 'completed' ? true : undefined,
    10_000,
    'the job on master A to complete',
  );
  expect(switches).toEqual([]);
  expect((await b.master.app.inject({ url: '/nodes' })).json().count).toBe(0);

  await a.close();
  const onB = await new Promise<string>((resolve) => agent.events.once('node:registered', resolve));
  expect(switches).toEqual([`${a.url} -> ${b.url}`]);
  expect(
    (await b.master.app.inject({ url: '/nodes' })).json().nodes.map((n: { id: string }) => n.id),
  ).toEqual([onB]);
  expect(onB).not.toBe(onA); // another database, another node id
  const jobB = (await submit(b.master)).json().id as string;
  const done = await until(
    async () => {
      const job = (await b.master.app.inject({ url: `/jobs/${jobB}` })).json();
      return job.status === 'completed' ? job : undefined;
    },
    10_000,
    'the job on master B to complete',
  );
  expect(done.node_id).toBe(onB);
});

it('the CLI takes --master a,b and answers from the one that is up', async () => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const b = await spawnMaster(['--db', join(dir.path, 'b.db')]);
  cleanups.push(() => b.stop());
  // A port that was free a moment ago: nothing listens there.
  const gone = await openMaster(join(dir.path, 'gone.db'));
  await gone.close();
  await run(process.execPath, [
    CLI,
    'jobs',
    'submit',
    '--master',
    `${gone.url},${b.url}`,
    '--scenario',
    'cli-failover',
    '--param',
    'duration=1',
  ]).catch((e) => {
    throw new Error(`jobs submit failed: ${e.stderr}`);
  });
  const listed = await run(process.execPath, [CLI, 'jobs', 'list', '--json'], {
    env: { ...process.env, FFRTMP_MASTER: `${gone.url},${b.url}` },
  });
  const jobs = JSON.parse(listed.stdout).jobs as { scenario: string }[];
  expect(jobs.map((j) => j.scenario)).toEqual(['cli-failover']);

  const none = await run(process.execPath, [
    CLI,
    'jobs',
    'list',
    '--master',
    `${gone.url},${gone.url}/x`,
  ]).catch((e) => e);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/no master answered: .*ECONNREFUSED; .*ECONNREFUSED.*\[E_MASTER_UNREACHABLE\]/);
});
