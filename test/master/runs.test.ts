import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, type TestMaster, fakeClock, openTestMaster } from '../helpers.js';

const exec = promisify(execFile);

// POST /runs, GET /runs, GET /runs/{id} in process (app.inject) over a real SQLite file.

let t: TestMaster | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function call(
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  if (!t) throw new Error('no master');
  return t.master.app
    .inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
    .then((res) => ({ status: res.statusCode, json: res.body ? res.json() : undefined }));
}

const BASELINE = { scenario: 'baseline', parameters: { type: 'baseline', duration: 5 } };
const SINGLE = {
  scenario: '720p 2500k',
  parameters: { duration: 10, bitrate: '2500k', resolution: '1280x720', fps: 30 },
};

describe('POST /runs', () => {
  it('creates the run and queues its jobs in order with run_id (201)', async () => {
    const clock = fakeClock();
    t = openTestMaster({ clock: clock.now });
    const res = await call('POST', '/runs', {
      name: 'nightly',
      options: { repeat: 1, baseline: true },
      jobs: [
        BASELINE,
        SINGLE,
        { ...SINGLE, scenario: '4 streams', parameters: { ...SINGLE.parameters, streams: 4 } },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: 'nightly',
      status: 'queued',
      created_at: new Date(clock.now()).toISOString(),
      options: { repeat: 1, baseline: true },
      job_counts: { queued: 3, running: 0 },
    });
    expect(res.json.entries.map((e: { kind: string }) => e.kind)).toEqual(['baseline', 'single', 'multi']);
    const jobs = await call('GET', `/jobs?run_id=${res.json.id}`);
    expect(jobs.json.jobs.map((j: { id: string }) => j.id)).toEqual(
      res.json.entries.map((e: { job_id: string }) => e.job_id),
    );
    expect(jobs.json.jobs.map((j: { scenario: string }) => j.scenario)).toEqual([
      'baseline',
      '720p 2500k',
      '4 streams',
    ]);
  });

  it('rejects bad input with 400 naming the field, and creates nothing', async () => {
    t = openTestMaster();
    const noName = await call('POST', '/runs', { jobs: [SINGLE] });
    expect(noName.status).toBe(400);
    expect(noName.json.error.message).toContain('name');

    const noJobs = await call('POST', '/runs', { name: 'x', jobs: [] });
    expect(noJobs.status).toBe(400);
    expect(noJobs.json.error.message).toContain('jobs');

    const badParam = await call('POST', '/runs', {
      name: 'x',
      jobs: [SINGLE, { scenario: 'bad', parameters: { duration: 10, bitrate: 'fast' } }],
    });
    expect(badParam.status).toBe(400);
    expect(badParam.json.error.code).toBe('E_INVALID_PARAMETER');
    expect(badParam.json.error.message).toContain('jobs[1].parameters.bitrate');

    const unknownKey = await call('POST', '/runs', { name: 'x', jobs: [{ ...SINGLE, run_id: 'mine' }] });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.json.error.message).toContain('jobs[0].run_id');

    expect((await call('GET', '/runs')).json).toEqual({ count: 0, runs: [], next_cursor: null });
    expect((await call('GET', '/jobs')).json.count).toBe(0);
  });
});

