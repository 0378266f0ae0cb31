import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseRtmpStat } from '../../src/stack/nginx-rtmp.js';
import { CLI, http, tempDir, until } from '../helpers.js';
import { freePort, pgrep } from './helpers.js';

// `ffrtmp up`: master, agent, nginx-rtmp and VictoriaMetrics from one command; Ctrl-C leaves nothing.
const dir = tempDir('ffrtmp-up-');
afterAll(() => dir.cleanup());

it('starts the stack, streams a live job through nginx-rtmp (visible in /stat), and leaves no child after Ctrl-C', async () => {
  const [rtmp, stat, vm, metrics, am, vmalert, health] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = join(dir.path, 'data');
  const child = spawn(
    process.execPath,
    [
      CLI,
      'up',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--rtmp-port',
      String(rtmp),
      '--stat-port',
      String(stat),
      '--vm-port',
      String(vm),
      '--metrics-port',
      String(metrics),
      '--alertmanager-port',
      String(am),
      '--vmalert-port',
      String(vmalert),
      '--health-port',
      String(health),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until(() => (out.includes('ready:') ? true : undefined), 60_000, `ffrtmp up to be ready:\n${out}`);
    expect(out).toMatch(/RTMP:\s+rtmp:\/\/127\.0\.0\.1:\d+\/live/);
    expect(out).toMatch(/VictoriaMetrics:\s+http:\/\/127\.0\.0\.1:\d+/);
    const master = /master:\s+(\S+)/.exec(out)?.[1] ?? '';
    const job = (
      await http(master, 'POST', '/jobs', {
        scenario: 'live-rtmp',
        parameters: {
          duration: 8,
          resolution: '320x240',
          fps: 15,
          bitrate: '300k',
          encoder: 'h264',
          preset: 'ultrafast',
        },
      })
    ).json;
    const stream = await until(
      async () => {
        const res = await fetch(`http://127.0.0.1:${stat}/stat`);
        const found = parseRtmpStat(await res.text()).streams.find(
          (s) => s.app === 'live' && s.name === job.id,
        );
        return found && found.bytesIn > 0 ? found : undefined;
      },
      30_000,
      'the job stream in /stat',
    );
    expect(stream.bytesIn).toBeGreaterThan(0);
    // VictoriaMetrics, vmalert (with the power rules loaded) and Alertmanager answer.
    expect((await fetch(`http://127.0.0.1:${vm}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${am}/-/healthy`)).status).toBe(200);
    const rules = (await (await fetch(`http://127.0.0.1:${vmalert}/api/v1/rules`)).json()) as unknown;
    expect(JSON.stringify(rules)).toContain('HighPackagePower');
    expect(JSON.stringify(rules)).toContain('ExporterDown');
    // The health checker judges master and agent, and is both scraped and Alertmanager's webhook.
    // (It checks every 15 s: an agent whose first power sample came after the first check waits one.)
    const exporters = await until(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
        return /exporter_health_status\{exporter="agent",kind="agent"\} 1/.test(text) ? text : undefined;
      },
      20_000,
      'the health checker to find the agent healthy',
    );
    expect(exporters).toMatch(/exporter_health_status\{exporter="master",kind="master"\} 1/);
    expect(readFileSync(join(dataDir, 'alerting', 'alertmanager.yml'), 'utf8')).toContain(
      `url: "http://127.0.0.1:${health}/alerts"`,
    );
    expect(readFileSync(join(dataDir, 'victoria-metrics', 'scrape.yml'), 'utf8')).toContain(
      `job_name: "ffrtmp-health"`,
    );
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(pgrep(dataDir)).toEqual([]);
}, 120_000);
