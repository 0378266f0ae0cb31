import { probeHardware } from '../../agent/probe.js';
import { defineOptions } from '../../core/config.js';
import { recommendTest } from '../../core/recommend.js';
import { leaf } from '../command.js';

const GiB = 1024 ** 3;

/** The reference's hardware-aware recommendation: detect this machine, print the test to run and why. */
export const recommendCommand = leaf({
  name: 'recommend',
  summary: 'The benchmark to run on this machine, and why (from CPU threads, GPU and node type)',
  usage: 'ffrtmp recommend [--nvidia-smi nvidia-smi] [--json]',
  options: defineOptions({
    nvidiaSmi: {
      flag: 'nvidia-smi',
      type: 'string',
      default: 'nvidia-smi',
      env: 'FFRTMP_NVIDIA_SMI',
      description: 'nvidia-smi command',
    },
    json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON' },
  }),
  async run(o, _p, io) {
    const report = await probeHardware({ nvidiaSmi: o.nvidiaSmi, testHardwareEncoders: false });
    const hardware = {
      cpu_model: report.cpuModel,
      cpu_threads: report.cpuThreads,
      ram_bytes: report.ramBytes,
      gpus: report.gpus.map((g) => g.name),
      node_type: report.nodeType,
    };
    const r = recommendTest({
      cpuThreads: report.cpuThreads,
      hasNvidiaGpu: report.gpus.length > 0,
      nodeType: report.nodeType,
    });
    if (o.json) {
      io.out(JSON.stringify({ hardware, recommendation: r }, null, 2));
      return 0;
    }
    io.out(`CPU:     ${report.cpuModel} (${report.cpuThreads} threads)`);
    io.out(`RAM:     ${(report.ramBytes / GiB).toFixed(1)} GiB`);
    io.out(
      `GPU:     ${report.gpus.length > 0 ? report.gpus.map((g) => g.name).join(', ') : 'no NVIDIA GPU'}`,
    );
    io.out(`Type:    ${report.nodeType}${report.hasBattery ? ' (battery found)' : ''}`);
    io.out('');
    io.out('Why:');
    r.reasons.forEach((reason, i) => {
      io.out(`  ${i + 1}. ${reason}`);
    });
    io.out('');
    io.out('Run:');
    io.out(`  ${r.command}`);
    return 0;
  },
});