describe('GET /runs and /runs/{id}', () => {
  it('lists runs paged, oldest first', async () => {
    t = openTestMaster();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await call('POST', '/runs', { name: `r${i}`, jobs: [SINGLE] })).json.id);
    const first = await call('GET', '/runs?limit=2');
    expect(first.json.count).toBe(2);
    expect(first.json.next_cursor).not.toBeNull();
    const second = await call('GET', `/runs?limit=2&cursor=${first.json.next_cursor}`);
    expect([...first.json.runs, ...second.json.runs].map((r: { id: string }) => r.id)).toEqual(ids);
    expect(second.json.next_cursor).toBeNull();
    expect((await call('GET', '/runs?limit=many')).status).toBe(400);
  });

  it('unknown run is 404 E_RUN_NOT_FOUND', async () => {
    t = openTestMaster();
    const res = await call('GET', '/runs/no-such-run');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('E_RUN_NOT_FOUND');
  });

  it('is admin only: the agent key gets 403 on every run route', async () => {
    t = openTestMaster({ options: { apiKey: 'admin-secret', agentKey: 'agent-secret' } });
    const agent = { authorization: 'Bearer agent-secret' };
    const admin = { authorization: 'Bearer admin-secret' };
    const denied = await call('POST', '/runs', { name: 'x', jobs: [SINGLE] }, agent);
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('E_FORBIDDEN');
    expect((await call('GET', '/runs', undefined, agent)).status).toBe(403);
    const created = await call('POST', '/runs', { name: 'x', jobs: [SINGLE] }, admin);
    expect(created.status).toBe(201);
    expect((await call('GET', `/runs/${created.json.id}`, undefined, agent)).status).toBe(403);
    expect((await call('GET', `/runs/${created.json.id}`, undefined, admin)).status).toBe(200);
  });

  it('serves the results in the reference shape once the jobs finish', async () => {
    const clock = fakeClock();
    t = openTestMaster({ clock: clock.now });
    const created = (await call('POST', '/runs', { name: 'ref', jobs: [BASELINE, SINGLE, SINGLE] })).json;
    const node = (await call('POST', '/nodes/register', { address: 'w1', encoders: ['libx264'] })).json;

    const before = (await call('GET', `/runs/${created.id}`)).json;
    expect(before.results).toEqual({ test_date: created.created_at, scenarios: [] });

    const uploads = [
      { power: { mean_watts: 20 }, energy: { total_joules: 100, net_joules: 0 } },
      {
        power: { mean_watts: 55.5 },
        energy: { total_joules: 555, net_joules: 355 },
        quality: { vmaf: 93.2, psnr: 41.5 },
        analyzer_output: { started_at: '2026-01-01T00:00:01.000Z', ended_at: '2026-01-01T00:00:11.000Z' },
      },
    ];
    for (const extra of uploads) {
      clock.advance(1000);
      const job = (await call('GET', `/jobs/next?node_id=${node.id}`)).json.job;
      await call('POST', `/jobs/${job.id}/progress`, { node_id: node.id, progress: 0.5 });
      clock.advance(10_000);
      const ack = await call('POST', '/results', {
        job_id: job.id,
        node_id: node.id,
        status: 'completed',
        metrics: { encoding_fps: 30, frames_encoded: 300 },
        ...extra,
      });
      expect(ack.status).toBe(200);
    }

    const run = (await call('GET', `/runs/${created.id}`)).json;
    expect(run).toMatchObject({ id: created.id, status: 'running', job_counts: { completed: 2, queued: 1 } });
    expect(run.results.test_date).toBe(created.created_at);
    const [baseline, single, ...rest] = run.results.scenarios;
    expect(rest).toEqual([]);
    expect(baseline).toMatchObject({
      name: 'baseline',
      kind: 'baseline',
      bitrate: '0k',
      resolution: null,
      streams: 0,
      outputs: [],
      status: 'completed',
      job_id: created.entries[0].job_id,
      node_id: node.id,
      power: { mean_watts: 20 },
    });
    expect(baseline.start_time).toBe(new Date(Date.UTC(2026, 0, 1) + 1000).toISOString());
    expect(single).toMatchObject({
      name: '720p 2500k',
      kind: 'single',
      bitrate: '2500k',
      resolution: '1280x720',
      fps: 30,
      duration: 10,
      encoder: 'h264',
      streams: 1,
      outputs: [{ resolution: '1280x720', fps: 30, bitrate: '2500k' }],
      start_time: '2026-01-01T00:00:01.000Z',
      end_time: '2026-01-01T00:00:11.000Z',
      vmaf_score: 93.2,
      psnr_score: 41.5,
      energy: { total_joules: 555, net_joules: 355 },
    });
  });
});

describe('ffrtmp runs list|show', () => {
  it('lists runs and shows one as a table and as JSON', async () => {
    t = openTestMaster();
    const created = (await call('POST', '/runs', { name: 'cli run', jobs: [BASELINE, SINGLE] })).json;
    const url = await t.master.app.listen({ port: 0, host: '127.0.0.1' });
    const cli = (...args: string[]) => exec(process.execPath, [CLI, 'runs', ...args, '--master', url]);

    const list = await cli('list');
    expect(list.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+DONE/m);
    expect(list.stdout).toContain(created.id);
    expect(list.stdout).toMatch(/cli run\s+queued\s+0\/2/);

    const json = JSON.parse((await cli('show', created.id, '--json')).stdout);
    expect(json).toMatchObject({ id: created.id, name: 'cli run', results: { scenarios: [] } });
    expect((await cli('show', created.id)).stdout).toContain('no scenario finished yet');

    const missing = await cli('show', 'nope').then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(missing?.code).not.toBe(0);
    expect(missing?.stderr).toContain('run nope does not exist');
  });
});
