import { loadInput, loadPricing } from '../../analysis/load.js';
import { type AdviseCandidate, advise } from '../../core/analysis/advise.js';
import { analyzeRecords } from '../../core/analysis/report.js';
import { defineOptions } from '../../core/config.js';
import { formatTable } from '../client-options.js';
import { leaf } from '../command.js';
import { analysisInputOptions } from './analyze.js';

const fmt = (x: number, digits: number) => x.toFixed(digits);

export const adviseCommand = leaf({
  name: 'advise',
  summary: 'The configuration with the least energy that meets quality/fps targets, and what it saves',
  usage:
    'ffrtmp advise [results.json …] [--min-vmaf N] [--min-psnr N] [--min-fps N] [--current NAME] [--json]',
  description:
    'From measured results, picks the configuration with the least energy per hour of output (CPU + GPU watts × 3600 / streams) that meets every target given, and the saving against --current (or the median configuration) in J, $ and g CO2 per hour of output.',
  options: defineOptions({
    ...analysisInputOptions,
    minVmaf: { flag: 'min-vmaf', type: 'number', min: 0, max: 100, description: 'Least VMAF (0–100)' },
    minPsnr: { flag: 'min-psnr', type: 'number', min: 0, description: 'Least PSNR, dB' },
    minFps: { flag: 'min-fps', type: 'number', min: 0, description: 'Least encoding frames per second' },
    current: {
      flag: 'current',
      type: 'string',
      description: 'The scenario you use now (default: the median one)',
    },
    json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON' },
  }),
  async run(o, positionals, io) {
    const pricing = loadPricing(o.pricing, o.region);
    const { records } = await loadInput(o, positionals);
    const report = analyzeRecords(records);
    const candidates: AdviseCandidate[] = report.scenarios
      .filter((s) => s.status === 'completed' && s.streams > 0)
      .map((s) => ({
        name: s.name,
        watts: s.power ? s.power.mean_watts + (s.gpu_power?.mean_watts ?? 0) : null,
        streams: s.streams,
        vmaf: s.vmaf_score,
        psnr: s.psnr_score,
        fps: s.encoding_fps,
      }));
    const advice = advise(
      candidates,
      { minVmaf: o.minVmaf, minPsnr: o.minPsnr, minFps: o.minFps },
      { pricePerKwh: pricing.electricity_per_kwh, co2GramsPerKwh: pricing.co2_g_per_kwh },
      o.current,
    );
    if (o.json) {
      io.out(JSON.stringify({ region: pricing.region, currency: pricing.currency, ...advice }, null, 2));
      return advice.best ? 0 : 1;
    }
    if (!advice.best) {
      io.out('no measured configuration meets the targets:');
      for (const r of advice.rejected) io.out(`  ${r.name}: ${r.reasons.join(', ')}`);
      return 1;
    }
    io.out(
      formatTable(
        ['SCENARIO', 'J PER OUTPUT-HOUR', 'WH PER OUTPUT-HOUR'],
        advice.eligible.map((e) => [
          e.name,
          fmt(e.joules_per_output_hour, 0),
          fmt(e.joules_per_output_hour / 3600, 2),
        ]),
      ),
    );
    for (const r of advice.rejected) io.out(`left out ${r.name}: ${r.reasons.join(', ')}`);
    io.out(
      `\nBest: ${advice.best.name} (${fmt(advice.best.joules_per_output_hour / 3600, 2)} Wh per hour of output)`,
    );
    const s = advice.saving;
    if (s)
      io.out(
        `Saving against ${s.basis === 'current' ? s.against : 'the median configuration'} per hour of output: ${fmt(s.joules_per_output_hour, 0)} J, ${s.cost_per_output_hour.toExponential(3)} ${pricing.currency}, ${fmt(s.co2_g_per_output_hour, 3)} g CO2 (${fmt(s.percent, 1)} %; region ${pricing.region})`,
      );
    return 0;
  },
});
