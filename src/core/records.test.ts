import { describe, expect, it } from 'vitest';
import { parseJobParameters } from './job-parameters.js';
import { emptyJobCounts, runStatus, scenarioKindOf } from './records.js';

const counts = (c: Partial<ReturnType<typeof emptyJobCounts>>) => ({ ...emptyJobCounts(), ...c });

describe('runStatus', () => {
  it.each([
    [{ queued: 3 }, 'queued'],
    [{ queued: 2, assigned: 1 }, 'running'],
    [{ queued: 1, completed: 2 }, 'running'],
    [{ running: 1, failed: 1 }, 'running'],
    [{ completed: 3 }, 'completed'],
    [{ completed: 2, failed: 1, canceled: 1 }, 'failed'],
    [{ completed: 2, canceled: 1 }, 'canceled'],
  ] as const)('%o → %s', (c, status) => {
    expect(runStatus(counts(c))).toBe(status);
  });
});

describe('scenarioKindOf', () => {
  it('reads baseline, multi (streams or mixed bitrates) and single from the parameters', () => {
    expect(scenarioKindOf(parseJobParameters({ type: 'baseline', duration: 5 }))).toBe('baseline');
    expect(scenarioKindOf(parseJobParameters({ duration: 5, bitrate: '1M', streams: 3 }))).toBe('multi');
    expect(scenarioKindOf(parseJobParameters({ duration: 5, bitrates: ['1M', '2M'] }))).toBe('multi');
    expect(scenarioKindOf(parseJobParameters({ duration: 5, bitrate: '1M' }))).toBe('single');
  });
});
