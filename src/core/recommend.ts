/**
 * The reference's hardware-aware test recommendation (its scripts/recommend_test.py), as a pure
 * function of what the probe found:
 * - encoder: an NVIDIA GPU → h264_nvenc, preset medium; else h264 (libx264), `fast` from 8
 *   threads, `veryfast` below;
 * - size, rate and bitrate by CPU threads: ≥ 16 → 3840x2160@60 20000k; 13–15 → 3840x2160@30
 *   15000k; 8–12 → 2560x1440@60 12000k with a GPU, 1920x1080@60 8000k without; 4–7 →
 *   1920x1080@30 5000k; below 4 → 1280x720@30 3000k;
 * - duration by node type: laptop 120 s (thermal limits), desktop 180 s, server 300 s.
 */
import type { NodeType } from './node.js';

export interface HardwareProfile {
  cpuThreads: number;
  /** At least one NVIDIA GPU (nvidia-smi listed it). */
  hasNvidiaGpu: boolean;
  nodeType: NodeType;
}

export interface TestRecommendation {
  name: string;
  encoder: string;
  preset: string;
  bitrate: string;
  resolution: string;
  fps: number;
  /** Seconds. */
  duration: number;
  /** Why, one line per decision, in the order they were made. */
  reasons: string[];
  /** `ffrtmp test single …` arguments (after `ffrtmp`). */
  argv: string[];
  /** The same as one line to paste. */
  command: string;
}

interface Tier {
  resolution: string;
  fps: number;
  bitrate: string;
  reason: string;
}

function tierOf(threads: number, gpu: boolean): Tier {
  if (threads >= 16)
    return {
      resolution: '3840x2160',
      fps: 60,
      bitrate: '20000k',
      reason: `very high thread count (${threads}) → 4K@60fps for maximum stress`,
    };
  if (threads > 12)
    return {
      resolution: '3840x2160',
      fps: 30,
      bitrate: '15000k',
      reason: `high thread count (${threads}) → 4K@30fps`,
    };
  if (threads >= 8)
    return gpu
      ? {
          resolution: '2560x1440',
          fps: 60,
          bitrate: '12000k',
          reason: `mid-range CPU (${threads} threads) with a GPU → 1440p@60fps`,
        }
      : {
          resolution: '1920x1080',
          fps: 60,
          bitrate: '8000k',
          reason: `mid-range CPU (${threads} threads) → 1080p@60fps`,
        };
  if (threads >= 4)
    return {
      resolution: '1920x1080',
      fps: 30,
      bitrate: '5000k',
      reason: `lower thread count (${threads}) → 1080p@30fps`,
    };
  return {
    resolution: '1280x720',
    fps: 30,
    bitrate: '3000k',
    reason: `limited threads (${threads}) → 720p@30fps for stability`,
  };
}

const DURATION: Record<NodeType, { seconds: number; reason: string }> = {
  laptop: { seconds: 120, reason: 'laptop → 120 s, shorter to limit thermal throttling' },
  desktop: { seconds: 180, reason: 'desktop → standard 180 s' },
  server: { seconds: 300, reason: 'server → 300 s for a thorough measurement' },
};

/** The test to run on this hardware, why, and the command that runs it. */
export function recommendTest(hw: HardwareProfile): TestRecommendation {
  const threads = Math.max(1, Math.floor(hw.cpuThreads));
  const reasons: string[] = [];
  let encoder: string;
  let preset: string;
  if (hw.hasNvidiaGpu) {
    encoder = 'h264_nvenc';
    preset = 'medium';
    reasons.push('NVIDIA GPU detected → hardware encoder h264_nvenc, preset medium');
  } else if (threads >= 8) {
    encoder = 'h264';
    preset = 'fast';
    reasons.push(`no NVIDIA GPU, ${threads} CPU threads → libx264 (h264), preset fast`);
  } else {
    encoder = 'h264';
    preset = 'veryfast';
    reasons.push(
      `no NVIDIA GPU, ${threads} CPU threads → libx264 (h264), preset veryfast for a lighter load`,
    );
  }
  const tier = tierOf(threads, hw.hasNvidiaGpu);
  reasons.push(tier.reason);
  const duration = DURATION[hw.nodeType];
  reasons.push(duration.reason);
  reasons.push(`bitrate ${tier.bitrate} suits ${tier.resolution}@${tier.fps}fps`);
  const name = 'recommended_test';
  const argv = [
    'test',
    'single',
    '--name',
    name,
    '--encoder',
    encoder,
    '--preset',
    preset,
    '--bitrate',
    tier.bitrate,
    '--resolution',
    tier.resolution,
    '--fps',
    String(tier.fps),
    '--duration',
    String(duration.seconds),
  ];
  return {
    name,
    encoder,
    preset,
    bitrate: tier.bitrate,
    resolution: tier.resolution,
    fps: tier.fps,
    duration: duration.seconds,
    reasons,
    argv,
    command: `ffrtmp ${argv.join(' ')}`,
  };
}
