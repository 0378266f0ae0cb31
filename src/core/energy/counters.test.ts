import { describe, expect, it } from 'vitest';
import { counterDelta, type DeltaResult, type EnergyZone, sumZones } from './counters.js';

// A common Intel package range: 2^32 ticks × 61.035 µJ ≈ 262 143 328 850 µJ.
const RANGE = 262_143_328_850;

describe('counterDelta', () => {
  it('takes the plain difference when the counter went up', () => {
    // (5 000 000 − 1 000 000) µJ = 4 000 000 µJ = 4 J over 1 s = 4 W ≤ 500 W.
    expect(counterDelta(1_000_000, 5_000_000, RANGE, 1, 500)).toEqual({
      ok: true,
      joules: 4,
      wrapped: false,
    });
  });

  it('gives 0 J for an unchanged counter (a real idle reading, not a gap)', () => {
    expect(counterDelta(7_000_000, 7_000_000, RANGE, 1, 500)).toEqual({
      ok: true,
      joules: 0,
      wrapped: false,
    });
  });

  it('unwraps a counter that passed its range', () => {
    // range 1 000 000 000, prev 999 000 000, curr 2 000 000:
    // (1 000 000 000 − 999 000 000 + 2 000 000) µJ = 3 000 000 µJ = 3 J over 0.5 s = 6 W.
    expect(counterDelta(999_000_000, 2_000_000, 1_000_000_000, 0.5, 500)).toEqual({
      ok: true,
      joules: 3,
      wrapped: true,
    });
  });

  it('unwraps at the real package range', () => {
    // (262 143 328 850 − 262 143 000 000 + 671 150) µJ = 1 000 000 µJ = 1 J.
    expect(counterDelta(262_143_000_000, 671_150, RANGE, 1, 500)).toEqual({
      ok: true,
      joules: 1,
      wrapped: true,
    });
  });

  it('calls a drop a reset when a wrap would need implausible power', () => {
    // prev 100 000 000, curr 50 000 000, range 1 000 000 000:
    // a wrap would be (1e9 − 1e8 + 5e7) µJ = 950 J over 1 s = 950 W > 500 W → reset.
    const result = counterDelta(100_000_000, 50_000_000, 1_000_000_000, 1, 500);
    expect(result).toMatchObject({ ok: false, reason: 'reset' });
    if (result.ok) throw new Error('expected a reset');
    expect(result.detail).toContain('from 100000000 µJ to 50000000 µJ');
    expect(result.detail).toContain('950 W');
  });

  it('calls a drop a reset when the earlier reading is above the range', () => {
    const result = counterDelta(2_000_000_000, 5, 1_000_000_000, 1, 500);
    expect(result).toMatchObject({ ok: false, reason: 'reset' });
  });

  it('accepts a wrap at exactly the limit', () => {
    // (1 000 000 000 − 900 000 000 + 0) µJ = 100 J over 1 s = 100 W = limit → accepted.
    expect(counterDelta(900_000_000, 0, 1_000_000_000, 1, 100)).toEqual({
      ok: true,
      joules: 100,
      wrapped: true,
    });
  });

  it('refuses a rise that would mean implausible power', () => {
    // (0 → 2 000 000 000) µJ = 2000 J over 2 s = 1000 W > 500 W.
    const result = counterDelta(0, 2_000_000_000, RANGE, 2, 500);
    expect(result).toMatchObject({ ok: false, reason: 'implausible' });
    if (result.ok) throw new Error('expected implausible');
    expect(result.detail).toContain('1000 W');
  });

  it.each([0, -1, Number.NaN])('refuses a %d s interval as implausible', (dt) => {
    expect(counterDelta(0, 1_000_000, RANGE, dt, 500)).toMatchObject({ ok: false, reason: 'implausible' });
  });

  it.each([
    [undefined, 1],
    [1, undefined],
    [Number.NaN, 1],
  ])('reports a missing reading (%s → %s)', (prev, curr) => {
    expect(counterDelta(prev, curr, RANGE, 1, 500)).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('sumZones', () => {
  const ok = (joules: number): DeltaResult => ({ ok: true, joules, wrapped: false });

  // Two sockets; socket 0 has core, uncore and dram sub-zones, socket 1 a core sub-zone;
  // a top-level dram zone as some servers expose; psys.
  const zones: EnergyZone[] = [
    { id: 'intel-rapl:0', kind: 'package', parent: null },
    { id: 'intel-rapl:0:0', kind: 'core', parent: 'intel-rapl:0' },
    { id: 'intel-rapl:0:1', kind: 'uncore', parent: 'intel-rapl:0' },
    { id: 'intel-rapl:0:2', kind: 'dram', parent: 'intel-rapl:0' },
    { id: 'intel-rapl:1', kind: 'package', parent: null },
    { id: 'intel-rapl:1:0', kind: 'core', parent: 'intel-rapl:1' },
    { id: 'intel-rapl:2', kind: 'dram', parent: null },
    { id: 'intel-rapl:3', kind: 'psys', parent: null },
  ];
  const deltas = {
    'intel-rapl:0': ok(100),
    'intel-rapl:0:0': ok(60),
    'intel-rapl:0:1': ok(10),
    'intel-rapl:0:2': ok(8),
    'intel-rapl:1': ok(80),
    'intel-rapl:1:0': ok(50),
    'intel-rapl:2': ok(7),
    'intel-rapl:3': ok(250),
  };

  it('sums packages across sockets without their sub-zones, and every dram zone', () => {
    // package = 100 + 80 = 180 (not + 60 + 10 + 8 + 50); dram = 8 (sub) + 7 (top) = 15;
    // core = 60 + 50 = 110; psys = 250 on its own.
    expect(sumZones(deltas, zones)).toEqual({
      packageJoules: 180,
      dramJoules: 15,
      psysJoules: 250,
      coreJoules: 110,
      gaps: [],
    });
  });

  it('makes a domain null and lists the gap when one of its zones has none', () => {
    const withReset = {
      ...deltas,
      'intel-rapl:1': { ok: false, reason: 'reset', detail: 'the counter went from 9 µJ to 1 µJ' } as const,
    };
    const { 'intel-rapl:2': _dropped, ...withoutTopDram } = withReset;
    const totals = sumZones(withoutTopDram, zones);
    expect(totals.packageJoules).toBeNull();
    expect(totals.dramJoules).toBeNull();
    // Other domains are untouched: core = 60 + 50 = 110.
    expect(totals.coreJoules).toBe(110);
    expect(totals.psysJoules).toBe(250);
    expect(totals.gaps).toEqual([
      'intel-rapl:1: reset: the counter went from 9 µJ to 1 µJ',
      'intel-rapl:2: missing: no delta for this zone',
    ]);
  });

  it('leaves a domain the host does not have null without a gap', () => {
    const laptop: EnergyZone[] = [{ id: 'intel-rapl:0', kind: 'package', parent: null }];
    expect(sumZones({ 'intel-rapl:0': ok(12.5) }, laptop)).toEqual({
      packageJoules: 12.5,
      dramJoules: null,
      psysJoules: null,
      coreJoules: null,
      gaps: [],
    });
  });

  it('does not read inherited properties as deltas', () => {
    const zone: EnergyZone[] = [{ id: 'toString', kind: 'package', parent: null }];
    expect(sumZones({}, zone).packageJoules).toBeNull();
  });
});
