import { defineOptions } from '../core/config.js';

/** What the agent and `ffrtmp doctor` probe and measure with. */
export const probeOptions = defineOptions({
  ffmpeg: {
    flag: 'ffmpeg',
    type: 'string',
    default: 'ffmpeg',
    env: 'FFRTMP_FFMPEG',
    description: 'FFmpeg command',
  },
  nvidiaSmi: {
    flag: 'nvidia-smi',
    type: 'string',
    default: 'nvidia-smi',
    env: 'FFRTMP_NVIDIA_SMI',
    description: 'nvidia-smi command',
  },
  powercapRoot: {
    flag: 'powercap-root',
    type: 'string',
    default: '/sys/class/powercap',
    env: 'FFRTMP_POWERCAP_ROOT',
    description: 'Where RAPL counters live (a fake tree in tests)',
  },
  estimator: {
    flag: 'estimator',
    type: 'string',
    env: 'FFRTMP_ESTIMATOR',
    description:
      'Power model where no counter exists: tdp:WATTS (Teads curve) or linear:IDLE:MAX (default: tdp from the thread count)',
  },
});
