import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../src/core/prometheus-text.js';
import { startHealthChecker } from '../../src/stack/health-check.js';
import { freePort } from '../stack/helpers.js';
import { CLI, type SpawnedMaster, spawnMaster, tempDir } from '../helpers.js';

// Exporter health against a real master and a target that is down.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-health-');
let master: SpawnedMaster | undefined;
afterAll(async () => {
  await master?.kill();
  dir.cleanup();
});

async function startMaster() {
  master ??= await spawnMaster(['--db', `${dir.path}/m.db`]);
  return master;
}

describe('ffrtmp health-check', () => {
  it('one-shot: a down target is unhealthy and the exit code is 1; all healthy exits 0', async () => {
    const m = await startMaster();
    const down = `http://127.0.0.1:${await freePort()}/metrics`;
    const bad = await run(process.execPath, [
      CLI,
      'health-check',
      '--targets',
      `master=${m.url},agent=${down}`,
    ]).then(
      () => {
        throw new Error('expected a non-zero exit');
      },
      (e: { code: number; stdout: string }) => e,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^master\s+master\s+yes\s+yes\s+\d+\s+\d+\s*$/m);
    expect(bad.stdout).toMatch(/^agent\s+agent\s+NO\s+no\s+0\s+0\s+unreachable: .*ECONNREFUSED/m);

    const ok = await run(process.execPath, [CLI, 'health-check', '--targets', `master=${m.url}`, '--json']);
    const results = JSON.parse(ok.stdout);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ exporter: 'master', healthy: true, reachable: true, missing: [] });
    expect(results[0].sampleCount).toBeGreaterThan(10);
  });

  it('a user mistake in --targets exits 2 with one line', async () => {
    const e = await run(process.execPath, [CLI, 'health-check', '--targets', 'master']).then(
      () => ({ code: 0, stderr: '' }),
      (x: { code: number; stderr: string }) => x,
    );
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--targets: "master": expected name=url');
  });

  it('with an interval: serves exporter_* per target and receives Alertmanager webhooks', async () => {
    const m = await startMaster();
    const downPort = await freePort();
    const logs: string[] = [];
    const checker = await startHealthChecker({
      targets: [
        { name: 'master', url: `${m.url}/metrics`, kind: 'master' },
        { name: 'agent', url: `http://127.0.0.1:${downPort}/metrics`, kind: 'agent' },
      ],
      intervalMs: 200,
      host: '127.0.0.1',
      port: 0,
      log: (_level, msg) => logs.push(msg),
    });
    try {
      const text = await (await fetch(`${checker.url}/metrics`)).text();
      const samples = parsePrometheusText(text).samples;
      const value = (name: string, exporter: string) =>
        samples.find((s) => s.name === name && s.labels.exporter === exporter)?.value;
      expect(value('exporter_health_status', 'master')).toBe(1);
      expect(value('exporter_reachable', 'master')).toBe(1);
      expect(value('exporter_sample_count', 'master')).toBeGreaterThan(10);
      expect(value('exporter_metric_count', 'master')).toBeGreaterThanOrEqual(4);
      expect(value('exporter_health_status', 'agent')).toBe(0);
      expect(value('exporter_reachable', 'agent')).toBe(0);
      expect(value('exporter_sample_count', 'agent')).toBe(0);

      const hook = await fetch(`${checker.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          status: 'firing',
          alerts: [{ status: 'firing', labels: { alertname: 'ExporterDown' } }],
        }),
      });
      expect(hook.status).toBe(200);
      expect(checker.alertsReceived()).toBe(1);
      expect(logs).toContain('alert firing: ExporterDown');
      const garbage = await fetch(`${checker.url}/alerts`, { method: 'POST', body: 'nope' });
      expect(garbage.status).toBe(400);
    } finally {
      await checker.stop();
    }
  });
});
