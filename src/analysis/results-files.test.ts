import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { newestResultsFile, readResultsFile, recordsOf } from './results-files.js';

const dir = tempDir('ffrtmp-results-files-');
afterAll(() => dir.cleanup());

describe('results files', () => {
  it('picks the newest test_results_YYYYMMDD_HHMMSS.json by name, ignoring other files', () => {
    const d = join(dir.path, 'newest');
    mkdirSync(d);
    for (const name of [
      'test_results_20260101_120000.json',
      'test_results_20261231_235959.json',
      'test_results_20260601_000000.json',
      'test_results_20991231_000000_analysis.csv',
      'notes.json',
    ])
      writeFileSync(join(d, name), '{"scenarios": []}');
    expect(newestResultsFile(d)).toBe(join(d, 'test_results_20261231_235959.json'));
    expect(() => newestResultsFile(join(dir.path, 'missing'))).toThrow(
      /no test_results_\*\.json in .*missing/,
    );
  });

  it("reads the reference runner's shape: epoch-second times, 'N/A', no streams or status", () => {
    const [base, four] = recordsOf(
      {
        scenarios: [
          {
            name: 'Baseline (Idle)',
            bitrate: '0k',
            resolution: 'N/A',
            fps: 'N/A',
            duration: 60,
            start_time: 1767225600,
            end_time: 1767225660.5,
          },
          { name: '4 Streams @ 2500k', bitrate: '2500k', resolution: '1280x720', fps: 30, duration: 60 },
        ],
      },
      'ref.json',
    );
    expect(base).toMatchObject({
      kind: 'baseline',
      streams: 0,
      resolution: null,
      fps: null,
      status: 'completed',
      start_time: '2026-01-01T00:00:00.000Z',
      end_time: '2026-01-01T00:01:00.500Z',
      outputs: [],
    });
    expect(four).toMatchObject({
      streams: 4,
      bitrate: '2500k',
      resolution: '1280x720',
      fps: 30,
      start_time: null,
    });
  });

  it('rejects what is not a results document with the file named', () => {
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, '{"tests": []}');
    expect(() => readResultsFile(bad)).toThrow(/bad\.json: expected a results document/);
    writeFileSync(bad, 'not json');
    expect(() => readResultsFile(bad)).toThrow(/bad\.json is not JSON/);
    expect(() => recordsOf({ scenarios: [{ bitrate: '1k' }] }, 'x.json')).toThrow(
      /x\.json scenario 1: a scenario must be an object with a name/,
    );
  });
});
