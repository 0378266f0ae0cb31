import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistrationBody } from '../core/contract/schemas.js';
import { formatHardwareReport, type HardwareReport, probeHardware, toRegistration } from './probe.js';

let dir: string;

async function writeFake(name: string, script: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

async function writeTree(root: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const ENCODERS = ` ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D libx265              libx265 H.265 / HEVC (codec hevc)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V....D hevc_nvenc           NVIDIA NVENC hevc encoder (codec hevc)
 V....D h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)`;

// A fake ffmpeg: -version, -encoders, and test encodes in which h264_nvenc fails (no device),
// hevc_nvenc passes, and h264_vaapi passes only when given the render node. Every call is logged.
const FAKE_FFMPEG = `echo "$*" >> "$(dirname "$0")/ffmpeg-calls.log"
case "$*" in
  -version) echo "ffmpeg version 6.1.1-fake Copyright (c) 2000-2023 the FFmpeg developers" ;;
  *-encoders*) cat <<'EOF'
${ENCODERS}
EOF
  ;;
  *"-c:v h264_nvenc"*) echo "[h264_nvenc @ 0x1] Cannot load libcuda.so.1" >&2; exit 1 ;;
  *"-vaapi_device /dev/dri/renderD128 -vf format=nv12,hwupload -c:v h264_vaapi"*) exit 0 ;;
  *"-c:v h264_vaapi"*) echo "vaapi without device" >&2; exit 1 ;;
  *) exit 0 ;;
esac`;

const FAKE_NVIDIA_SMI = `echo "0, NVIDIA GeForce RTX 4090, 24564, GPU-aaaaaaaa-1111-2222-3333-444444444444"
echo "1, NVIDIA RTX A2000 , [N/A], GPU-bbbbbbbb-1111-2222-3333-444444444444 "`;

let fakes: { ffmpegPath: string; nvidiaSmi: string; sysRoot: string; procRoot: string };

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'ffrtmp-probe-'));
  fakes = {
    ffmpegPath: await writeFake('ffmpeg', FAKE_FFMPEG),
    nvidiaSmi: await writeFake('nvidia-smi', FAKE_NVIDIA_SMI),
    sysRoot: await writeTree(join(dir, 'sys'), {
      'class/power_supply/AC/type': 'Mains\n',
      'class/power_supply/BAT0/type': 'Battery\n',
    }),
    procRoot: await writeTree(join(dir, 'proc'), {
      cpuinfo:
        'processor\t: 0\nmodel name\t: Fake CPU 9000 @ 4.00GHz\n\nprocessor\t: 1\nmodel name\t: Fake CPU 9000 @ 4.00GHz\n',
    }),
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probeHardware with fake programs and trees', () => {
  let report: HardwareReport;
  beforeAll(async () => {
    report = await probeHardware(fakes);
  });

  it('reads the CPU model from cpuinfo and counts threads and RAM from the OS', () => {
    expect(report.cpuModel).toBe('Fake CPU 9000 @ 4.00GHz');
    expect(report.cpuThreads).toBe(os.availableParallelism());
    expect(report.ramBytes).toBe(os.totalmem());
    expect(report.hostname).toBe(os.hostname());
  });

  it('finds the battery and calls the machine a laptop', () => {
    expect(report.hasBattery).toBe(true);
    expect(report.nodeType).toBe('laptop');
  });

  it('lists both GPUs, with unknown memory as null', () => {
    expect(report.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4090',
        memoryMiB: 24564,
        uuid: 'GPU-aaaaaaaa-1111-2222-3333-444444444444',
      },
      {
        index: 1,
        name: 'NVIDIA RTX A2000',
        memoryMiB: null,
        uuid: 'GPU-bbbbbbbb-1111-2222-3333-444444444444',
      },
    ]);
  });

  it('offers software encoders and only the hardware encoders whose test encode passed', () => {
    expect(report.ffmpegVersion).toBe('6.1.1-fake');
    expect(report.ffmpegEncodersListed).toEqual([
      'libx264',
      'libx265',
      'h264_nvenc',
      'hevc_nvenc',
      'h264_vaapi',
    ]);
    expect(report.hardwareEncoderTests).toEqual([
      { encoder: 'h264_nvenc', ok: false, error: 'exit code 1: [h264_nvenc] Cannot load libcuda.so.1' },
      { encoder: 'hevc_nvenc', ok: true },
      { encoder: 'h264_vaapi', ok: true },
    ]);
    expect(report.encoders).toEqual(['libx264', 'libx265', 'hevc_nvenc', 'h264_vaapi']);
    expect(report.problems).toEqual([
      'hardware encoders listed by ffmpeg but failing a test encode (not offered): h264_nvenc',
    ]);
  });

  it('runs the documented one-frame test encode', async () => {
    const calls = (await readFile(join(dir, 'ffmpeg-calls.log'), 'utf8')).split('\n');
    expect(calls).toContain(
      '-hide_banner -loglevel error -f lavfi -i color=black:s=256x144:r=1 -frames:v 1 -c:v hevc_nvenc -f null -',
    );
  });
});

