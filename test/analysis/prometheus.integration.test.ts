import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpGet, httpHealth } from '../../src/stack/http-get.js';
import { type Component, startComponent } from '../../src/stack/supervisor.js';
import {
  findVictoriaMetrics,
  victoriaMetricsArgs,
  writeScrapeConfig,
} from '../../src/stack/victoria-metrics.js';
import { CLI, tempDir } from '../helpers.js';
import { freePort } from '../stack/helpers.js';

// `ffrtmp analyze --prometheus-url` against a real VictoriaMetrics holding the agent's metric
// names (DESIGN §7). Two packages, DRAM, core and psys zones are stored: the package regex must
// sum package_0 + package_1 only (50 W), never psys (which already holds them) or core_0.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-analyze-vm-');
let vm: Component | undefined;
let base = '';

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A 120 s series ending 5 minutes ago (VictoriaMetrics hides the newest 30 s from queries).
const T0 = Math.floor(Date.now() / 1000) - 420;
const ZONES = { package_0: 30, package_1: 20, dram_0: 5, core_0: 25, psys: 500 } as const;

beforeAll(async () => {
  const found = findVictoriaMetrics();
  if ('missing' in found) throw new Error(found.missing);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeScrapeConfig(dir.path, [], 5);
  vm = await startComponent({
    name: 'victoria-metrics',
    command: found.binary,
    args: victoriaMetricsArgs({ dataDir: dir.path, listenAddr: `127.0.0.1:${port}`, retention: '7d' }),
    logFile: join(dir.path, 'vm.log'),
    health: httpHealth(`${base}/health`),
    startTimeoutMs: 20_000,
  });
  const lines: string[] = [];
  for (let i = 0; i <= 120; i++) {
    const ms = (T0 + i) * 1000;
    for (const [zone, watts] of Object.entries(ZONES)) {
      lines.push(`rapl_power_watts{zone="${zone}"} ${watts} ${ms}`);
      lines.push(`rapl_energy_joules_total{zone="${zone}"} ${watts * i} ${ms}`);
    }
    lines.push(`gpu_power_draw_watts{gpu="0"} 40 ${ms}`);
  }
  expect(await post(`${base}/api/v1/import/prometheus`, `${lines.join('\n')}\n`)).toBe(204);
  await httpGet(`${base}/internal/force_flush`);
}, 40_000);

afterAll(async () => {
  await vm?.stop();
  dir.cleanup();
});

it('fills power for scenarios without it from the [start, end] window, packages counted once', async () => {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const file = join(dir.path, 'test_results_20260101_000000.json');
  writeFileSync(
    file,
    JSON.stringify({
      test_date: iso(T0),
      scenarios: [
        // The reference runner's shape: epoch-second times, no power.
        {
          name: '2500k from the reference',
          bitrate: '2500k',
          resolution: '1280x720',
          fps: 30,
          duration: 40,
          start_time: T0 + 20,
          end_time: T0 + 60,
        },
        {
          name: 'measured',
          bitrate: '1000k',
          streams: 1,
          start_time: iso(T0 + 70),
          end_time: iso(T0 + 100),
          power: { mean_watts: 12, total_energy_joules: 360 },
        },
      ],
    }),
  );
  const { stdout, stderr } = await run(
    process.execPath,
    [CLI, 'analyze', file, '--prometheus-url', base, '--format', 'json'],
    {
      timeout: 60_000,
    },
  );
  expect(stderr).toMatch(/querying .* for 2500k from the reference \(40 s window\)/);
  expect(stderr).not.toMatch(/for measured/);
  const [prom, measured] = JSON.parse(stdout).scenarios;

  // sum(increase(rapl_energy_joules_total{zone=~"package.*"}[40s])) = (30 + 20) W × 40 s.
  expect(prom.power.source).toBe('prometheus');
  expect(prom.power.total_energy_joules).toBeCloseTo(2000, 6);
  expect(prom.power.mean_watts).toBeCloseTo(50, 6);
  expect(prom.power.min_watts).toBe(50);
  expect(prom.power.max_watts).toBe(50);
  expect(prom.dram_power.mean_watts).toBeCloseTo(5, 6);
  expect(prom.gpu_power.mean_watts).toBe(40);
  // 2.5 Mbps / (50 W package + 40 W GPU).
  expect(prom.efficiency_score).toBeCloseTo(2.5 / 90, 9);
  expect(measured.power.mean_watts).toBe(12);
  expect(measured.power.source).toBeNull();
}, 60_000);
