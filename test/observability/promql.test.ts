import { describe, expect, it } from 'vitest';
import { parseLabelValues, substituteGrafanaVariables, withBoolComparisons } from './promql.js';

describe('the PromQL helpers of the stack test', () => {
  it('turns every top-level comparison into a bool one, leaving label matchers and strings alone', () => {
    expect(withBoolComparisons('sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 80')).toBe(
      'sum by (instance) (rapl_power_watts{zone=~"package.*"}) > bool 80',
    );
    expect(withBoolComparisons('max(a{s!="x>y"}) > 0 and max(b) == 0')).toBe(
      'max(a{s!="x>y"}) > bool 0 and max(b) == bool 0',
    );
    expect(withBoolComparisons('a >= bool 1 or b <= 2 or c != 3')).toBe(
      'a >= bool 1 or b <= bool 2 or c != bool 3',
    );
  });

  it('replaces Grafana variables and reads label_values()', () => {
    expect(substituteGrafanaVariables('rate(x{instance=~"$instance"}[$__rate_interval])')).toBe(
      'rate(x{instance=~".*"}[10s])',
    );
    expect(parseLabelValues('label_values(up{job="ffrtmp-agent"}, instance)')).toEqual({
      match: 'up{job="ffrtmp-agent"}',
      label: 'instance',
    });
  });
});
