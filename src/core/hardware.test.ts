import { describe, expect, it } from 'vitest';
import {
  hardwareEncodersToTest,
  parseCpuModel,
  parseFfmpegEncoders,
  parseFfmpegVersion,
  parseNvidiaGpuList,
  toTestEncodeArgs,
  usableEncoders,
} from './hardware.js';

// Trimmed from Debian 12's `ffmpeg -hide_banner -encoders` (FFmpeg 5.1).
const ENCODERS_OUTPUT = `Encoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ..S... = Slice-level multithreading
 ...X.. = Codec is experimental
 ....B. = Supports draw_horiz_band
 .....D = Supports direct rendering method 1
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V..... h264_qsv             H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (Intel Quick Sync Video acceleration) (codec h264)
 V....D libx265              libx265 H.265 / HEVC (codec hevc)
 V....D libvpx-vp9           libvpx VP9 (codec vp9)
 VFS... mpeg4                MPEG-4 part 2
 A....D aac                  AAC (Advanced Audio Coding)
 A....D libopus              libopus Opus (codec opus)
 S..... srt                  SubRip subtitle
`;

describe('parseFfmpegEncoders', () => {
  it('lists video encoders after the rule, not the legend, audio or subtitles', () => {
    expect(parseFfmpegEncoders(ENCODERS_OUTPUT)).toEqual([
      'libx264',
      'h264_nvenc',
      'h264_qsv',
      'libx265',
      'libvpx-vp9',
      'mpeg4',
    ]);
  });

  it('returns [] for output without the rule (e.g. an error message)', () => {
    expect(parseFfmpegEncoders('Unrecognized option encoders\n')).toEqual([]);
    expect(parseFfmpegEncoders('')).toEqual([]);
  });

  it('accepts CRLF line ends', () => {
    expect(parseFfmpegEncoders(' ------\r\n V....D libx264  libx264 H.264\r\n')).toEqual(['libx264']);
  });
});

describe('parseFfmpegVersion', () => {
  it('takes the version word of the first line', () => {
    const out =
      'ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\nbuilt with gcc 12\n';
    expect(parseFfmpegVersion(out)).toBe('5.1.6-0+deb12u1');
  });

  it('reads git builds too', () => {
    expect(parseFfmpegVersion('ffmpeg version N-113012-g1c2f2a8 Copyright (c) 2000-2024')).toBe(
      'N-113012-g1c2f2a8',
    );
  });

  it('is null for something that is not ffmpeg', () => {
    expect(parseFfmpegVersion('avconv version 12\n')).toBeNull();
    expect(parseFfmpegVersion('')).toBeNull();
  });
});

describe('parseNvidiaGpuList', () => {
  it('parses two GPUs with trailing spaces and [N/A] memory', () => {
    const csv =
      '0, NVIDIA H100 80GB HBM3, 81559, GPU-1a2b3c4d-0000-1111-2222-333344445555 \n' +
      '1, NVIDIA GeForce RTX 4090 , [N/A] , GPU-99999999-8888-7777-6666-555544443333\n';
    expect(parseNvidiaGpuList(csv)).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        memoryMiB: 81559,
        uuid: 'GPU-1a2b3c4d-0000-1111-2222-333344445555',
      },
      {
        index: 1,
        name: 'NVIDIA GeForce RTX 4090',
        memoryMiB: null,
        uuid: 'GPU-99999999-8888-7777-6666-555544443333',
      },
    ]);
  });

  it('returns [] for empty output and for messages that are not GPU rows', () => {
    expect(parseNvidiaGpuList('')).toEqual([]);
    expect(parseNvidiaGpuList('\n\n')).toEqual([]);
    expect(parseNvidiaGpuList('No devices were found\n')).toEqual([]);
  });

  it('keeps a name that contains a comma whole', () => {
    expect(parseNvidiaGpuList('2, Tesla K80, rev B, 11441, GPU-abc')).toEqual([
      { index: 2, name: 'Tesla K80, rev B', memoryMiB: 11441, uuid: 'GPU-abc' },
    ]);
  });
});

describe('parseCpuModel', () => {
  it('reads the x86 `model name`', () => {
    const cpuinfo =
      'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n' +
      'processor\t: 1\nmodel name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n';
    expect(parseCpuModel(cpuinfo)).toBe('Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz');
  });

  it('falls back to the ARM `Hardware` field', () => {
    const cpuinfo =
      'processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\n\nHardware\t: BCM2835\nRevision\t: c03111\n';
    expect(parseCpuModel(cpuinfo)).toBe('BCM2835');
  });

  it('falls back to `cpu model` (MIPS)', () => {
    expect(parseCpuModel('system type\t\t: MT7621\ncpu model\t\t: MIPS 1004Kc V2.15\n')).toBe(
      'MIPS 1004Kc V2.15',
    );
  });

  it('is null when no field names the CPU (e.g. aarch64 without Hardware)', () => {
    expect(parseCpuModel('processor\t: 0\nBogoMIPS\t: 50.00\nmodel name\t:\n')).toBeNull();
    expect(parseCpuModel('')).toBeNull();
  });
});

describe('usableEncoders', () => {
  const listed = ['libx264', 'libx265', 'h264_nvenc', 'hevc_nvenc', 'h264_qsv', 'h264_vaapi', 'mpeg4'];

  it('keeps software encoders and only the hardware encoders whose test passed', () => {
    expect(usableEncoders(listed, new Set(['hevc_nvenc']))).toEqual(['libx264', 'libx265', 'hevc_nvenc']);
  });

  it('drops every hardware encoder when none passed, and anything ffrtmp cannot drive', () => {
    expect(usableEncoders(listed, new Set())).toEqual(['libx264', 'libx265']);
  });

  it('ignores a passed test for an encoder ffmpeg does not list', () => {
    expect(usableEncoders(['libx264'], new Set(['h264_nvenc']))).toEqual(['libx264']);
  });
});

describe('hardwareEncodersToTest', () => {
  it('picks the listed NVENC/QSV/VAAPI encoders that ffrtmp drives', () => {
    expect(hardwareEncodersToTest(['libx264', 'h264_nvenc', 'h264_vaapi', 'vp9_qsv', 'mjpeg_vaapi'])).toEqual(
      ['h264_nvenc', 'h264_vaapi'],
    );
  });
});

describe('toTestEncodeArgs', () => {
  it('encodes one black frame to the null muxer', () => {
    expect(toTestEncodeArgs('h264_nvenc').join(' ')).toBe(
      '-hide_banner -loglevel error -f lavfi -i color=black:s=256x144:r=1 -frames:v 1 -c:v h264_nvenc -f null -',
    );
  });

  it('opens the render node and uploads frames for VAAPI', () => {
    expect(toTestEncodeArgs('hevc_vaapi').join(' ')).toBe(
      '-hide_banner -loglevel error -f lavfi -i color=black:s=256x144:r=1 -frames:v 1 ' +
        '-vaapi_device /dev/dri/renderD128 -vf format=nv12,hwupload -c:v hevc_vaapi -f null -',
    );
  });
});
