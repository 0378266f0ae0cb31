import { afterEach, describe, expect, it } from 'vitest';
import { analyzeRecords } from '../../src/core/analysis/report.js';
import type { ResolvedPricing } from '../../src/core/analysis/cost.js';
import { type TestMaster, openTestMaster } from '../helpers.js';

// GET /runs/{id} `analysis`: core's analyzeRecords of the run's results, priced with the master's
// pricing — worked numbers for a 30 W baseline and two 10 s 720p encodes at 50 W and 60 W.

let t: TestMaster | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  if (!t) throw new Error('no master');
  const res = await t.master.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, json: res.json() };
}

const PRICING: ResolvedPricing = {
  region: 'eu-test',
  currency: 'EUR',
  electricity_per_kwh: 0.3,
  co2_g_per_kwh: 100,
};

const encode = (bitrate: string) => ({
  scenario: `720p ${bitrate}`,
  parameters: { duration: 10, bitrate, resolution: '1280x720', fps: 30, encoder: 'h264', preset: 'fast' },
});

describe('GET /runs/{id} analysis', () => {
  it('ranks by efficiency score with net values vs the baseline, cost and CO2 in the master’s region', async () => {
    t = openTestMaster({ resultsMetrics: { pricing: PRICING } });
    const created = (
      await call('POST', '/runs', {
        name: 'analysis',
        jobs: [
          { scenario: 'baseline', parameters: { type: 'baseline', duration: 10 } },
          encode('2500k'),
          encode('5000k'),
        ],
      })
    ).json;
    const node = (await call('POST', '/nodes/register', { address: 'w1', encoders: ['libx264'] })).json;
    const empty = (await call('GET', `/runs/${created.id}`)).json;
    expect(empty.analysis).toMatchObject({ scenarios: [], ranking: [], recommendation: null });

    for (const watts of [30, 50, 60]) {
      const job = (await call('GET', `/jobs/next?node_id=${node.id}`)).json.job;
      const ack = await call('POST', '/results', {
        job_id: job.id,
        node_id: node.id,
        status: 'completed',
        metrics: { frames_encoded: 300 },
        power: { mean_watts: watts, total_energy_joules: watts * 10 },
        energy: { total_joules: watts * 10 },
        analyzer_output: { started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:10.000Z' },
      });
      expect(ack.status).toBe(200);
    }

    const run = (await call('GET', `/runs/${created.id}`)).json;
    expect(run.status).toBe('completed');
    // The same function `ffrtmp analyze --run` uses, on the same results, with the same prices.
    expect(run.analysis).toEqual(
      JSON.parse(JSON.stringify(analyzeRecords(run.results.scenarios, { pricing: PRICING }))),
    );
    const [base, low, high] = run.analysis.scenarios;
    expect(run.analysis.baseline).toBe('baseline');
    // throughput per watt: 2.5 Mbps / 50 W = 0.05; 5 Mbps / 60 W = 0.0833 → 5000k ranks first.
    expect(low).toMatchObject({ name: '720p 2500k', efficiency_algorithm: 'throughput_per_watt' });
    expect(low.efficiency_score).toBeCloseTo(0.05, 9);
    expect(high.efficiency_score).toBeCloseTo(5 / 60, 9);
    expect([high.efficiency_rank, low.efficiency_rank]).toEqual([1, 2]);
    expect(base.efficiency_rank).toBeNull();
    expect(run.analysis.ranking.map((r: { name: string }) => r.name)).toEqual(['720p 5000k', '720p 2500k']);
    expect(run.analysis.recommendation.text).toMatch(/^Most energy-efficient: 720p 5000k/);
    // Net power above the 30 W baseline.
    expect(low.net.power_w).toBe(20);
    expect(high.net.power_w).toBe(30);
    // 500 J = 1.3889e-4 kWh: × 0.3 EUR/kWh = 4.1667e-5 EUR; × 100 g/kWh = 1.3889e-5 kg CO2.
    expect(low.cost).toMatchObject({ region: 'eu-test', currency: 'EUR' });
    expect(low.cost.energy_cost).toBeCloseTo(4.1667e-5, 9);
    expect(low.cost.co2_kg).toBeCloseTo(1.3889e-5, 9);
    // The reference-shape results are unchanged by it.
    expect(Object.keys(run.results).sort()).toEqual(['scenarios', 'test_date']);
  });
});
