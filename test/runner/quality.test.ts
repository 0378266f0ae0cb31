import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers.js';

// Objective quality through the whole path: `ffrtmp test --compute-quality` → agent → result → file.
const dir = tempDir('ffrtmp-quality-');
afterAll(() => dir.cleanup());

it('at 1080p an 8000k encode has higher PSNR and SSIM than a 300k one; without libvmaf there is no vmaf_score', async () => {
  const file = join(dir.path, 'q.json');
  writeFileSync(
    file,
    JSON.stringify([
      { name: 'high', bitrate: '8000k', resolution: '1920x1080', fps: 10, duration: 2 },
      { name: 'low', bitrate: '300k', resolution: '1920x1080', fps: 10, duration: 2 },
    ]),
  );
  const out = join(dir.path, 'results');
  await promisify(execFile)(
    process.execPath,
    [
      CLI,
      'test',
      'batch',
      '--file',
      file,
      '--compute-quality',
      '--preset',
      'ultrafast',
      '--stabilization',
      '0',
      '--cooldown',
      '0',
      '--output-dir',
      out,
      '--data-dir',
      join(dir.path, 'data'),
    ],
    { timeout: 150_000 },
  );
  const [name] = readdirSync(out);
  const { scenarios } = JSON.parse(readFileSync(join(out, name ?? ''), 'utf8'));
  const [high, low] = scenarios;
  for (const s of [high, low]) {
    expect(s.status).toBe('completed');
    expect(s.psnr_score).toBeGreaterThan(15);
    expect(s.psnr_score).toBeLessThan(70);
    expect(s.ssim_score).toBeGreaterThan(0.3);
    expect(s.ssim_score).toBeLessThanOrEqual(1);
    expect(s).not.toHaveProperty('vmaf_score');
  }
  expect(high.psnr_score).toBeGreaterThan(low.psnr_score);
  expect(high.ssim_score).toBeGreaterThan(low.ssim_score);
}, 180_000);
