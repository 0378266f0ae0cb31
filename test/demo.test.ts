import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { readUpState } from '../src/stack/up.js';
import { CLI, http, tempDir } from './helpers.js';

// The README's main job: `ffrtmp demo` runs a short standalone benchmark end to end through a
// background `ffrtmp up`, prints the analysis and the dashboard URL, and leaves the dashboard up.
const dir = tempDir('ffrtmp-demo-');
const dataDir = join(dir.path, 'data');
const cli = (args: string[], timeout = 150_000) =>
  promisify(execFile)(process.execPath, [CLI, ...args], { timeout });

afterAll(async () => {
  await cli(['down', '--data-dir', dataDir]).catch(() => undefined);
  dir.cleanup();
});

it('ffrtmp demo runs five scenarios through a background ffrtmp up, analyses them and ends with a live dashboard URL', async () => {
  const out = join(dir.path, 'results');
  const { stdout } = await cli([
    'demo',
    '--output-dir',
    out,
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--no-stack',
    '--metrics-port',
    '0',
  ]);
  expect(stdout).toMatch(/^SCENARIO\s+STATUS/m);
  expect(stdout).toMatch(/^RANKING \(/m);
  expect(stdout).toMatch(/^RECOMMENDATION: .*(h264|h265)/m);
  const last = stdout.trimEnd().split('\n').slice(-2);
  const dashboard = /^dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#\/runs\/([\w-]+)$/.exec(last[0] ?? '');
  expect(dashboard, stdout).not.toBeNull();
  expect(last[1]).toMatch(/stop it with: ffrtmp down/);

  const [file] = readdirSync(out);
  const { scenarios } = JSON.parse(readFileSync(join(out, file ?? ''), 'utf8'));
  expect(scenarios.map((s: { name: string }) => s.name)).toEqual([
    'baseline',
    'h264_720p30_2500k',
    'h265_720p30_2500k',
    'h264_2x_360p30_mixed',
    'h264_ladder_3',
  ]);
  for (const s of scenarios) {
    expect(s.status).toBe('completed');
    expect(s.energy.total_joules).toBeGreaterThan(0);
    expect(s.energy.domains.package.source).toMatch(/^(rapl|estimated:)/);
  }
  expect(scenarios[4].outputs).toHaveLength(3);

  // The demo has returned; the dashboard and the run it names are still served.
  const [, base, runId] = dashboard ?? [];
  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<html/i);
  const run = await http(base ?? '', 'GET', `/runs/${runId}`);
  expect(run.json.results.scenarios).toHaveLength(5);

  // A second up on the same data dir is refused; down stops the background one.
  await expect(cli(['up', '--data-dir', dataDir, '--detach', '--no-stack'])).rejects.toMatchObject({
    code: 2,
  });
  const down = await cli(['down', '--data-dir', dataDir]);
  expect(down.stdout).toMatch(/^stopped ffrtmp up \(pid \d+/);
  expect(readUpState(dataDir)).toBeUndefined();
  await expect(fetch(`${base}/health`)).rejects.toThrow();
}, 180_000);
