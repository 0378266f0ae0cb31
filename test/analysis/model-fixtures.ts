import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDocument, resultsFileName, toScenarioRecord } from '../../src/core/run-stats.js';
import { baselineScenario, multiScenario, singleScenario } from '../../src/core/scenarios.js';

// Results files in the shape `ffrtmp test` writes: records built by the runner's own
// toScenarioRecord, with a synthetic node's power.

export const HW = 'test_cpu_linux';

/** Synthetic node: 25 W idle, +18 W per stream, +2 W per Mbps, +6 W for preset medium. */
export function watts(streams: number, mbps: number, preset: string): number {
  return 25 + 18 * streams + 2 * mbps + (preset === 'medium' ? 6 : 0);
}

export function recordOf(
  kind: 'baseline' | 'single' | 'multi',
  count: number,
  kbps: number,
  preset: string,
  i: number,
) {
  const duration = 60;
  const scenario =
    kind === 'baseline'
      ? baselineScenario(duration, 'Baseline (Idle)')
      : kind === 'single'
        ? singleScenario({
            bitrate: `${kbps}k`,
            duration,
            resolution: '1280x720',
            fps: 30,
            preset,
            name: `single ${kbps}k ${preset}`,
          })
        : multiScenario({
            count,
            bitrate: `${kbps}k`,
            duration,
            resolution: '1280x720',
            fps: 30,
            preset,
            name: `${count} Streams @ ${kbps}k ${preset}`,
          });
  const streams = kind === 'baseline' ? 0 : kind === 'single' ? 1 : count;
  const w = kind === 'baseline' ? 25 : watts(streams, kbps / 1000, preset);
  return toScenarioRecord(
    scenario,
    { id: `job-${i}`, node_id: 'n1', status: 'completed' },
    {
      status: 'completed',
      power: { mean_watts: w, total_energy_joules: w * duration },
      energy: { total_joules: w * duration },
    },
    { startIso: '2026-01-01T00:00:00.000Z', endIso: '2026-01-01T00:01:00.000Z' },
  );
}

export function writeResults(folder: string): void {
  mkdirSync(folder, { recursive: true });
  let i = 0;
  const first = [recordOf('baseline', 0, 0, 'fast', i++)];
  const second = [];
  for (const kbps of [1000, 2500, 5000])
    for (const preset of ['fast', 'medium']) {
      first.push(recordOf('single', 1, kbps, preset, i++));
      for (const count of [2, 4]) second.push(recordOf('multi', count, kbps, preset, i++));
    }
  writeFileSync(
    join(folder, resultsFileName(Date.UTC(2026, 0, 1))),
    JSON.stringify(resultsDocument(Date.UTC(2026, 0, 1), first)),
  );
  writeFileSync(
    join(folder, resultsFileName(Date.UTC(2026, 0, 2))),
    JSON.stringify(resultsDocument(Date.UTC(2026, 0, 2), second)),
  );
  writeFileSync(join(folder, 'notes.json'), '{"not": "a results file"}');
}
