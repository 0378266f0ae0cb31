import { probeHardware } from '../../agent/probe.js';
import { defineOptions } from '../../core/config.js';
import {
  defaultEstimatorModel,
  estimatorLabel,
  estimatorUncertainty,
  parseEstimatorSpec,
} from '../../core/energy/index.js';
import { discoverRapl, readRaplCounters } from '../../power/rapl.js';
import { leaf } from '../command.js';
import { probeOptions } from '../probe-options.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** What this machine can measure and what is missing, each with the fix (DESIGN §6). */
export const doctorCommand = leaf({
  name: 'doctor',
  summary: 'What this machine can run and measure (FFmpeg, RAPL, NVIDIA, estimator), with fixes',
  usage:
    'ffrtmp doctor [--ffmpeg ffmpeg] [--nvidia-smi nvidia-smi] [--powercap-root /sys/class/powercap] [--json]',
  options: defineOptions({
    ...probeOptions,
    json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON' },
  }),
  async run(o, _p, io) {
    const report = await probeHardware({ ffmpegPath: o.ffmpeg, nvidiaSmi: o.nvidiaSmi });
    const checks: Check[] = [];
    checks.push(
      report.ffmpegVersion
        ? {
            name: 'ffmpeg',
            ok: true,
            detail: `FFmpeg ${report.ffmpegVersion}; encoders: ${report.encoders.join(', ') || 'none'}`,
          }
        : {
            name: 'ffmpeg',
            ok: false,
            detail: `"${o.ffmpeg}" not found or not working`,
            fix: 'apt-get install ffmpeg (or pass --ffmpeg PATH)',
          },
    );
    for (const t of report.hardwareEncoderTests.filter((t) => !t.ok)) {
      checks.push({
        name: `encoder ${t.encoder}`,
        ok: false,
        detail: `listed by FFmpeg but a one-frame test encode failed: ${t.error ?? 'unknown error'}`,
        fix: t.encoder.includes('nvenc')
          ? 'needs an NVIDIA GPU and driver (libcuda); not offered to jobs on this node'
          : t.encoder.includes('qsv')
            ? 'needs an Intel GPU with the oneVPL/Media SDK runtime; not offered to jobs on this node'
            : 'needs a VA-API device (/dev/dri/renderD128) and driver; not offered to jobs on this node',
      });
    }
    const rapl = discoverRapl(o.powercapRoot);
    const counters = readRaplCounters(rapl.zones);
    const packages = rapl.zones.filter((z) => z.kind === 'package');
    if (packages.length > 0) {
      checks.push({
        name: 'rapl',
        ok: true,
        detail: `zones: ${rapl.zones.map((z) => `${z.label}${typeof counters.get(z.id) === 'number' ? '' : ' (unreadable)'}`).join(', ')}`,
      });
    }
    for (const p of rapl.problems)
      checks.push({ name: p.zone ? `rapl ${p.zone}` : 'rapl', ok: false, detail: p.message, fix: p.fix });
    checks.push(
      report.gpus.length > 0
        ? { name: 'nvidia', ok: true, detail: report.gpus.map((g) => `GPU ${g.index}: ${g.name}`).join('; ') }
        : {
            name: 'nvidia',
            ok: false,
            detail: 'no NVIDIA GPU (nvidia-smi absent or found none): GPU power is not measured',
            fix: 'normal without an NVIDIA GPU; otherwise install the NVIDIA driver (it ships nvidia-smi)',
          },
    );
    const model = o.estimator ? parseEstimatorSpec(o.estimator) : defaultEstimatorModel(report.cpuThreads);
    const estimatorInUse = packages.length === 0;
    checks.push({
      name: 'estimator',
      ok: true,
      detail: estimatorInUse
        ? `IN USE for CPU package power (no RAPL): ${estimatorLabel(model)}, ±${Math.round(estimatorUncertainty(model) * 100)} %, from CPU utilisation` +
          (o.estimator ? '' : ` — a default guess for ${report.cpuThreads} threads`)
        : `standby (${estimatorLabel(model)}): RAPL counters are used`,
      ...(estimatorInUse && !o.estimator
        ? {
            fix: "set the CPU's real TDP (--estimator tdp:65) or measured idle/max watts (--estimator linear:20:95) for a better estimate",
          }
        : {}),
    });
    if (o.json) {
      io.out(
        JSON.stringify({ checks, package_source: estimatorInUse ? estimatorLabel(model) : 'rapl' }, null, 2),
      );
    } else {
      for (const c of checks) {
        io.out(`${c.ok ? 'ok  ' : 'MISS'} ${c.name.padEnd(18)} ${c.detail}`);
        if (c.fix) io.out(`     ${''.padEnd(18)} fix: ${c.fix}`);
      }
      io.out(
        `\nCPU package energy on this machine: ${estimatorInUse ? `ESTIMATED (${estimatorLabel(model)}); results say so` : 'measured by RAPL'}.`,
      );
    }
    return report.ffmpegVersion ? 0 : 1;
  },
});
