import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, type SpawnedMaster, http, spawnMaster, tempDir } from '../helpers.js';

// The built `ffrtmp master` as a real process on a real port.

const run = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startMaster(args: string[]): Promise<SpawnedMaster> {
  const m = await spawnMaster(args);
  cleanups.push(() => m.kill());
  return m;
}

function temp(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.path;
}

const NODE = {
  address: 'w',
  type: 'desktop',
  cpu_threads: 4,
  cpu_model: 'test',
  has_gpu: false,
  ram_bytes: 1,
};
const JOB = { scenario: 'test-1080p', confidence: 'auto', parameters: { duration: 60, bitrate: '5000k' } };

describe('ffrtmp master process', () => {
  it('keeps jobs, nodes and results across kill -9 and a restart', async () => {
    const db = join(temp(), 'ffrtmp.db');
    const first = await startMaster(['--db', db]);
    const node = (await http(first.url, 'POST', '/nodes/register', { ...NODE, node_key: 'persist-key-1' }))
      .json;
    const jobs = [];
    for (let i = 0; i < 5; i++)
      jobs.push((await http(first.url, 'POST', '/jobs', { ...JOB, scenario: `s${i}` })).json);
    const claimed = (await http(first.url, 'GET', `/jobs/next?node_id=${node.id}`)).json.job;
    const ack = await http(first.url, 'POST', '/results', {
      job_id: claimed.id,
      node_id: node.id,
      status: 'completed',
      metrics: { frames_encoded: 1800 },
    });
    expect(ack.status).toBe(200);
    // Acknowledged means durable: kill -9 right after the answer.
    await first.kill();
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startMaster(['--db', db]);
    const listed = (await http(second.url, 'GET', '/jobs')).json;
    expect(listed.count).toBe(5);
    expect(listed.jobs.map((j: { scenario: string }) => j.scenario)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect((await http(second.url, 'GET', `/jobs/${claimed.id}`)).json.status).toBe('completed');
    expect((await http(second.url, 'GET', `/results/${claimed.id}`)).json.metrics).toEqual({
      frames_encoded: 1800,
    });
    const again = (await http(second.url, 'POST', '/nodes/register', { ...NODE, node_key: 'persist-key-1' }))
      .json;
    expect(again.id).toBe(node.id);
    expect((await http(second.url, 'GET', `/jobs/next?node_id=${node.id}`)).json.job.scenario).toBe('s1');
  });

  it('50 concurrent pollers against 200 jobs: every job handed out exactly once', async () => {
    const m = await startMaster(['--db', join(temp(), 'ffrtmp.db')]);
    const nodes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        http(m.url, 'POST', '/nodes/register', { ...NODE, address: `n${i}`, max_concurrent_jobs: 200 }),
      ),
    );
    const submitted = new Set<string>();
    for (let i = 0; i < 200; i++) submitted.add((await http(m.url, 'POST', '/jobs', JOB)).json.id);
    const handedOut: string[] = [];
    await Promise.all(
      nodes.map(async ({ json: node }) => {
        for (;;) {
          const res = await http(m.url, 'GET', `/jobs/next?node_id=${node.id}`);
          expect(res.status).toBe(200);
          if (!res.json.job) return;
          handedOut.push(res.json.job.id);
        }
      }),
    );
    expect(handedOut).toHaveLength(200);
    expect(new Set(handedOut)).toEqual(submitted);
  });

  it('serves HTTPS with client certificates from `ffrtmp certs`', async () => {
    const dir = temp();
    const certs = join(dir, 'certs');
    await run(process.execPath, [CLI, 'certs', '--out-dir', certs]);
    const m = await startMaster([
      '--db',
      join(dir, 'ffrtmp.db'),
      '--tls-cert',
      join(certs, 'server.crt'),
      '--tls-key',
      join(certs, 'server.key'),
      '--tls-ca',
      join(certs, 'ca.crt'),
      '--api-key',
      'k',
    ]);
    expect(m.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { readFileSync } = await import('node:fs');
    const ca = readFileSync(join(certs, 'ca.crt'));
    const withCert = new Agent({
      connect: {
        ca,
        cert: readFileSync(join(certs, 'client.crt')),
        key: readFileSync(join(certs, 'client.key')),
      },
    });
    const withoutCert = new Agent({ connect: { ca } });
    cleanups.push(
      () => withCert.close(),
      () => withoutCert.close(),
    );
    const ok = await undiciFetch(`${m.url}/health`, { dispatcher: withCert });
    expect(await ok.json()).toEqual({ status: 'healthy' });
    await expect(undiciFetch(`${m.url}/health`, { dispatcher: withoutCert })).rejects.toThrow();

    // The CLI reaches it with the CA, the client certificate and the key.
    const tlsArgs = [
      '--master',
      m.url,
      '--tls-ca',
      join(certs, 'ca.crt'),
      '--tls-cert',
      join(certs, 'client.crt'),
      '--tls-key',
      join(certs, 'client.key'),
    ];
    const listed = await run(process.execPath, [CLI, 'nodes', 'list', ...tlsArgs, '--api-key', 'k']);
    expect(listed.stdout.trim()).toBe('no nodes');
    const denied = await run(process.execPath, [
      CLI,
      'nodes',
      'list',
      ...tlsArgs,
      '--api-key',
      'wrong',
    ]).catch((e) => e);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/wrong API key \[E_UNAUTHORIZED\]/);
  });

  it('refuses bad flags with one line per problem and exit code 2', async () => {
    const res = await run(process.execPath, [
      CLI,
      'master',
      '--port',
      'abc',
      '--node-timeout',
      '5x',
      '--bogus',
    ]).catch((e) => e);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--port: expected an integer/);
    expect(res.stderr).toMatch(/--node-timeout: expected a duration/);
    expect(res.stderr).toMatch(/--bogus: unknown flag/);
    expect(res.stderr).not.toMatch(/at .*\.js:\d+/); // no stack for a user mistake
  });

  it('says so when the port is taken', async () => {
    const m = await startMaster(['--db', join(temp(), 'a.db')]);
    const port = new URL(m.url).port;
    const res = await run(process.execPath, [
      CLI,
      'master',
      '--port',
      port,
      '--host',
      '127.0.0.1',
      '--db',
      join(temp(), 'b.db'),
    ]).catch((e) => e);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/EADDRINUSE.*another process holds the port/);
  });
});

