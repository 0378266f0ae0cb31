import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { CLI, tempDir, until } from '../helpers.js';

// `ffrtmp test` end to end: an embedded master and agent, real FFmpeg, the results file.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-runner-');
afterAll(() => dir.cleanup());

function resultsIn(outDir: string): any {
  const files = readdirSync(outDir).filter((f) => /^test_results_\d{8}_\d{6}\.json$/.test(f));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(outDir, files[0] ?? ''), 'utf8'));
}

const fast = ['--resolution', '320x240', '--fps', '15', '--preset', 'ultrafast'];

it('single writes a results file with start/end times, power statistics and energy', async () => {
  const out = join(dir.path, 'single');
  const { stdout } = await run(
    process.execPath,
    [
      CLI,
      'test',
      'single',
      '--name',
      't',
      '--bitrate',
      '1000k',
      '--duration',
      '5',
      '--stabilization',
      '1',
      '--cooldown',
      '1',
      ...fast,
      '--output-dir',
      out,
      '--data-dir',
      join(dir.path, 'data-single'),
    ],
    { timeout: 120_000 },
  );
  expect(stdout).toMatch(/^SCENARIO\s+STATUS/m);
  const doc = resultsIn(out);
  expect(Date.parse(doc.test_date)).not.toBeNaN();
  const [s] = doc.scenarios;
  expect(s).toMatchObject({
    name: 't',
    bitrate: '1000k',
    resolution: '320x240',
    fps: 15,
    duration: 5,
    encoder: 'h264',
    status: 'completed',
  });
  expect(Date.parse(s.end_time) - Date.parse(s.start_time)).toBeGreaterThan(4000);
  expect(s.power.mean_watts).toBeGreaterThan(0);
  expect(s.power.total_energy_joules).toBeGreaterThan(0);
  expect(s.energy.domains.package.source).toMatch(/^(rapl|estimated:)/);
}, 150_000);

it('a batch of baseline, single and mixed multi gives three scenarios with their real parameters and net energy', async () => {
  const out = join(dir.path, 'batch');
  const file = join(dir.path, 'batch.json');
  writeFileSync(
    file,
    JSON.stringify({
      scenarios: [
        { type: 'baseline', name: 'idle', duration: 3 },
        { type: 'single', name: 'one', bitrate: '800k', resolution: '426x240', fps: 15, duration: 3 },
        {
          type: 'multi',
          name: 'mixed',
          count: 2,
          bitrates: ['300k', '600k'],
          resolution: '320x240',
          fps: 15,
          duration: 3,
        },
      ],
    }),
  );
  await run(
    process.execPath,
    [
      CLI,
      'test',
      'batch',
      '--file',
      file,
      '--stabilization',
      '0',
      '--cooldown',
      '0',
      '--preset',
      'ultrafast',
      '--output-dir',
      out,
      '--data-dir',
      join(dir.path, 'data-batch'),
    ],
    { timeout: 120_000 },
  );
  const { scenarios } = resultsIn(out);
  expect(scenarios.map((s: { name: string }) => s.name)).toEqual(['idle', 'one', 'mixed']);
  expect(scenarios[1]).toMatchObject({ resolution: '426x240', fps: 15, bitrate: '800k', streams: 1 });
  expect(scenarios[2]).toMatchObject({
    resolution: '320x240',
    fps: 15,
    streams: 2,
    bitrates: ['300k', '600k'],
  });
  expect(scenarios[2].outputs).toHaveLength(2);
  for (const s of scenarios) {
    expect(s.status).toBe('completed');
    expect(typeof s.energy.net_joules).toBe('number');
  }
  // The baseline measured the idle node; the encodes' net energy is measured against it.
  expect(scenarios[1].energy.idle_baseline_watts).toBeCloseTo(scenarios[0].power.mean_watts, 1);
}, 150_000);

it('SIGINT during the second scenario keeps the first in a valid file, leaves no FFmpeg, and exits 130', async () => {
  const out = join(dir.path, 'interrupted');
  const file = join(dir.path, 'two.json');
  writeFileSync(
    file,
    JSON.stringify([
      { name: 'first', bitrate: '300k', duration: 2 },
      { name: 'second', bitrate: '300k', duration: 60 },
    ]),
  );
  const child = spawn(
    process.execPath,
    [
      CLI,
      'test',
      'batch',
      '--file',
      file,
      '--stabilization',
      '0',
      '--cooldown',
      '0',
      ...fast,
      '--output-dir',
      out,
      '--data-dir',
      join(dir.path, 'data-int'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(
    () => (/\[2\/2\] second: measuring/.test(err) ? true : undefined),
    90_000,
    'the second scenario to be encoding',
  );
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  const doc = resultsIn(out);
  expect(doc.scenarios.map((s: { name: string }) => s.name)).toEqual(['first']);
  expect(doc.scenarios[0].status).toBe('completed');
  const ffmpeg = (() => {
    try {
      return execFileSync('pgrep', ['-f', 'ffmpeg.*-t 60'], { encoding: 'utf8' }).trim();
    } catch {
      return ''; // pgrep exits 1 when nothing matches
    }
  })();
  expect(ffmpeg).toBe('');
}, 150_000);
