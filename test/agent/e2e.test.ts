import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SpawnedAgent,
  type SpawnedMaster,
  http,
  outage,
  spawnAgent,
  spawnMaster,
  tempDir,
  until,
} from '../helpers.js';

// Real master, real agent processes, real FFmpeg on loopback.

const run = promisify(execFile);
const FAKE_FFMPEG = join(import.meta.dirname, '..', 'fixtures', 'fake-ffmpeg.sh');

function requireFfmpeg(): void {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('these tests run real FFmpeg: install it (apt-get install ffmpeg)');
  }
}

const dir = tempDir('ffrtmp-e2e-');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dir.cleanup();
});

async function master(args: string[] = []): Promise<SpawnedMaster> {
  const m = await spawnMaster([
    '--db',
    join(dir.path, `m-${Math.random().toString(36).slice(2)}.db`),
    ...args,
  ]);
  cleanups.push(() => m.kill());
  return m;
}

async function agent(url: string, name: string, args: string[] = []): Promise<SpawnedAgent> {
  const a = await spawnAgent(url, join(dir.path, name), ['--media-dir', join(dir.path, 'media'), ...args]);
  cleanups.push(() => a.kill());
  return a;
}

async function waitForJob(url: string, id: string, statuses: string[], timeoutMs = 60_000) {
  return until(
    async () => {
      const job = (await http(url, 'GET', `/jobs/${id}`)).json;
      return statuses.includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to be ${statuses.join('|')}`,
  );
}

const submit = async (
  url: string,
  scenario: string,
  parameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => {
  const res = await http(url, 'POST', '/jobs', { scenario, parameters, ...extra });
  expect(res.status).toBe(201);
  return res.json as { id: string };
};

beforeAll(async () => {
  requireFfmpeg();
  mkdirSync(join(dir.path, 'media'), { recursive: true });
  // A 2 s 320x240 input for file-mode jobs.
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    '2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    join(dir.path, 'media', 'clip.mp4'),
  ]);
});

describe('master + two agents with real FFmpeg', { timeout: 90_000 }, () => {
  it('run six mixed jobs to completion with plausible figures', async () => {
    const m = await master();
    const a1 = await agent(m.url, 'a1');
    const a2 = await agent(m.url, 'a2');
    await Promise.all([a1.nodeId, a2.nodeId]);
    const jobs = {
      h264: await submit(m.url, 'h264-live', {
        duration: 2,
        resolution: '320x240',
        fps: 15,
        bitrate: '300k',
        encoder: 'h264',
        preset: 'ultrafast',
      }),
      h265: await submit(m.url, 'h265-live', {
        duration: 2,
        resolution: '320x240',
        fps: 15,
        bitrate: '300k',
        encoder: 'h265',
        preset: 'ultrafast',
      }),
      vp9: await submit(m.url, 'vp9-live', {
        duration: 2,
        resolution: '256x144',
        fps: 15,
        bitrate: '200k',
        encoder: 'vp9',
        preset: 'realtime',
        output: 'file',
      }),
      streams: await submit(m.url, 'two-streams', {
        duration: 2,
        resolution: '320x240',
        fps: 15,
        bitrates: ['200k', '400k'],
        encoder: 'h264',
        preset: 'ultrafast',
      }),
      ladder: await submit(m.url, 'ladder', {
        duration: 2,
        encoder: 'h264',
        preset: 'ultrafast',
        outputs: [
          { resolution: '640x360', fps: 15, bitrate: '600k' },
          { resolution: '426x240', fps: 15, bitrate: '300k' },
          { resolution: '256x144', fps: 15, bitrate: '150k' },
        ],
      }),
      file: await submit(m.url, 'file-mode', {
        mode: 'file',
        input: 'clip.mp4',
        encoder: 'h264',
        preset: 'veryfast',
        bitrate: '500k',
        output: 'file',
      }),
    };
    const results: Record<string, any> = {};
    for (const [name, job] of Object.entries(jobs)) {
      const done = await waitForJob(m.url, job.id, ['completed', 'failed']);
      const result = (await http(m.url, 'GET', `/results/${job.id}`)).json;
      expect(done.status, `${name}: ${result.error}`).toBe('completed');
      results[name] = result.metrics;
    }
    // Live jobs run in real time: frames ≈ fps × duration per output.
    for (const name of ['h264', 'h265', 'vp9']) {
      expect(results[name].frames_encoded, name).toBeGreaterThanOrEqual(28);
      expect(results[name].frames_encoded, name).toBeLessThanOrEqual(32);
      expect(results[name].speed, name).toBeGreaterThan(0.6); // real time, less FFmpeg start-up over 2 s
      expect(results[name].speed, name).toBeLessThan(1.3);
      expect(results[name].output_size_bytes, name).toBeGreaterThan(1000);
      expect(results[name].cpu_seconds, name).toBeGreaterThan(0);
    }
    expect(results.streams).toMatchObject({ streams: 2, outputs: 2 });
    expect(results.streams.frames_encoded).toBeGreaterThanOrEqual(56);
    expect(results.ladder).toMatchObject({ streams: 1, outputs: 3 });
    expect(results.ladder.frames_encoded).toBeGreaterThanOrEqual(84);
    // File mode encodes the 2 s input (50 frames at 25 fps) as fast as it can.
    expect(results.file.frames_encoded).toBe(50);
    expect(results.file.speed).toBeGreaterThan(1);
    expect(results.file.output_size_bytes).toBeGreaterThan(10_000);
    // Both agents took work.
    const nodes = new Set(
      await Promise.all(
        Object.values(jobs).map(async (j) => (await http(m.url, 'GET', `/jobs/${j.id}`)).json.node_id),
      ),
    );
    expect(nodes.size).toBe(2);
    await Promise.all([a1.stop(), a2.stop()]);
  });

  it('never gives this node a job for an encoder it lacks (h264_nvenc without a GPU)', async () => {
    const m = await master();
    const a = await agent(m.url, 'nv');
    const nodeId = await a.nodeId;
    const node = (await http(m.url, 'GET', `/nodes/${nodeId}`)).json;
    expect(node.encoders).toContain('libx264');
    expect(node.encoders).not.toContain('h264_nvenc');
    const nv = await submit(m.url, 'nvenc', { duration: 1, encoder: 'h264_nvenc' });
    const cpu = await submit(m.url, 'cpu', {
      duration: 1,
      resolution: '256x144',
      fps: 10,
      encoder: 'h264',
      preset: 'ultrafast',
    });
    await waitForJob(m.url, cpu.id, ['completed']);
    expect((await http(m.url, 'GET', `/jobs/${nv.id}`)).json).toMatchObject({
      status: 'queued',
      node_id: null,
    });
    await a.stop();
  });
});

describe('failures', { timeout: 90_000 }, () => {
  it('kill -9 of an agent mid-job: retried on the other agent, exactly one completed result', async () => {
    const m = await master(['--node-timeout', '2s', '--lease-timeout', '3s']);
    const a1 = await agent(m.url, 'k1');
    await a1.nodeId;
    const job = await submit(m.url, 'victim', {
      duration: 4,
      resolution: '256x144',
      fps: 10,
      encoder: 'h264',
      preset: 'ultrafast',
    });
    await waitForJob(m.url, job.id, ['running']);
    await a1.kill();
    const a2 = await agent(m.url, 'k2');
    const a2Id = await a2.nodeId;
    const done = await waitForJob(m.url, job.id, ['completed', 'failed'], 60_000);
    expect(done).toMatchObject({ status: 'completed', node_id: a2Id, attempt: 2 });
    const results = (await http(m.url, 'GET', `/results?job_id=${job.id}`)).json;
    expect(results.count).toBe(1);
    expect(results.results[0]).toMatchObject({ status: 'completed', attempt: 2, node_id: a2Id });
    await a2.stop();
  });

  it('master down while a job finishes, back 10 s later: the spooled result arrives once', async () => {
    const db = join(dir.path, 'outage.db');
    const first = await spawnMaster(['--db', db]);
    const port = new URL(first.url).port;
    const a = await agent(first.url, 'outage');
    await a.nodeId;
    const job = await submit(first.url, 'outage', {
      duration: 2,
      resolution: '256x144',
      fps: 10,
      encoder: 'h264',
      preset: 'ultrafast',
    });
    await waitForJob(first.url, job.id, ['running']);
    await first.kill();
    // The job ends while the master is gone: the result waits in the spool.
    await until(
      () => (a.logs().some((l) => l.msg === 'job ended') ? true : undefined),
      30_000,
      'the job to end',
    );
    const spoolDir = join(dir.path, 'outage', 'spool');
    expect(existsSync(spoolDir)).toBe(true);
    await outage(10_000); // the master stays down 10 s, as the issue asks
    const second = await spawnMaster(['--db', db, '--port', port]);
    cleanups.push(() => second.kill());
    const done = await waitForJob(second.url, job.id, ['completed'], 60_000);
    expect(done.status).toBe('completed');
    const results = (await http(second.url, 'GET', `/results?job_id=${job.id}`)).json;
    expect(results.count).toBe(1);
    await a.stop();
  });

  it('cancel stops the job FFmpeg within 5 s and leaves an unrelated ffmpeg alone', async () => {
    const m = await master();
    const a = await agent(m.url, 'cancel');
    await a.nodeId;
    const bystander = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=128x96:rate=5',
        '-t',
        '60',
        '-f',
        'null',
        '-',
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => bystander.kill('SIGKILL'));
    const job = await submit(m.url, 'long', {
      duration: 120,
      resolution: '256x144',
      fps: 10,
      encoder: 'h264',
      preset: 'ultrafast',
    });
    await waitForJob(m.url, job.id, ['running']);
    const agentFfmpeg = () =>
      execFileSync('pgrep', ['-f', `${job.id}|ffmpeg.*-t 120`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean).length;
    await until(() => (safe(agentFfmpeg) > 0 ? true : undefined), 10_000, 'the job ffmpeg to appear');
    const canceledAt = Date.now();
    expect((await http(m.url, 'POST', `/jobs/${job.id}/cancel`)).json.status).toBe('canceled');
    await until(() => (safe(agentFfmpeg) === 0 ? true : undefined), 5000, 'the job ffmpeg to be gone');
    expect(Date.now() - canceledAt).toBeLessThan(5000);
    expect(bystander.exitCode).toBeNull();
    expect(() => process.kill(bystander.pid as number, 0)).not.toThrow();
    // No result was uploaded for the canceled attempt.
    await until(
      () => (a.logs().some((l) => l.msg === 'job ended' && l.job_id === job.id) ? true : undefined),
      10_000,
      'job ended log',
    );
    expect((await http(m.url, 'GET', `/results?job_id=${job.id}`)).json.count).toBe(0);
    await a.stop();
  });

  it('a hanging, a failing and a SIGTERM-deaf FFmpeg each fail the job with a useful error; the agent keeps serving', async () => {
    const m = await master();
    const a = await agent(m.url, 'fake', ['--ffmpeg', FAKE_FFMPEG, '--kill-grace', '1s']);
    await a.nodeId;
    const params = (bitrate: string, extra: Record<string, unknown> = {}) => ({
      duration: 30,
      bitrate,
      encoder: 'h264',
      ...extra,
    });
    const hang = await submit(m.url, 'hang', params('1001k', { timeout_sec: 2 }));
    const flood = await submit(m.url, 'flood', params('1002k'));
    const deaf = await submit(m.url, 'deaf', params('1003k', { timeout_sec: 2 }));
    const fine = await submit(m.url, 'fine', params('500k'));

    const error = async (id: string) => {
      const job = await waitForJob(m.url, id, ['completed', 'failed'], 30_000);
      expect(job.status).toBe('failed');
      return (await http(m.url, 'GET', `/results/${id}`)).json;
    };
    const hung = await error(hang.id);
    expect(hung.error).toMatch(/timed out after 2 s/);
    expect(hung.metrics.timed_out).toBe(true);
    const flooded = await error(flood.id);
    expect(flooded.error).toMatch(/exited with code 1/);
    expect(flooded.error).toMatch(/Conversion failed!/);
    expect(flooded.error.length).toBeLessThan(5000); // the tail, not the flood
    expect(flooded.metrics.exit_code).toBe(1);
    const deafened = await error(deaf.id);
    expect(deafened.error).toMatch(/timed out/);
    expect(deafened.metrics.exit_signal).toBe('SIGKILL');
    expect((await waitForJob(m.url, fine.id, ['completed', 'failed'])).status).toBe('completed');
    await a.stop();
  });
});

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
