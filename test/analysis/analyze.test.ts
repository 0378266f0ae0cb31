import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, spawnMaster, tempDir } from '../helpers.js';

// `ffrtmp test` (real FFmpeg, embedded master and agent) writes a results file; `ffrtmp analyze`
// and `ffrtmp advise` read it. The values are recomputed here from the results file itself, so a
// wrong formula, a wrong baseline or a double-counted stream fails.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-analyze-');
const out = join(dir.path, 'results');
let results: any;
let resultsFile = '';
let runId = '';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  const batch = join(dir.path, 'batch.json');
  writeFileSync(
    batch,
    JSON.stringify({
      scenarios: [
        { type: 'baseline', name: 'Idle baseline', duration: 3 },
        { type: 'single', name: 'one', bitrate: '800k', resolution: '426x240', fps: 15, duration: 3 },
        {
          type: 'multi',
          name: '2 streams mixed',
          count: 2,
          bitrates: ['300k', '600k'],
          resolution: '320x240',
          fps: 15,
          duration: 3,
        },
      ],
    }),
  );
  const { stdout } = await run(
    process.execPath,
    [
      CLI,
      'test',
      'batch',
      '--file',
      batch,
      '--stabilization',
      '0',
      '--cooldown',
      '0',
      '--preset',
      'ultrafast',
      '--output-dir',
      out,
      '--data-dir',
      join(dir.path, 'data'),
    ],
    { timeout: 150_000 },
  );
  const name = readdirSync(out).find((f) => /^test_results_\d{8}_\d{6}\.json$/.test(f));
  if (!name) throw new Error(`ffrtmp test wrote no results file in ${out}`);
  resultsFile = join(out, name);
  runId = /^run: (\S+)/m.exec(stdout)?.[1] ?? '';
  results = JSON.parse(readFileSync(resultsFile, 'utf8'));
}, 180_000);

afterAll(() => dir.cleanup());

const windowSec = (s: any) => (Date.parse(s.end_time) - Date.parse(s.start_time)) / 1000;

