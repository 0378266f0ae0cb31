import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../src/core/prometheus-text.js';
import type { ResultsMetricsOptions } from '../../src/master/results-metrics.js';
import { type TestMaster, openTestMaster } from '../helpers.js';

// The master's results family (results_*, cost_*, co2_*, qoe_*) over a real SQLite store, with
// worked numbers: a 10 s 720p H.264 encode at 50 W against a 30 W baseline of the same run.

let t: TestMaster | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  if (!t) throw new Error('no master');
  const res = await t.master.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body, json: () => res.json() };
}

const PRICING: ResultsMetricsOptions['pricing'] = {
  region: 'default',
  currency: 'USD',
  electricity_per_kwh: 0.12,
  co2_g_per_kwh: 400,
};

/** Submits, claims and completes one job with the given measured sections. */
async function finish(nodeId: string, job: object, result: Record<string, unknown>) {
  const submitted = await call('POST', '/jobs', job);
  expect(submitted.status).toBe(201);
  const next = (await call('GET', `/jobs/next?node_id=${nodeId}`)).json();
  expect(next.job.id).toBe(submitted.json().id);
  const stored = await call('POST', '/results', {
    job_id: next.job.id,
    node_id: nodeId,
    status: 'completed',
    ...result,
  });
  expect(stored.status).toBe(200);
}

const window = (seconds: number) => ({
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds * 1000).toISOString(),
});

async function scrape() {
  const res = await call('GET', '/metrics');
  expect(res.status).toBe(200);
  const e = parsePrometheusText(res.body);
  expect(e.errors).toEqual([]);
  return e.samples;
}

describe('master /metrics results family', () => {
  it('exposes each latest scenario once, with the analysis figures, delta vs the run baseline, cost and CO2', async () => {
    t = openTestMaster({ resultsMetrics: { pricing: PRICING } });
    const node = (
      await call('POST', '/nodes/register', {
        address: 'w1',
        type: 'server',
        cpu_threads: 16,
        cpu_model: 'Xeon',
        has_gpu: false,
        ram_bytes: 2 ** 34,
      })
    ).json().id as string;
    await finish(
      node,
      { scenario: 'baseline', run_id: 'run-1', parameters: { type: 'baseline', duration: 10 } },
      { metrics: {}, power: { mean_watts: 30, total_energy_joules: 300 }, analyzer_output: window(10) },
    );
    const encode = {
      scenario: '720p h264',
      run_id: 'run-1',
      parameters: {
        duration: 10,
        bitrate: '2000k',
        resolution: '1280x720',
        fps: 30,
        encoder: 'h264',
        preset: 'fast',
      },
    };
    // An older run of the same scenario, then the one that must be shown.
    await finish(node, { ...encode, run_id: 'run-0' }, { metrics: {}, power: { mean_watts: 99 } });
    await finish(node, encode, {
      metrics: { frames_encoded: 300 },
      power: { mean_watts: 50, total_energy_joules: 500 },
      energy: { total_joules: 500, complete: true, idle_baseline_watts: 28 },
      quality: { psnr: 41.5, ssim: 0.98 },
      analyzer_output: window(10),
    });

    const samples = await scrape();
    const of = (name: string) => samples.filter((s) => s.name === name);
    const one = (name: string, scenario = '720p h264') => {
      const list = of(name).filter((s) => s.labels.scenario === scenario);
      expect(list, name).toHaveLength(1); // each series once
      return list[0]!;
    };
    expect(one('results_scenario_mean_power_watts').labels).toEqual({
      run_id: 'run-1',
      scenario: '720p h264',
      bitrate: '2000k',
      resolution: '1280x720',
      fps: '30',
      streams: '1',
      encoder: 'h264',
      preset: 'fast',
    });
    expect(one('results_scenario_mean_power_watts').value).toBe(50);
    expect(one('results_scenario_total_energy_joules').value).toBe(500);
    // 500 J = 0.1389 Wh over 10 s = 1/6 min → 0.8333 Wh/min; 500 J / 300 frames = 1666.7 mJ/frame.
    expect(one('results_scenario_energy_wh_per_min').value).toBeCloseTo(0.8333, 4);
    expect(one('results_scenario_energy_mj_per_frame').value).toBeCloseTo(1666.667, 2);
    // throughput per watt: 2 Mbps × 1 stream / 50 W.
    expect(one('results_scenario_efficiency_score').value).toBeCloseTo(0.04, 6);
    expect(one('results_scenario_delta_power_watts').value).toBe(20); // 50 W − the run's 30 W baseline
    expect(one('results_scenario_delta_power_watts', 'baseline').value).toBe(0);
    expect(one('results_scenario_measurement_complete').value).toBe(1);
    // 50 W for 10 s = 1.389e-4 kWh: × 0.12 $/kWh = $1.667e-5; × 400 g/kWh = 5.556e-5 kg.
    const cost = one('cost_energy');
    expect(cost.labels).toMatchObject({ region: 'default', currency: 'USD', run_id: 'run-1' });
    expect(cost.value).toBeCloseTo(1.6667e-5, 9);
    expect(one('co2_emissions_kg').value).toBeCloseTo(5.5556e-5, 9);
    expect(one('cost_energy_per_month').value).toBeCloseTo(0.05 * 720 * 0.12, 6); // 4.32 $
    expect(one('co2_emissions_kg_per_month').value).toBeCloseTo(0.05 * 720 * 0.4, 6); // 14.4 kg
    expect(one('qoe_psnr_db').value).toBe(41.5);
    expect(one('qoe_ssim').value).toBe(0.98);
    // No VMAF measured: no VMAF series and no quality per watt, never a 0.
    expect(of('qoe_vmaf_score')).toEqual([]);
    expect(of('qoe_quality_per_watt')).toEqual([]);
    expect(
      of('results_scenario_mean_power_watts')
        .map((s) => s.labels.scenario)
        .sort(),
    ).toEqual(['720p h264', 'baseline']);
  });

  it('shows at most `limit` scenarios (the most recent), and omits cost and CO2 without pricing', async () => {
    t = openTestMaster({ resultsMetrics: { limit: 2, pricing: null } });
    const node = (
      await call('POST', '/nodes/register', {
        address: 'w1',
        type: 'server',
        cpu_threads: 16,
        cpu_model: 'Xeon',
        has_gpu: false,
        ram_bytes: 2 ** 34,
      })
    ).json().id as string;
    for (const name of ['s1', 's2', 's3'])
      await finish(
        node,
        { scenario: name, parameters: { duration: 5, bitrate: '1000k' } },
        {
          metrics: {},
          power: { mean_watts: 40 },
          energy: { idle_baseline_watts: 25, complete: false },
        },
      );
    const samples = await scrape();
    const power = samples.filter((s) => s.name === 'results_scenario_mean_power_watts');
    expect(power.map((s) => s.labels.scenario)).toEqual(['s3', 's2']);
    // No run: the delta is against the node's measured idle baseline.
    expect(samples.find((s) => s.name === 'results_scenario_delta_power_watts')?.value).toBe(15);
    expect(samples.find((s) => s.name === 'results_scenario_measurement_complete')?.value).toBe(0);
    expect(samples.some((s) => s.name.startsWith('cost_') || s.name.startsWith('co2_'))).toBe(false);
  });
});
