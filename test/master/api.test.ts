import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestMaster, fakeClock, openTestMaster } from '../helpers.js';

// The reference system's curl flow and the API's contract, in process (app.inject) over a real
// SQLite file.

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
    .inject({
      method,
      url,
      headers,
      ...(payload === undefined
        ? {}
        : typeof payload === 'string'
          ? { payload, headers: { 'content-type': 'application/json', ...headers } }
          : { payload: payload as object }),
    })
    .then((res) => ({ status: res.statusCode, json: res.body ? res.json() : undefined }));
}

const REFERENCE_NODE = {
  address: 'worker-1',
  type: 'server',
  cpu_threads: 16,
  cpu_model: 'Intel Xeon',
  has_gpu: false,
  ram_bytes: 34_359_738_368,
};
const REFERENCE_JOB = {
  scenario: 'test-1080p',
  confidence: 'auto',
  parameters: { duration: 60, bitrate: '5000k' },
};

describe('the reference curl flow', () => {
  it('health → register → nodes → submit → next → results → next', async () => {
    t = openTestMaster();
    expect(await call('GET', '/health')).toEqual({ status: 200, json: { status: 'healthy' } });

    const reg = await call('POST', '/nodes/register', REFERENCE_NODE);
    expect(reg.status).toBe(201);
    expect(reg.json.status).toBe('available');
    const nodeId: string = reg.json.id;

    const nodes = await call('GET', '/nodes');
    expect(nodes.json.count).toBe(1);
    expect(nodes.json.nodes[0].id).toBe(nodeId);

    const sub = await call('POST', '/jobs', REFERENCE_JOB);
    expect(sub.status).toBe(201);
    expect(sub.json).toMatchObject({
      status: 'queued',
      retry_count: 0,
      scenario: 'test-1080p',
      confidence: 'auto',
    });
    expect(sub.json.parameters).toMatchObject({ duration: 60, bitrate: '5000k' });

    const next = await call('GET', `/jobs/next?node_id=${nodeId}`);
    expect(next.status).toBe(200);
    expect(next.json.job).toMatchObject({ id: sub.json.id, status: 'assigned', node_id: nodeId });
    expect((await call('GET', `/nodes/${nodeId}`)).json).toMatchObject({
      status: 'busy',
      current_job_id: sub.json.id,
    });

    // The reference agent's payload carries no attempt number.
    const result = await call('POST', '/results', {
      job_id: sub.json.id,
      node_id: nodeId,
      status: 'completed',
      metrics: {
        transcode_duration_sec: 60.2,
        output_size_bytes: 37_500_000,
        frames_encoded: 1800,
        encoding_fps: 30,
        duration: 60,
      },
      analyzer_output: { efficiency_score: 1.5 },
    });
    expect(result).toEqual({ status: 200, json: { status: 'success', duplicate: false } });
    expect((await call('GET', `/nodes/${nodeId}`)).json).toMatchObject({
      status: 'available',
      current_job_id: null,
    });
    expect((await call('GET', `/jobs/${sub.json.id}`)).json).toMatchObject({
      status: 'completed',
      progress: 1,
    });

    const stored = await call('GET', `/results/${sub.json.id}`);
    expect(stored.status).toBe(200);
    expect(stored.json).toMatchObject({
      job_id: sub.json.id,
      attempt: 1,
      status: 'completed',
      metrics: { frames_encoded: 1800 },
    });

    expect(await call('GET', `/jobs/next?node_id=${nodeId}`)).toEqual({ status: 200, json: { job: null } });
    const jobs = await call('GET', '/jobs');
    expect(jobs.json).toMatchObject({ count: 1, next_cursor: null });
  });

  it('lists are [] when empty, never null', async () => {
    t = openTestMaster();
    expect((await call('GET', '/nodes')).json).toEqual({ count: 0, nodes: [], next_cursor: null });
    expect((await call('GET', '/jobs')).json).toEqual({ count: 0, jobs: [], next_cursor: null });
    expect((await call('GET', '/results')).json).toEqual({ count: 0, results: [], next_cursor: null });
  });
});