describe('probeHardware failure paths', () => {
  it('reports missing ffmpeg and nvidia-smi as problem lines instead of throwing', async () => {
    const report = await probeHardware({
      ffmpegPath: join(dir, 'no-such-ffmpeg'),
      nvidiaSmi: join(dir, 'no-such-nvidia-smi'),
      sysRoot: join(dir, 'no-sys'),
      procRoot: fakes.procRoot,
    });
    expect(report.problems).toEqual([
      'nvidia-smi not found: no NVIDIA GPUs detected (normal on machines without one)',
      'ffmpeg not found: install it with apt-get install ffmpeg',
    ]);
    expect(report).toMatchObject({ gpus: [], ffmpegVersion: null, encoders: [], hasBattery: false });
  });

  it('reports a broken driver with nvidia-smi’s own words', async () => {
    const smi = await writeFake(
      'nvidia-smi-broken',
      'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2; exit 9',
    );
    const report = await probeHardware({
      ffmpegPath: fakes.ffmpegPath,
      nvidiaSmi: smi,
      testHardwareEncoders: false,
    });
    expect(report.gpus).toEqual([]);
    expect(report.problems).toContain(
      "nvidia-smi failed (exit code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.): no NVIDIA GPUs detected",
    );
  });

  it('kills a hanging command at the timeout and says so', async () => {
    const smi = await writeFake('nvidia-smi-hang', 'exec sleep 30');
    const started = performance.now();
    const report = await probeHardware({
      ffmpegPath: fakes.ffmpegPath,
      nvidiaSmi: smi,
      testHardwareEncoders: false,
      commandTimeoutMs: 200,
    });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.problems).toContain('nvidia-smi failed (timed out after 0.2 s): no NVIDIA GPUs detected');
  });

  it('skips test encodes when asked, offering no hardware encoder', async () => {
    const report = await probeHardware({ ...fakes, testHardwareEncoders: false });
    expect(report.hardwareEncoderTests).toEqual([]);
    expect(report.encoders).toEqual(['libx264', 'libx265']);
  });
});

describe('battery detection', () => {
  const probeWith = async (name: string, files: Record<string, string>) => {
    const sysRoot = await writeTree(join(dir, name), files);
    return probeHardware({
      ffmpegPath: fakes.ffmpegPath,
      nvidiaSmi: fakes.nvidiaSmi,
      sysRoot,
      testHardwareEncoders: false,
    });
  };

  it('counts a supply whose type is Battery whatever its name', async () => {
    expect((await probeWith('sys-cmb', { 'class/power_supply/CMB0/type': 'Battery\n' })).hasBattery).toBe(
      true,
    );
  });

  it('ignores a wireless mouse battery (scope Device) and mains', async () => {
    const report = await probeWith('sys-mouse', {
      'class/power_supply/AC0/type': 'Mains\n',
      'class/power_supply/hid-00:1f:20:aa:bb:cc-battery/type': 'Battery\n',
      'class/power_supply/hid-00:1f:20:aa:bb:cc-battery/scope': 'Device\n',
    });
    expect(report.hasBattery).toBe(false);
  });
});

describe('toRegistration and formatHardwareReport', () => {
  const report: HardwareReport = {
    cpuModel: 'AMD EPYC 7763 64-Core Processor',
    cpuThreads: 128,
    ramBytes: 512 * 1024 ** 3,
    hasBattery: false,
    nodeType: 'server',
    gpus: [{ index: 0, name: 'NVIDIA L4', memoryMiB: 23034, uuid: 'GPU-1234' }],
    ffmpegVersion: '6.1.1',
    ffmpegEncodersListed: ['libx264', 'h264_nvenc'],
    encoders: ['libx264', 'h264_nvenc'],
    hardwareEncoderTests: [{ encoder: 'h264_nvenc', ok: true }],
    hostname: 'encode-07',
    problems: ['example problem'],
  };
  const extra = {
    address: '10.0.0.7',
    maxConcurrentJobs: 4,
    nodeKey: '6f1c1d2e-0b8a-4a43-9a53-2b8f6f0c9d11',
    agentVersion: '0.1.0',
    powerSources: ['rapl' as const, 'nvidia' as const],
  };

  it('builds a registration body the contract accepts', () => {
    const body = toRegistration(report, extra);
    expect(body).toMatchObject({
      address: '10.0.0.7',
      type: 'server',
      has_gpu: true,
      gpu_type: 'NVIDIA L4',
      cpu_threads: 128,
      ram_bytes: 512 * 1024 ** 3,
      encoders: ['libx264', 'h264_nvenc'],
      power_sources: ['rapl', 'nvidia'],
      max_concurrent_jobs: 4,
      node_key: extra.nodeKey,
      ffmpeg_version: '6.1.1',
      labels: {},
    });
    expect(Value.Check(NodeRegistrationBody, body)).toBe(true);
  });

  it('says no GPU when there is none', () => {
    const body = toRegistration({ ...report, gpus: [] }, { ...extra, labels: { rack: 'r1' } });
    expect(body).toMatchObject({ has_gpu: false, gpu_type: null, labels: { rack: 'r1' } });
  });

  it('prints a readable summary', () => {
    const text = formatHardwareReport(report);
    expect(text).toContain('CPU:      AMD EPYC 7763 64-Core Processor');
    expect(text).toContain('RAM:      512.0 GiB');
    expect(text).toContain('GPU 0: NVIDIA L4, 23034 MiB (GPU-1234)');
    expect(text).toContain('Encoders: libx264, h264_nvenc');
    expect(text).toContain('  - example problem');
  });
});

describe('probeHardware on this machine (real ffmpeg)', () => {
  it('finds ffmpeg, libx264, and reports missing nvidia-smi as a problem, not a crash', async () => {
    expect(existsSync('/usr/bin/ffmpeg'), 'install ffmpeg: apt-get install ffmpeg').toBe(true);
    const report = await probeHardware({ ffmpegPath: '/usr/bin/ffmpeg' });
    expect(report.ffmpegVersion).not.toBeNull();
    expect(report.encoders).toContain('libx264');
    if (report.gpus.length === 0) {
      expect(report.problems.some((p) => p.startsWith('nvidia-smi '))).toBe(true);
    }
    console.log(formatHardwareReport(report));
  });
});
