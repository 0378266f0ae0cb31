import { describe, expect, it } from 'vitest';
import { parseJobParameters } from './job-parameters.js';
import { meanScores, parseQuality, qualityArgs } from './quality.js';

const STDERR = `
[Parsed_ssim_9 @ 0x5649601e91c0] SSIM Y:0.987017 (18.866236) U:0.991617 (20.765798) V:0.995701 (23.665859) All:0.989231 (19.678178)
[Parsed_psnr_8 @ 0x5649601e8600] PSNR y:39.876472 u:40.770258 v:41.450586 average:40.246499 min:38.044102 max:42.159154
`;

describe('parseQuality', () => {
  it("reads FFmpeg's PSNR average and SSIM All; absent metrics stay absent", () => {
    expect(parseQuality(STDERR)).toEqual({ psnr: 40.246499, ssim: 0.989231 });
    expect(parseQuality('[libvmaf @ 0x1] VMAF score: 93.512\n')).toEqual({ vmaf: 93.512 });
    expect(parseQuality('Conversion failed!')).toEqual({});
    expect(parseQuality('PSNR y:inf u:inf v:inf average:inf min:inf max:inf').psnr).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('meanScores', () => {
  it('averages each metric over the outputs that have it (worked: (40 + 36) / 2 = 38)', () => {
    expect(meanScores([{ psnr: 40, ssim: 0.99 }, { psnr: 36, ssim: 0.95 }, {}])).toEqual({
      psnr: 38,
      ssim: 0.97,
    });
    expect(meanScores([{ psnr: Number.POSITIVE_INFINITY }, { psnr: 30 }])).toEqual({ psnr: 30 });
    expect(meanScores([])).toEqual({});
  });
});

describe('qualityArgs', () => {
  it('regenerates the live source for its duration and scales it to the output', () => {
    const args = qualityArgs({
      distortedPath: '/w/output_0.mp4',
      reference: { kind: 'testsrc2', width: 1920, height: 1080, fps: 30, durationSec: 5 },
      width: 640,
      height: 360,
      fps: 30,
      vmaf: false,
    });
    expect(args.slice(args.indexOf('-i'), args.indexOf('-lavfi'))).toEqual([
      '-i',
      '/w/output_0.mp4',
      '-f',
      'lavfi',
      '-t',
      '5',
      '-i',
      'testsrc2=size=1920x1080:rate=30',
    ]);
    const graph = args[args.indexOf('-lavfi') + 1] ?? '';
    expect(graph).toContain('[1:v]scale=640:360:flags=bicubic,fps=30');
    expect(graph).toContain('[d0][r0]psnr;[d1][r1]ssim');
    expect(graph).not.toContain('libvmaf');
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
  });

  it('adds libvmaf when the build has it, and compares file-mode encodes with their input', () => {
    const args = qualityArgs({
      distortedPath: 'o.mp4',
      reference: { kind: 'file', path: '/media/in.mp4' },
      width: 1280,
      height: 720,
      fps: 25,
      vmaf: true,
    });
    expect(args).toContain('/media/in.mp4');
    expect(args[args.indexOf('-lavfi') + 1]).toContain('split=3');
    expect(args[args.indexOf('-lavfi') + 1]).toContain('[d2][r2]libvmaf');
  });
});

describe('quality in job parameters', () => {
  it('needs the encoded file: output "file" or none', () => {
    expect(parseJobParameters({ duration: 5, quality: true }).quality).toBe(true);
    expect(() => parseJobParameters({ duration: 5, quality: true, output: 'null' })).toThrow(
      /parameters\.quality: quality is measured on the encoded file/,
    );
  });
});
