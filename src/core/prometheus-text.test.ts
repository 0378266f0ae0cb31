import { describe, expect, it } from 'vitest';
import { familiesWithSamples, familyOf, parsePrometheusText } from './prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads samples, labels with escapes, special values, timestamps and types', () => {
    const text = [
      '# HELP rapl_power_watts RAPL power',
      '# TYPE rapl_power_watts gauge',
      'rapl_power_watts{zone="package_0"} 25.5',
      'rapl_power_watts{zone="dram_0",note="a \\"quoted\\" \\\\ back\\nslash"} 4e0',
      '# TYPE ffrtmp_job_duration_seconds histogram',
      'ffrtmp_job_duration_seconds_bucket{le="+Inf"} 3',
      'ffrtmp_job_duration_seconds_sum 12.5 1700000000000',
      'ffrtmp_job_duration_seconds_count 3',
      'up NaN',
      'down -Inf',
      'big +Inf',
      '',
    ].join('\n');
    const e = parsePrometheusText(text);
    expect(e.errors).toEqual([]);
    expect(e.samples).toHaveLength(8);
    expect(e.samples[0]).toEqual({ name: 'rapl_power_watts', labels: { zone: 'package_0' }, value: 25.5 });
    expect(e.samples[1]?.labels.note).toBe('a "quoted" \\ back\nslash');
    expect(e.samples[1]?.value).toBe(4);
    expect(e.samples[2]).toEqual({
      name: 'ffrtmp_job_duration_seconds_bucket',
      labels: { le: '+Inf' },
      value: 3,
    });
    expect(e.samples[7]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(e.samples[3]?.timestamp).toBe(1_700_000_000_000);
    expect(e.samples[5]?.value).toBeNaN();
    expect(e.samples[6]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(e.types.get('ffrtmp_job_duration_seconds')).toBe('histogram');
    expect([...familiesWithSamples(e)].sort()).toEqual([
      'big',
      'down',
      'ffrtmp_job_duration_seconds',
      'rapl_power_watts',
      'up',
    ]);
  });

  it('reports each malformed line with its number and keeps the good ones', () => {
    const e = parsePrometheusText(
      [
        'ok 1',
        'bad{zone="x} 1',
        'novalue',
        'word abc',
        '9name 1',
        'dup{a="1",a="2"} 1',
        '# TYPE x bogus',
      ].join('\n'),
    );
    expect(e.samples.map((s) => s.name)).toEqual(['ok']);
    expect(e.errors).toEqual([
      'line 2: bad: unterminated value of label zone',
      'line 3: novalue: expected " value [timestamp]" after the name and labels',
      'line 4: word: "abc" is not a number',
      'line 5: expected a metric name, got "9name 1"',
      'line 6: dup: label a given twice',
      'line 7: unknown metric type "bogus"',
    ]);
  });

  it('maps _bucket/_sum/_count/_total to their declared family only', () => {
    const types = new Map([
      ['h', 'histogram'],
      ['c', 'counter'],
    ]);
    expect(familyOf('h_bucket', types)).toBe('h');
    expect(familyOf('c_total', types)).toBe('c');
    expect(familyOf('ffrtmp_jobs_total', types)).toBe('ffrtmp_jobs_total');
  });
});
