import { describe, expect, it } from 'vitest';
import { hardwareHash, parseHardwareId, toHardwareId } from './hardware-id.js';

describe('toHardwareId', () => {
  it.each([
    ['Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz', 'linux', 'intel_xeon_e5_2680_v4_linux'],
    ['AMD Ryzen 9 5950X 16-Core Processor', 'linux', 'amd_ryzen_9_5950x_16_core_linux'],
    ['Apple M2 Pro', 'darwin', 'apple_m2_pro_darwin'],
    ['Intel® Core™ i7-8650U CPU @ 1.90GHz', 'win32', 'intel_core_i7_8650u_win32'],
    ['', 'linux', 'unknown_cpu_linux'],
  ])('%s on %s → %s', (cpu, os, id) => {
    expect(toHardwareId(cpu, os)).toBe(id);
    expect(parseHardwareId(toHardwareId(cpu, os))).toBe(id);
  });

  it('is stable, short and path-safe for any input', () => {
    const long = `${'Weird/../CPU '.repeat(30)}@ 3GHz`;
    const id = toHardwareId(long, 'linux');
    expect(id).toBe(toHardwareId(long, 'linux'));
    expect(id.length).toBeLessThanOrEqual(96);
    expect(id).toMatch(/^[a-z0-9_]+_linux$/);
  });
});

describe('parseHardwareId', () => {
  it.each(['../etc', 'a/b', 'A_B', '', '.hidden', 'x..y'])('refuses %j', (bad) => {
    expect(() => parseHardwareId(bad)).toThrow(/--hardware-id/);
  });
});

describe('hardwareHash', () => {
  it('is a fixed number in [0, 1) per id', () => {
    // FNV-1a('foobar') = 0xbf9cf968 → 3214735720 / 2^32.
    expect(hardwareHash('foobar')).toBeCloseTo(3214735720 / 2 ** 32, 15);
    expect(hardwareHash('a_linux')).not.toBe(hardwareHash('b_linux'));
  });
});
