import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { CLI, tempDir } from './helpers.js';

// The README's main job: `ffrtmp demo` runs a short standalone benchmark end to end.
const dir = tempDir('ffrtmp-demo-');
afterAll(() => dir.cleanup());

it('ffrtmp demo runs five scenarios through a local master and agent and leaves a results file with energy', async () => {
  const out = join(dir.path, 'results');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'demo', '--output-dir', out, '--data-dir', join(dir.path, 'data')],
    {
      timeout: 150_000,
    },
  );
  expect(stdout).toMatch(/^SCENARIO\s+STATUS/m);
  expect(stdout).toMatch(/^master: http:\/\/127\.0\.0\.1:\d+/m);
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
}, 180_000);
