import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModels, saveModels, trainModels } from '../../src/analysis/models.js';
import { predictPower } from '../../src/core/analysis/power-model.js';
import { toHardwareId } from '../../src/core/hardware-id.js';
import { parsePrometheusText } from '../../src/core/prometheus-text.js';
import { recordOf } from '../analysis/model-fixtures.js';
import { CLI, type SpawnedMaster, http, spawnMaster, tempDir } from '../helpers.js';

// The built `ffrtmp master` with --pricing, --region (here from FFRTMP_REGION), --results-metrics-limit
// and --models-dir: a real process reading a real pricing file and models saved by `saveModels`.

const run = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function temp(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.path;
}

const CPU = 'Flag Test CPU';
const HW = toHardwareId(CPU, 'linux');

function pricingFile(dir: string): string {
  const path = join(dir, 'pricing.json');
  writeFileSync(
    path,
    JSON.stringify({
      currency: 'EUR',
      default: { electricity_per_kwh: 0.1, co2_g_per_kwh: 300 },
      regions: { lab: { electricity_per_kwh: 0.5, co2_g_per_kwh: 50 } },
    }),
  );
  return path;
}

async function modelsDir(dir: string): Promise<string> {
  let i = 0;
  const records = [recordOf('baseline', 0, 0, 'fast', i++)];
  for (const count of [1, 2, 4]) records.push(recordOf('multi', count, 2500, 'fast', i++));
  const models = join(dir, 'models');
  await saveModels(
    models,
    trainModels(records, { hardwareId: HW, platform: 'linux', now: 0, iterations: 20 }),
  );
  return models;
}

describe('ffrtmp master analysis flags', () => {
  it('prices metrics in the region asked for, bounds them, and predicts with the models folder', async () => {
    const dir = temp();
    const models = await modelsDir(dir);
    const m: SpawnedMaster = await spawnMaster(
      [
        '--db',
        join(dir, 'm.db'),
        '--pricing',
        pricingFile(dir),
        '--results-metrics-limit',
        '1',
        '--models-dir',
        models,
      ],
      { FFRTMP_REGION: 'lab' },
    );
    cleanups.push(() => m.kill());
    expect(m.output()).toMatch(/pricing lab; 1 hardware id\(s\) with models/);
    const node = (
      await http(m.url, 'POST', '/nodes/register', {
        address: 'w',
        cpu_threads: 4,
        cpu_model: CPU,
        ram_bytes: 1,
      })
    ).json;
    for (const [scenario, watts] of [
      ['first', 40],
      ['second', 60],
    ] as const) {
      const submitted = await http(m.url, 'POST', '/jobs', {
        scenario,
        parameters: { duration: 10, bitrate: '2500k', streams: 2 },
      });
      expect(submitted.status).toBe(201);
      const job = (await http(m.url, 'GET', `/jobs/next?node_id=${node.id}`)).json.job;
      expect((await http(m.url, 'GET', `/jobs/${job.id}`)).json.predicted).toMatchObject({
        model: 'power_vs_streams',
        hardware_id: HW,
      });
      const ack = await http(m.url, 'POST', '/results', {
        job_id: job.id,
        node_id: node.id,
        status: 'completed',
        metrics: {},
        power: { mean_watts: watts, total_energy_joules: watts * 10 },
        analyzer_output: { started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:10.000Z' },
      });
      expect(ack.status).toBe(200);
    }
    const res = await fetch(`${m.url}/metrics`);
    const { samples, errors } = parsePrometheusText(await res.text());
    expect(errors).toEqual([]);
    const of = (name: string) => samples.filter((s) => s.name === name);
    // --results-metrics-limit 1: only the latest scenario.
    expect(of('results_scenario_mean_power_watts').map((s) => [s.labels.scenario, s.value])).toEqual([
      ['second', 60],
    ]);
    // 60 W × 10 s = 600 J = 1.6667e-4 kWh × 0.5 EUR/kWh (region lab of the file) = 8.333e-5 EUR.
    const cost = of('cost_energy');
    expect(cost).toHaveLength(1);
    expect(cost[0]!.labels).toMatchObject({ region: 'lab', currency: 'EUR' });
    expect(cost[0]!.value).toBeCloseTo(8.3333e-5, 9);
    // The saved model, loaded back, at the scenario's 2 streams.
    const loaded = await loadModels(models, HW);
    expect(of('results_scenario_predicted_power_watts').map((s) => s.value)).toEqual([
      predictPower(loaded.power!, 2).value,
    ]);
  });

  it('refuses an unknown region or an unreadable pricing file with exit code 2 and one line', async () => {
    const dir = temp();
    const bad = await run(process.execPath, [
      CLI,
      'master',
      '--db',
      join(dir, 'a.db'),
      '--pricing',
      pricingFile(dir),
      '--region',
      'mars',
    ]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown pricing region 'mars': expected default or one of lab/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    const missing = await run(process.execPath, [
      CLI,
      'master',
      '--db',
      join(dir, 'b.db'),
      '--pricing',
      join(dir, 'nope.json'),
    ]).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--pricing: cannot read .*nope\.json/);
    const limit = await run(process.execPath, [CLI, 'master', '--results-metrics-limit', '0']).catch(
      (e) => e,
    );
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--results-metrics-limit: expected an integer from 1 to 10000/);
  });
});
