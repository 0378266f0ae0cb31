import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type Agent, createAgent } from '../../src/agent/create-agent.js';
import type { JobEnd, JobRun } from '../../src/agent/execute-job.js';
import { openSpool } from '../../src/agent/spool.js';
import { createTransport } from '../../src/agent/transport.js';
import { createMasterClient } from '../../src/core/client.js';
import { type Master, createMaster } from '../../src/master/create-master.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir, until } from '../helpers.js';

// The agent's lifecycle in process, against a real master on a real port; FFmpeg replaced by a
// controllable fake `execute`, so the timing is the test's.

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(master: Master, port = 0): Promise<number> {
  await master.app.listen({ host: '127.0.0.1', port });
  const address = master.app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function openMaster(dbPath: string): Master {
  const store = openSqliteStore({ path: dbPath });
  const master = createMaster({ store, options: { leaseMs: 60_000, nodeTimeoutMs: 60_000 } });
  cleanups.push(async () => {
    await master.close();
    await store.close();
  });
  return master;
}

function startAgent(port: number, workDir: string, execute: (run: JobRun) => Promise<JobEnd>): Agent {
  const transport = createTransport();
  const agent = createAgent({
    client: createMasterClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: transport.fetch }),
    spool: openSpool(workDir),
    registration: { address: 'lifecycle', node_key: 'lifecycle-node-key' },
    options: {
      pollIntervalMs: 2000,
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
    execute,
  });
  agent.start();
  cleanups.push(async () => {
    await agent.stop({ force: true });
    await transport.close();
  });
  return agent;
}

const completed = (run: JobRun): JobEnd => ({
  kind: 'result',
  result: {
    job_id: run.job.id,
    node_id: run.nodeId,
    attempt: run.job.attempt,
    status: 'completed',
    completed_at: new Date().toISOString(),
    error: null,
    metrics: { frames_encoded: 1 },
  },
});

it('a master that is down at start is not fatal: the agent registers once it answers', async () => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  // Find a free port, then start the agent before anything listens on it.
  const probe = openMaster(join(dir.path, 'probe.db'));
  const port = await listen(probe);
  await probe.close();
  const agent = startAgent(port, join(dir.path, 'agent'), async (run) => completed(run));
  const registered = new Promise<string>((resolve) => agent.events.once('node:registered', resolve));
  const master = openMaster(join(dir.path, 'm.db'));
  await listen(master, port);
  const nodeId = await registered;
  const job = await master.app.inject({
    method: 'POST',
    url: '/jobs',
    payload: { scenario: 's', parameters: { duration: 1 } },
  });
  const uploaded = await new Promise<string>((resolve) => agent.events.once('result:uploaded', resolve));
  expect(uploaded).toBe(job.json().id);
  expect((await master.app.inject({ method: 'GET', url: `/jobs/${uploaded}` })).json()).toMatchObject({
    status: 'completed',
    node_id: nodeId,
  });
});

it('re-registers when a heartbeat gets 404, and heartbeats never stall while a job runs', async () => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const first = openMaster(join(dir.path, 'a.db'));
  const port = await listen(first);
  let release: () => void = () => undefined;
  const agent = startAgent(
    port,
    join(dir.path, 'agent'),
    (run) => new Promise((resolve) => (release = () => resolve(completed(run)))),
  );
  await new Promise((resolve) => agent.events.once('node:registered', resolve));
  await first.app.inject({
    method: 'POST',
    url: '/jobs',
    payload: { scenario: 's', parameters: { duration: 1 } },
  });
  await new Promise((resolve) => agent.events.once('job:started', resolve));
  // Five heartbeats while the job is still running.
  let beats = 0;
  agent.events.on('heartbeat:sent', () => beats++);
  await until(() => (beats >= 5 ? true : undefined), 5000, 'five heartbeats while the job runs');
  release();
  await new Promise((resolve) => agent.events.once('result:uploaded', resolve));

  // The master restarts with an empty database: it no longer knows this node.
  await first.close();
  const second = openMaster(join(dir.path, 'b.db'));
  await listen(second, port);
  const again = await new Promise<string>((resolve) => agent.events.once('node:registered', resolve));
  const nodes = (await second.app.inject({ method: 'GET', url: '/nodes' })).json();
  expect(nodes.nodes.map((n: { id: string }) => n.id)).toEqual([again]);
});