describe('ffrtmp analyze on a results file from ffrtmp test', () => {
  it('json: net values, scores, pixels, ladder and cost recomputed from the results file', async () => {
    // No file named: the newest in --results-dir.
    const { code, stdout } = await cli([
      'analyze',
      '--results-dir',
      out,
      '--format',
      'json',
      '--region',
      'eu-central-1',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.sources).toEqual([resultsFile]);
    const [rb, r1, r2] = results.scenarios;
    const [base, one, multi] = report.scenarios;
    expect(report.baseline).toBe('Idle baseline');
    expect(base.net).toEqual({ power_w: 0, energy_wh: 0 });

    expect(one.power.mean_watts).toBe(r1.power.mean_watts);
    expect(one.net.power_w).toBeCloseTo(r1.power.mean_watts - rb.power.mean_watts, 9);
    expect(one.net.energy_wh).toBeCloseTo(r1.power.total_energy_wh - rb.power.total_energy_wh, 9);

    // 0.8 Mbps × 1 stream / W; the mixed multi's 0.3 + 0.6 Mbps counted once, not × 2 streams.
    expect(one.efficiency_algorithm).toBe('throughput_per_watt');
    expect(one.efficiency_score).toBeCloseTo(0.8 / r1.power.mean_watts, 9);
    expect(multi.efficiency_score).toBeCloseTo(0.9 / r2.power.mean_watts, 9);
    expect(multi.streams).toBe(2);
    expect(base.efficiency_score).toBeNull();
    expect(base.efficiency_rank).toBeNull();
    const better = one.efficiency_score > multi.efficiency_score ? 'one' : '2 streams mixed';
    expect(report.ranking[0].name).toBe(better);
    expect(report.recommendation.name).toBe(better);

    // Pixels: 426·240·15·3 for the single; both streams of the multi, 2 · 320·240·15·3.
    expect(one.total_pixels).toBe(426 * 240 * 15 * 3);
    expect(multi.total_pixels).toBe(2 * 320 * 240 * 15 * 3);
    expect(one.output_ladder).toBe('426x240@15');
    expect(multi.output_ladder).toBe('320x240@15');
    expect(one.joules_per_frame).toBeCloseTo(r1.energy.total_joules / r1.metrics.frames_encoded, 9);

    // eu-central-1: 0.28 $/kWh, 380 g/kWh, over the scenario's own window.
    const kwh = (r1.power.mean_watts / 1000) * (windowSec(r1) / 3600);
    expect(report.pricing).toMatchObject({ region: 'eu-central-1', electricity_per_kwh: 0.28 });
    expect(one.cost.energy_cost).toBeCloseTo(kwh * 0.28, 12);
    expect(one.cost.co2_kg).toBeCloseTo((kwh * 380) / 1000, 12);
    expect(one.cost.monthly_energy_cost).toBeCloseTo((r1.power.mean_watts / 1000) * 720 * 0.28, 9);
  });

  it('csv: the reference columns first, one row per scenario, values as in json', async () => {
    const csvFile = join(dir.path, 'a.csv');
    const { code, stdout } = await cli(['analyze', resultsFile, '--format', 'csv', '--output', csvFile]);
    expect(code).toBe(0);
    expect(stdout).toContain(csvFile);
    const lines = readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 20)).toEqual([
      'name',
      'bitrate',
      'resolution',
      'fps',
      'duration',
      'mean_power_w',
      'median_power_w',
      'total_energy_wh',
      'predicted_mean_power_w',
      'net_power_w',
      'net_energy_wh',
      'net_container_cpu_pct',
      'docker_overhead_w',
      'docker_overhead_pct',
      'container_cpu_pct',
      'container_power_w',
      'efficiency_score',
      'efficiency_rank',
      'output_ladder',
      'total_pixels',
    ]);
    // The mixed bitrate holds a comma, so it is quoted.
    expect(lines[3]).toMatch(/^2 streams mixed,"300k,600k",320x240,15,/);
    const one = lines[2]!.split(',');
    const r1 = results.scenarios[1];
    expect(Number(one[header.indexOf('mean_power_w')])).toBe(r1.power.mean_watts);
    expect(Number(one[header.indexOf('efficiency_score')])).toBeCloseTo(0.8 / r1.power.mean_watts, 9);
    expect(Number(one[header.indexOf('total_pixels')])).toBe(426 * 240 * 15 * 3);
    expect(lines[1]).toMatch(/^Idle baseline,0k,,,/);
  });

  it('table: per-scenario blocks, comparison, ranking and the recommendation line', async () => {
    const { code, stdout } = await cli(['analyze', resultsFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Scenario: one \[completed\]/m);
    expect(stdout).toMatch(/^COMPARISON/m);
    expect(stdout).toMatch(/^RANKING \(auto\)/m);
    expect(stdout).toMatch(/^RECOMMENDATION: Most energy-efficient: /m);
    expect(stdout).toMatch(/Net vs baseline: \+0\.00 W, \+0\.0000 Wh/);
  });

  it("--compare A,B: head to head in the same unit, from the scenarios' own scores", async () => {
    const { code, stdout } = await cli([
      'analyze',
      resultsFile,
      '--format',
      'json',
      '--compare',
      'one,2 streams mixed',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const [, one, multi] = report.scenarios;
    expect(report.comparison).toMatchObject({ a: 'one', b: '2 streams mixed', efficiency_unit: 'Mbps/W' });
    expect(report.comparison.difference).toBeCloseTo(one.efficiency_score - multi.efficiency_score, 12);
    expect(report.comparison.winner).toBe(one.efficiency_score > multi.efficiency_score ? 'a' : 'b');
    const bad = await cli(['analyze', resultsFile, '--compare', 'one,nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--compare: no scenario named 'nope'/);
  });

  it('advise: least energy per output-hour meeting --min-fps, saving against --current', async () => {
    const { code, stdout } = await cli(['analyze', resultsFile, '--format', 'json']);
    expect(code).toBe(0);
    const [, one, multi] = JSON.parse(stdout).scenarios;
    const perHour = (s: any) => (s.power.mean_watts * 3600) / s.streams;
    const best = perHour(one) <= perHour(multi) ? one : multi;
    const other = best === one ? multi : one;

    const advised = await cli(['advise', resultsFile, '--min-fps', '1', '--current', other.name, '--json']);
    expect(advised.code).toBe(0);
    const a = JSON.parse(advised.stdout);
    expect(a.best.name).toBe(best.name);
    expect(a.saving.joules_per_output_hour).toBeCloseTo(perHour(other) - perHour(best), 6);
    expect(a.saving.cost_per_output_hour).toBeCloseTo(((perHour(other) - perHour(best)) / 3.6e6) * 0.12, 12);

    const none = await cli(['advise', resultsFile, '--min-vmaf', '90']);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no measured configuration meets the targets/);
    expect(none.stdout).toMatch(/one: no VMAF measured/);
  });

  it('--predict-future: the least-squares line of mean W on streams (0, 1, 2) at 1, 2, 4 streams', async () => {
    const { code, stdout } = await cli([
      'analyze',
      resultsFile,
      '--format',
      'json',
      '--predict-future',
      '1,2,4',
    ]);
    expect(code).toBe(0);
    const { predictions } = JSON.parse(stdout);
    const pts = results.scenarios.map((s: any) => [s.streams, s.power.mean_watts] as const);
    const mx = pts.reduce((a: number, p: readonly number[]) => a + p[0]!, 0) / pts.length;
    const my = pts.reduce((a: number, p: readonly number[]) => a + p[1]!, 0) / pts.length;
    const b =
      pts.reduce((a: number, p: readonly number[]) => a + (p[0]! - mx) * (p[1]! - my), 0) /
      pts.reduce((a: number, p: readonly number[]) => a + (p[0]! - mx) ** 2, 0);
    const at = (n: number) => Math.max(0, my + b * (n - mx));
    expect(predictions.power.model).toMatchObject({
      degree: 1,
      training_size: 3,
      distinct_streams: [0, 1, 2],
    });
    expect(predictions.power.predictions.map((p: any) => p.streams)).toEqual([1, 2, 4]);
    for (const p of predictions.power.predictions) expect(p.mean_watts.value).toBeCloseTo(at(p.streams), 6);

    const table = await cli(['analyze', resultsFile, '--predict-future', '3', '--multivariate']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^POWER SCALABILITY PREDICTIONS/m);
    // Two usable encodes are too few for the multivariate model: said, not failed.
    expect(table.stdout).toMatch(/^MULTIVARIATE PREDICTIONS\nnot available: .*4 or more completed encodes/m);
  });

  it('html: one self-contained page with the scenarios and their data inline', async () => {
    const file = join(dir.path, 'report.html');
    const { code } = await cli(['analyze', resultsFile, '--format', 'html', '--output', file]);
    expect(code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    for (const name of ['Idle baseline', 'one', '2 streams mixed']) expect(html).toContain(name);
    expect(html).toContain('Most energy-efficient');
  });

  it('--run ID --master URL: the same analysis from the master that ran it', async () => {
    expect(runId).not.toBe('');
    // The embedded master of `ffrtmp test` kept its SQLite store; a master on it serves the run.
    const master = await spawnMaster(['--db', join(dir.path, 'data', 'ffrtmp.db')]);
    try {
      const fromRun = await cli(['analyze', '--run', runId, '--master', master.url, '--format', 'json']);
      expect(fromRun.code).toBe(0);
      const fromFile = await cli(['analyze', resultsFile, '--format', 'json']);
      const a = JSON.parse(fromRun.stdout);
      const b = JSON.parse(fromFile.stdout);
      expect(a.sources).toEqual([`${master.url.replace(/\/$/, '')}/runs/${runId}`]);
      expect(a.scenarios.map((s: any) => [s.name, s.power.mean_watts, s.efficiency_rank])).toEqual(
        b.scenarios.map((s: any) => [s.name, s.power.mean_watts, s.efficiency_rank]),
      );
      const missing = await cli(['analyze', '--run', 'no-such-run', '--master', master.url]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/run/i);
    } finally {
      await master.stop();
    }
  });

  it('user mistakes exit 2 with one clear line', async () => {
    const algo = await cli(['analyze', resultsFile, '--algorithm', 'fastest']);
    expect(algo.code).toBe(2);
    expect(algo.stderr).toMatch(/--algorithm: expected one of auto, throughput_per_watt/);
    const region = await cli(['analyze', resultsFile, '--region', 'mars-1']);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(/unknown pricing region 'mars-1'/);
    const empty = await cli(['analyze', '--results-dir', join(dir.path, 'nothing-here')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no test_results_\*\.json in .*nothing-here/);
    const counts = await cli(['analyze', resultsFile, '--predict-future', '1,two']);
    expect(counts.code).toBe(2);
    expect(counts.stderr).toMatch(/--predict-future: expected stream counts like 1,2,4.*"two"/);
  });
});