describe('ffrtmp jobs / nodes CLI', () => {
  it('submits, lists, shows, cancels and retries jobs; lists, shows and removes nodes', async () => {
    const m = await startMaster(['--db', join(temp(), 'ffrtmp.db')]);
    const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, '--master', m.url]);
    const submitted = JSON.parse(
      (
        await cli(
          'jobs',
          'submit',
          '--scenario',
          'cli-test',
          '--param',
          'duration=30',
          '--param',
          'bitrate=2M',
          '--json',
        )
      ).stdout,
    );
    expect(submitted).toMatchObject({
      scenario: 'cli-test',
      status: 'queued',
      parameters: { duration: 30, bitrate: '2000k' },
    });
    const table = (await cli('jobs', 'list')).stdout;
    expect(table).toMatch(/^ID\s+SCENARIO\s+STATUS/);
    expect(table).toContain(submitted.id);
    expect(JSON.parse((await cli('jobs', 'show', submitted.id)).stdout).id).toBe(submitted.id);
    expect((await cli('jobs', 'cancel', submitted.id)).stdout).toMatch(/canceled: now canceled/);
    expect((await cli('jobs', 'retry', submitted.id)).stdout).toMatch(/requeued: now queued/);
    const listed = JSON.parse((await cli('jobs', 'list', '--status', 'queued', '--json')).stdout);
    expect(listed.count).toBe(1);

    const bad = await cli('jobs', 'submit', '--scenario', 'x', '--param', 'encoder=libx264; rm -rf /').catch(
      (e) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/parameters\.encoder: expected one of/);

    const node = (await http(m.url, 'POST', '/nodes/register', NODE)).json;
    expect((await cli('nodes', 'list')).stdout).toContain(node.id);
    expect(JSON.parse((await cli('nodes', 'show', node.id)).stdout).address).toBe('w');
    expect((await cli('nodes', 'remove', node.id)).stdout).toBe(`removed node ${node.id}\n`);
    const missing = await cli('nodes', 'show', node.id).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/E_NODE_NOT_FOUND/);
  });

  it('explains an unreachable master', async () => {
    const res = await run(process.execPath, [
      CLI,
      'jobs',
      'list',
      '--master',
      'http://127.0.0.1:59999',
    ]).catch((e) => e);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /cannot reach the master at http:\/\/127\.0\.0\.1:59999 \(ECONNREFUSED\) \[E_MASTER_UNREACHABLE\]/,
    );
  });
});