describe('bad input is a 4xx naming the field, never a 500', () => {
  const cases: [string, InjectOptions['method'], string, unknown, number, RegExp][] = [
    ['invalid JSON', 'POST', '/jobs', '{"scenario": ', 400, /not valid JSON/],
    ['missing scenario', 'POST', '/jobs', { parameters: {} }, 400, /scenario/],
    ['wrong-typed scenario', 'POST', '/jobs', { scenario: 42 }, 400, /scenario: expected string/],
    [
      'unknown top-level field',
      'POST',
      '/jobs',
      { scenario: 'x', parametres: {} },
      400,
      /parametres: unknown field/,
    ],
    [
      'unknown parameter key',
      'POST',
      '/jobs',
      { scenario: 'x', parameters: { duration: 5, bitrat: '1M' } },
      400,
      /parameters\.bitrat: unknown parameter/,
    ],
    [
      'shell in encoder',
      'POST',
      '/jobs',
      { scenario: 'x', parameters: { duration: 5, encoder: 'libx264; rm -rf /' } },
      400,
      /parameters\.encoder: expected one of/,
    ],
    [
      'absurd resolution',
      'POST',
      '/jobs',
      { scenario: 'x', parameters: { duration: 5, resolution: '99999x1' } },
      400,
      /parameters\.resolution/,
    ],
    [
      'negative duration',
      'POST',
      '/jobs',
      { scenario: 'x', parameters: { duration: -5 } },
      400,
      /parameters\.duration: expected 1 to/,
    ],
    [
      'path as input',
      'POST',
      '/jobs',
      { scenario: 'x', parameters: { mode: 'file', input: '../../etc/passwd' } },
      400,
      /parameters\.input/,
    ],
    ['bad priority', 'POST', '/jobs', { scenario: 'x', priority: 'urgent' }, 400, /priority/],
    ['register without address', 'POST', '/nodes/register', { type: 'server' }, 400, /address/],
    ['register with a bad type', 'POST', '/nodes/register', { address: 'a', type: 'mainframe' }, 400, /type/],
    ['next without node_id', 'GET', '/jobs/next', undefined, 400, /query\.node_id/],
    ['bad status filter', 'GET', '/jobs?status=done', undefined, 400, /query\.status/],
    ['bad cursor', 'GET', '/jobs?cursor=zzz', undefined, 400, /cursor/],
    [
      'result with a bad status',
      'POST',
      '/results',
      { job_id: 'j', node_id: 'n', status: 'ok' },
      400,
      /status/,
    ],
    ['unknown route', 'GET', '/nope', undefined, 404, /no route/],
  ];
  for (const [name, method, url, body, status, message] of cases) {
    it(name, async () => {
      t = openTestMaster();
      const res = await call(method, url, body);
      expect(res.status).toBe(status);
      expect(res.json.error.code).toMatch(/^E_/);
      expect(res.json.error.message).toMatch(message);
    });
  }

  it('reports several problems at once', async () => {
    t = openTestMaster();
    const res = await call('POST', '/jobs', {
      scenario: 'x',
      parameters: { duration: -1, resolution: '99999x1', encoder: 'x', fps: 1000 },
    });
    expect(res.status).toBe(400);
    const fields = res.json.error.details.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'parameters.duration',
        'parameters.resolution',
        'parameters.encoder',
        'parameters.fps',
      ]),
    );
  });

  it('a 10 MB body is 413', async () => {
    t = openTestMaster();
    const res = await call('POST', '/jobs', JSON.stringify({ scenario: 'x'.repeat(10 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('E_PAYLOAD_TOO_LARGE');
  });

  it('unknown node or job is 404 on heartbeat, next, progress and results', async () => {
    t = openTestMaster();
    const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
    const cases = [
      await call('POST', '/nodes/nope/heartbeat', {}),
      await call('GET', '/jobs/next?node_id=nope'),
      await call('GET', '/nodes/nope'),
      await call('DELETE', '/nodes/nope'),
      await call('GET', '/jobs/nope'),
      await call('POST', '/jobs/nope/cancel'),
      await call('POST', '/jobs/nope/progress', { node_id: node.id, progress: 0.5 }),
      await call('POST', '/results', { job_id: 'nope', node_id: node.id, status: 'completed' }),
      await call('POST', '/results', { job_id: 'nope', node_id: 'nope', status: 'completed' }),
      await call('GET', '/results/nope'),
    ];
    for (const res of cases) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toMatch(/^E_(NODE|JOB)_NOT_FOUND$/);
    }
  });

  it('a job with no result yet is 404 E_RESULT_NOT_FOUND', async () => {
    t = openTestMaster();
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    const res = await call('GET', `/results/${job.id}`);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('E_RESULT_NOT_FOUND');
  });
});

describe('fencing', () => {
  it('a result or progress for a stale attempt is 409; a re-upload of the same attempt is idempotent', async () => {
    const clock = fakeClock();
    t = openTestMaster({
      clock: clock.now,
      options: { leaseMs: 10_000, nodeTimeoutMs: 600_000, maxRetries: 3 },
    });
    const a = (await call('POST', '/nodes/register', { ...REFERENCE_NODE, address: 'a' })).json;
    const b = (await call('POST', '/nodes/register', { ...REFERENCE_NODE, address: 'b' })).json;
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    expect((await call('GET', `/jobs/next?node_id=${a.id}`)).json.job.attempt).toBe(1);

    // A's lease lapses; the job is requeued as attempt 2 and B takes it.
    clock.advance(10_001);
    await t.master.reapNow();
    clock.advance(600_000);
    const retried = (await call('GET', `/jobs/next?node_id=${b.id}`)).json.job;
    expect(retried).toMatchObject({ id: job.id, attempt: 2, node_id: b.id, retry_count: 1 });

    // A comes back from the dead: every report it makes is fenced off.
    const stale = await call('POST', '/results', {
      job_id: job.id,
      node_id: a.id,
      attempt: 1,
      status: 'completed',
    });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('E_STALE_ATTEMPT');
    const staleNoAttempt = await call('POST', '/results', {
      job_id: job.id,
      node_id: a.id,
      status: 'completed',
    });
    expect(staleNoAttempt.status).toBe(409);
    const staleProgress = await call('POST', `/jobs/${job.id}/progress`, {
      node_id: a.id,
      attempt: 1,
      progress: 0.5,
    });
    expect(staleProgress.status).toBe(409);

    // B's progress renews, its result lands once, and a re-upload is acknowledged without a second row.
    const progress = await call('POST', `/jobs/${job.id}/progress`, {
      node_id: b.id,
      attempt: 2,
      progress: 0.5,
    });
    expect(progress.json).toMatchObject({ status: 'running', progress: 0.5 });
    const body = {
      job_id: job.id,
      node_id: b.id,
      attempt: 2,
      status: 'completed',
      metrics: { frames_encoded: 10 },
    };
    expect((await call('POST', '/results', body)).json).toEqual({ status: 'success', duplicate: false });
    expect((await call('POST', '/results', body)).json).toEqual({ status: 'success', duplicate: true });
    const all = (await call('GET', `/results?job_id=${job.id}`)).json;
    expect(all.count).toBe(1);
    expect(all.results[0]).toMatchObject({ attempt: 2, node_id: b.id });
  });
});

describe('leases and node health with a fake clock', () => {
  it('requeues with attempt+1 and backoff, then fails after max_retries with the reason', async () => {
    const clock = fakeClock();
    t = openTestMaster({
      clock: clock.now,
      random: () => 0.5,
      options: { leaseMs: 5000, nodeTimeoutMs: 3_600_000, maxRetries: 2 },
    });
    const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = (await call('GET', `/jobs/next?node_id=${node.id}`)).json.job;
      expect(claimed).toMatchObject({ id: job.id, attempt, status: 'assigned' });
      clock.advance(5001);
      const report = await t.master.reapNow();
      const after = (await call('GET', `/jobs/${job.id}`)).json;
      if (attempt < 3) {
        expect(report.requeued.map((j) => j.id)).toEqual([job.id]);
        expect(after).toMatchObject({
          status: 'queued',
          attempt: attempt + 1,
          retry_count: attempt,
          node_id: null,
        });
        // Backoff: not claimable until not_before.
        const notBefore = Date.parse(after.not_before);
        expect(notBefore).toBeGreaterThan(clock.now());
        expect((await call('GET', `/jobs/next?node_id=${node.id}`)).json.job).toBeNull();
        clock.set(notBefore);
      } else {
        expect(report.failed.map((j) => j.id)).toEqual([job.id]);
        expect(after.status).toBe('failed');
        expect(after.error).toMatch(/lease expired .*gave up after 2 retries/);
      }
    }
  });

  it('a node without heartbeat goes offline after the timeout and its job is retried elsewhere', async () => {
    const clock = fakeClock();
    t = openTestMaster({ clock: clock.now, options: { leaseMs: 3_600_000, nodeTimeoutMs: 60_000 } });
    const a = (await call('POST', '/nodes/register', { ...REFERENCE_NODE, address: 'a' })).json;
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    await call('GET', `/jobs/next?node_id=${a.id}`);
    clock.advance(30_000);
    expect((await call('POST', `/nodes/${a.id}/heartbeat`, {})).json.node.status).toBe('busy');
    clock.advance(59_000);
    await t.master.reapNow();
    expect((await call('GET', `/nodes/${a.id}`)).json.status).toBe('busy');
    clock.advance(2000);
    const report = await t.master.reapNow();
    expect(report.nodesOffline.map((n) => n.id)).toEqual([a.id]);
    expect((await call('GET', `/nodes/${a.id}`)).json.status).toBe('offline');
    expect((await call('GET', `/jobs/${job.id}`)).json).toMatchObject({ status: 'queued', attempt: 2 });
    // A heartbeat brings it back.
    expect((await call('POST', `/nodes/${a.id}/heartbeat`, {})).json.node.status).toBe('available');
  });

  it('a heartbeat naming its jobs keeps only those: a claim whose answer never arrived lapses and is requeued', async () => {
    const clock = fakeClock();
    t = openTestMaster({ clock: clock.now, options: { leaseMs: 10_000, nodeTimeoutMs: 600_000 } });
    const a = (
      await call('POST', '/nodes/register', { ...REFERENCE_NODE, address: 'a', max_concurrent_jobs: 2 })
    ).json;
    await call('POST', '/jobs', REFERENCE_JOB);
    await call('POST', '/jobs', REFERENCE_JOB);
    const got = (await call('GET', `/jobs/next?node_id=${a.id}`)).json.job;
    const lost = (await call('GET', `/jobs/next?node_id=${a.id}`)).json.job; // "never arrived"
    for (let i = 0; i < 3; i++) {
      clock.advance(5_000);
      expect((await call('POST', `/nodes/${a.id}/heartbeat`, { job_ids: [got.id] })).status).toBe(200);
      await t.master.reapNow();
    }
    expect((await call('GET', `/jobs/${got.id}`)).json).toMatchObject({ status: 'assigned', attempt: 1 });
    expect((await call('GET', `/jobs/${lost.id}`)).json).toMatchObject({ status: 'queued', attempt: 2 });
    // job_ids must be a list of ids; other fields (the reference agent's) are accepted as before.
    const bad = await call('POST', `/nodes/${a.id}/heartbeat`, { job_ids: 'all' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/job_ids: expected array, got string "all"/);
    expect((await call('POST', `/nodes/${a.id}/heartbeat`, { cpu_usage: 12.5 })).status).toBe(200);
  });

  it('re-registering with the same node_key returns the same node', async () => {
    t = openTestMaster();
    const body = { ...REFERENCE_NODE, node_key: 'key-0123456789' };
    const first = (await call('POST', '/nodes/register', body)).json;
    const again = (await call('POST', '/nodes/register', { ...body, cpu_threads: 8 })).json;
    expect(again.id).toBe(first.id);
    expect(again.cpu_threads).toBe(8);
    expect((await call('GET', '/nodes')).json.count).toBe(1);
  });
});

describe('scheduling', () => {
  it('serves high before medium before low, FIFO within a priority', async () => {
    t = openTestMaster();
    const node = (await call('POST', '/nodes/register', { ...REFERENCE_NODE, max_concurrent_jobs: 10 })).json;
    const submitted: Record<string, string> = {};
    for (const [name, priority] of [
      ['low-1', 'low'],
      ['med-1', 'medium'],
      ['high-1', 'high'],
      ['med-2', 'medium'],
      ['high-2', 'high'],
    ] as const) {
      submitted[name] = (await call('POST', '/jobs', { ...REFERENCE_JOB, scenario: name, priority })).json.id;
    }
    const order: string[] = [];
    for (let i = 0; i < 5; i++)
      order.push((await call('GET', `/jobs/next?node_id=${node.id}`)).json.job.scenario);
    expect(order).toEqual(['high-1', 'high-2', 'med-1', 'med-2', 'low-1']);
  });

  it('never hands a job to a node without its encoder, and respects max_concurrent_jobs', async () => {
    t = openTestMaster();
    const cpu = (
      await call('POST', '/nodes/register', { ...REFERENCE_NODE, address: 'cpu', encoders: ['libx264'] })
    ).json;
    const gpu = (
      await call('POST', '/nodes/register', {
        ...REFERENCE_NODE,
        address: 'gpu',
        encoders: ['libx264', 'h264_nvenc'],
        max_concurrent_jobs: 2,
        has_gpu: true,
        gpu_type: 'NVIDIA L4',
      })
    ).json;
    const nvenc = (
      await call('POST', '/jobs', { scenario: 'nv', parameters: { duration: 5, encoder: 'h264_nvenc' } })
    ).json;
    expect(nvenc.requires).toEqual(['h264_nvenc']);
    expect((await call('GET', `/jobs/next?node_id=${cpu.id}`)).json.job).toBeNull();
    await call('POST', '/jobs', REFERENCE_JOB);
    await call('POST', '/jobs', REFERENCE_JOB);
    expect((await call('GET', `/jobs/next?node_id=${gpu.id}`)).json.job.id).toBe(nvenc.id);
    expect((await call('GET', `/jobs/next?node_id=${gpu.id}`)).json.job).not.toBeNull();
    expect((await call('GET', `/jobs/next?node_id=${gpu.id}`)).json.job).toBeNull(); // 2 held
    expect((await call('GET', `/jobs/next?node_id=${cpu.id}`)).json.job).not.toBeNull();
  });

  it('cancel and retry', async () => {
    t = openTestMaster();
    const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    await call('GET', `/jobs/next?node_id=${node.id}`);
    const canceled = await call('POST', `/jobs/${job.id}/cancel`);
    expect(canceled.json).toMatchObject({ status: 'canceled' });
    // The holder learns on its next report, with a 409.
    const late = await call('POST', `/jobs/${job.id}/progress`, { node_id: node.id, progress: 0.3 });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('E_INVALID_TRANSITION');
    expect((await call('POST', `/jobs/${job.id}/cancel`)).status).toBe(409);
    const retried = await call('POST', `/jobs/${job.id}/retry`);
    expect(retried.json).toMatchObject({ status: 'queued', attempt: 2 });
    expect((await call('GET', `/jobs/next?node_id=${node.id}`)).json.job).toMatchObject({
      id: job.id,
      attempt: 2,
    });
  });
});

describe('long-poll', () => {
  it('a poller waiting with wait=30 gets a job submitted later, well before the wait ends', async () => {
    t = openTestMaster();
    const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
    const started = performance.now();
    const poll = call('GET', `/jobs/next?node_id=${node.id}&wait=30`);
    // Submit once the poller is parked (a condition, not a sleep).
    await waitFor(() => (t as TestMaster).master.waiting() === 1);
    const job = (await call('POST', '/jobs', REFERENCE_JOB)).json;
    const res = await poll;
    expect(res.json.job.id).toBe(job.id);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a poller with a short wait and no work gets {"job": null}', async () => {
    t = openTestMaster();
    const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
    expect((await call('GET', `/jobs/next?node_id=${node.id}&wait=0.2`)).json).toEqual({ job: null });
  });
});

describe('auth', () => {
  it('admin key, agent key, and no key', async () => {
    t = openTestMaster({ options: { apiKey: 'admin-secret', agentKey: 'agent-secret' } });
    const admin = { authorization: 'Bearer admin-secret' };
    const agent = { authorization: 'Bearer agent-secret' };
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/nodes')).status).toBe(401);
    expect((await call('GET', '/nodes', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('GET', '/nodes', undefined, { authorization: 'Basic abc' })).status).toBe(401);
    const forbidden = await call('GET', '/nodes', undefined, agent);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe('E_FORBIDDEN');
    expect((await call('POST', '/jobs', REFERENCE_JOB, agent)).status).toBe(403);
    const node = await call('POST', '/nodes/register', REFERENCE_NODE, agent);
    expect(node.status).toBe(201);
    expect((await call('POST', `/nodes/${node.json.id}/heartbeat`, {}, agent)).status).toBe(200);
    expect((await call('GET', `/jobs/next?node_id=${node.json.id}`, undefined, agent)).status).toBe(200);
    expect((await call('GET', '/nodes', undefined, admin)).status).toBe(200);
    expect((await call('POST', '/jobs', REFERENCE_JOB, admin)).status).toBe(201);
    expect((await call('POST', '/nodes/register', REFERENCE_NODE)).status).toBe(401);
  });
});

it('serves Prometheus metrics computed from the store when scraped', async () => {
  t = openTestMaster();
  const node = (await call('POST', '/nodes/register', REFERENCE_NODE)).json;
  await call('POST', '/jobs', REFERENCE_JOB);
  await call('POST', '/jobs', { ...REFERENCE_JOB, priority: 'high' });
  await call('GET', `/jobs/next?node_id=${node.id}`);
  const res = await t.master.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(res.body).toContain('ffrtmp_jobs_total{status="queued"} 1');
  expect(res.body).toContain('ffrtmp_jobs_total{status="assigned"} 1');
  expect(res.body).toContain('ffrtmp_queue_length{priority="medium"} 1');
  expect(res.body).toContain('ffrtmp_nodes{status="busy"} 1');
  expect(res.body).toMatch(/ffrtmp_job_wait_seconds_count 1/);
});

it('serves an OpenAPI document listing every route', async () => {
  t = openTestMaster();
  const doc = (await call('GET', '/openapi.json')).json;
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      '/health',
      '/nodes/register',
      '/nodes/{id}/heartbeat',
      '/jobs/next',
      '/jobs/{id}/progress',
      '/results/{id}',
    ]),
  );
  expect(
    doc.paths['/jobs'].post.requestBody.content['application/json'].schema.properties.scenario.type,
  ).toBe('string');
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  await expect.poll(condition, { timeout: timeoutMs, interval: 5 }).toBe(true);
}
