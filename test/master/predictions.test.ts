import { afterEach, describe, expect, it } from 'vitest';
import { trainModels } from '../../src/analysis/models.js';
import { predictJob } from '../../src/core/analysis/job-prediction.js';
import { predictPower } from '../../src/core/analysis/power-model.js';
import { toHardwareId } from '../../src/core/hardware-id.js';
import { parseJobParameters } from '../../src/core/job-parameters.js';
import { parsePrometheusText } from '../../src/core/prometheus-text.js';
import { recordOf } from '../analysis/model-fixtures.js';
import { type TestMaster, openTestMaster } from '../helpers.js';

// Models trained from fixture records (a synthetic node: 25 W idle, +18 W per stream, +2 W per
// Mbps, +6 W for preset medium) are handed to an in-process master as data; the master predicts
// with them for jobs of a node with that hardware id, and for the results metric.

const CPU = 'Test CPU 9000';
const HW = toHardwareId(CPU, 'linux'); // what the master derives from the node's cpu_model

function trained() {
  let i = 0;
  const records = [recordOf('baseline', 0, 0, 'fast', i++)];
  for (const kbps of [1000, 2500, 5000])
    for (const preset of ['fast', 'medium']) {
      records.push(recordOf('single', 1, kbps, preset, i++));
      for (const count of [2, 4]) records.push(recordOf('multi', count, kbps, preset, i++));
    }
  return trainModels(records, { hardwareId: HW, platform: 'linux', now: 0, iterations: 50 });
}

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

async function register(cpuModel: string, address: string): Promise<string> {
  const res = await call('POST', '/nodes/register', {
    address,
    type: 'server',
    cpu_threads: 16,
    cpu_model: cpuModel,
    has_gpu: false,
    ram_bytes: 2 ** 34,
  });
  expect(res.status).toBe(201);
  return res.json().id as string;
}

const ENCODE = {
  duration: 60,
  bitrate: '2500k',
  resolution: '1280x720',
  fps: 30,
  encoder: 'h264',
  preset: 'fast',
};

async function runOn(nodeId: string, scenario: string, parameters: object, watts: number) {
  const submitted = await call('POST', '/jobs', { scenario, run_id: 'run-p', parameters });
  expect(submitted.status).toBe(201);
  const next = (await call('GET', `/jobs/next?node_id=${nodeId}`)).json();
  expect(next.job.id).toBe(submitted.json().id);
  const stored = await call('POST', '/results', {
    job_id: next.job.id,
    node_id: nodeId,
    status: 'completed',
    metrics: {},
    power: { mean_watts: watts, total_energy_joules: watts * 60 },
    analyzer_output: { started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:01:00.000Z' },
  });
  expect(stored.status).toBe(200);
  return next.job.id as string;
}

async function predictedSeries() {
  const res = await call('GET', '/metrics');
  expect(res.status).toBe(200);
  const parsed = parsePrometheusText(res.body);
  expect(parsed.errors).toEqual([]);
  return parsed.samples.filter((s) => s.name === 'results_scenario_predicted_power_watts');
}

describe('master predictions from trained models', () => {
  const models = trained();

  it('GET /jobs/{id} carries the prediction of the target node’s hardware models', async () => {
    expect(models.power && models.multivariate).toBeTruthy();
    t = openTestMaster({ models: new Map([[HW, models]]) });
    const known = await register(CPU, 'w1');
    const other = await register('Other CPU', 'w2');

    // A full workload on the modelled node: the multivariate model.
    const job = (
      await call('POST', '/jobs', { scenario: 'p', parameters: ENCODE, target_node_id: known })
    ).json();
    const got = (await call('GET', `/jobs/${job.id}`)).json();
    const expected = predictJob(models, HW, parseJobParameters(ENCODE));
    expect(expected?.model).toBe('multivariate');
    expect(got.predicted).toEqual(expected);
    // The fixture's law at 1 stream, 2.5 Mbps, fast: 25 + 18 + 5 = 48 W; 60 s of it ≈ 2880 J.
    expect(got.predicted.mean_power_w).toBeGreaterThan(40);
    expect(got.predicted.mean_power_w).toBeLessThan(56);
    expect(got.predicted.low).toBeLessThanOrEqual(got.predicted.mean_power_w);
    expect(got.predicted.high).toBeGreaterThanOrEqual(got.predicted.mean_power_w);
    expect(got.predicted.hardware_id).toBe(HW);

    // Streams only (no encoder named): power vs streams at 3 streams, energy = W × duration.
    const streamsOnly = { type: 'transcode', streams: 3, duration: 30 };
    const job3 = (
      await call('POST', '/jobs', { scenario: 'p3', parameters: streamsOnly, target_node_id: known })
    ).json();
    const p3 = (await call('GET', `/jobs/${job3.id}`)).json().predicted;
    const watts3 = predictPower(models.power!, 3);
    expect(p3).toEqual({
      mean_power_w: watts3.value,
      energy_j: watts3.value * 30,
      low: watts3.low,
      high: watts3.high,
      model: 'power_vs_streams',
      hardware_id: HW,
    });

    // No prediction for another hardware, nor for a queued job with no node yet.
    const elsewhere = (
      await call('POST', '/jobs', { scenario: 'q', parameters: ENCODE, target_node_id: other })
    ).json();
    expect((await call('GET', `/jobs/${elsewhere.id}`)).json().predicted).toBeUndefined();
    const anywhere = (await call('POST', '/jobs', { scenario: 'r', parameters: ENCODE })).json();
    expect((await call('GET', `/jobs/${anywhere.id}`)).json().predicted).toBeUndefined();
  });

  it('exposes results_scenario_predicted_power_watts for scenarios of a modelled node only', async () => {
    t = openTestMaster({ models: new Map([[HW, models]]) });
    const known = await register(CPU, 'w1');
    const other = await register('Other CPU', 'w2');
    const jobId = await runOn(known, 'two streams', { ...ENCODE, streams: 2 }, 70);
    await runOn(other, 'elsewhere', ENCODE, 50);

    // The assigned node's model predicts for a finished job too.
    expect((await call('GET', `/jobs/${jobId}`)).json().predicted.hardware_id).toBe(HW);
    const series = await predictedSeries();
    expect(series).toHaveLength(1);
    expect(series[0]!.labels.scenario).toBe('two streams');
    expect(series[0]!.labels.streams).toBe('2');
    // Power vs streams of that hardware at 2 streams (the fit's 25 + 18·2 + mean extras).
    expect(series[0]!.value).toBe(predictPower(models.power!, 2).value);
    expect(series[0]!.value).toBeGreaterThan(61);
    expect(series[0]!.value).toBeLessThan(72);
  });

  it('a master without models exposes no predicted series and no job prediction', async () => {
    t = openTestMaster();
    const known = await register(CPU, 'w1');
    const jobId = await runOn(known, 'two streams', { ...ENCODE, streams: 2 }, 70);
    expect(await predictedSeries()).toEqual([]);
    expect((await call('GET', `/jobs/${jobId}`)).json().predicted).toBeUndefined();
  });
});
