import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { CLI, tempDir } from './helpers.js';

// The README's main job: `ffrtmp demo` runs a short standalone benchmark end to end.
const dir = tempDir('ffrtmp-demo-');
afterAll(() => dir.cleanup());

it('ffrtmp demo runs every scenario through a local master and agent and prints the results', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [CLI, 'demo', '--port', '0', '--data-dir', dir.path, '--json'],
    {
      timeout: 120_000,
    },
  );
  const out = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)) as {
    results: { status: string; metrics: Record<string, number> }[];
  };
  expect(out.results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  const [, h264, h265, ladder] = out.results;
  expect(h264?.metrics.frames_encoded).toBeGreaterThanOrEqual(140);
  expect(h265?.metrics.frames_encoded).toBeGreaterThanOrEqual(140);
  expect(ladder?.metrics.outputs).toBe(3);
  expect(stdout).toMatch(/master API: http:\/\/127\.0\.0\.1:\d+/);
  expect(stderr).toMatch(/\[4\/4\] h264-ladder-3/);
}, 150_000);
