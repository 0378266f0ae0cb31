import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakePowercap, discoverAsUnprivileged } from '../../test/fixtures/power/fake-powercap.js';
import { discoverRapl, readRaplCounters } from './rapl.js';

const dir = { path: '' };
beforeEach(() => {
  dir.path = mkdtempSync(join(tmpdir(), 'ffrtmp-powercap-'));
});
afterEach(() => rmSync(dir.path, { recursive: true, force: true }));

const summary = (root: string) =>
  discoverRapl(root).zones.map((z) => [z.id, z.kind, z.socket, z.parent, z.label]);

describe('discoverRapl', () => {
  it('finds one package with its core, uncore and dram sub-zones', () => {
    const fake = createFakePowercap(dir.path, 'one-socket');
    const { zones, problems } = discoverRapl(fake.root);
    expect(problems).toEqual([]);
    expect(zones.map((z) => [z.id, z.name, z.kind, z.socket, z.parent, z.label])).toEqual([
      ['intel-rapl:0', 'package-0', 'package', 0, null, 'package_0'],
      ['intel-rapl:0:0', 'core', 'core', 0, 'intel-rapl:0', 'core_0'],
      ['intel-rapl:0:1', 'uncore', 'uncore', 0, 'intel-rapl:0', 'uncore_0'],
      ['intel-rapl:0:2', 'dram', 'dram', 0, 'intel-rapl:0', 'dram_0'],
    ]);
    expect(zones[0]?.energyPath).toBe(join(fake.root, 'intel-rapl:0', 'energy_uj'));
    expect(zones[0]?.maxEnergyRangeUj).toBe(262_143_328_850);
    expect(zones[3]?.maxEnergyRangeUj).toBe(65_712_999_613);
  });

  it('labels so that zone=~"package.*" selects the packages of both sockets and nothing else', () => {
    const fake = createFakePowercap(dir.path, 'two-sockets');
    expect(summary(fake.root)).toEqual([
      ['intel-rapl:0', 'package', 0, null, 'package_0'],
      ['intel-rapl:0:0', 'dram', 0, 'intel-rapl:0', 'dram_0'],
      ['intel-rapl:1', 'package', 1, null, 'package_1'],
      ['intel-rapl:1:0', 'dram', 1, 'intel-rapl:1', 'dram_1'],
    ]);
    const labels = discoverRapl(fake.root).zones.map((z) => z.label);
    expect(labels.filter((l) => /^package.*$/.test(l))).toEqual(['package_0', 'package_1']);
  });

  it('takes the socket from the package name, not the zone index (psys laptop layout)', () => {
    const fake = createFakePowercap(dir.path, 'psys');
    expect(summary(fake.root)).toEqual([
      ['intel-rapl:0', 'package', 0, null, 'package_0'],
      ['intel-rapl:0:0', 'core', 0, 'intel-rapl:0', 'core_0'],
      ['intel-rapl:1', 'psys', null, null, 'psys'],
    ]);
  });

  it('skips the intel-rapl-mmio copy of a package that intel-rapl already has', () => {
    const fake = createFakePowercap(dir.path, 'mmio-duplicate');
    const { zones, problems } = discoverRapl(fake.root);
    expect(problems).toEqual([]);
    expect(zones.map((z) => z.id)).toEqual(['intel-rapl:0', 'intel-rapl:0:0']);
  });

  it('keeps an mmio package when it is the only interface to it', () => {
    const fake = createFakePowercap(dir.path, [{ id: 'intel-rapl-mmio:0', name: 'package-0', energyUj: 7 }]);
    expect(summary(fake.root)).toEqual([['intel-rapl-mmio:0', 'package', 0, null, 'package_0']]);
  });

  it('orders zones numerically and gives unknown zones a label outside the package family', () => {
    const fake = createFakePowercap(dir.path, [
      { id: 'intel-rapl:10', name: 'package-10' },
      { id: 'intel-rapl:2', name: 'package-2' },
      { id: 'intel-rapl:2:0', name: 'package-ish thing' },
    ]);
    expect(summary(fake.root)).toEqual([
      ['intel-rapl:2', 'package', 2, null, 'package_2'],
      ['intel-rapl:2:0', 'other', 2, 'intel-rapl:2', 'other_package_ish_thing_2'],
      ['intel-rapl:10', 'package', 10, null, 'package_10'],
    ]);
  });

  it('reports a missing root or an empty class as "no zones", with the fallback in the fix', () => {
    for (const root of [join(dir.path, 'absent'), createFakePowercap(dir.path, []).root]) {
      const { zones, problems } = discoverRapl(root);
      expect(zones).toEqual([]);
      expect(problems).toEqual([
        {
          message: 'no RAPL powercap zones (VM, non-Intel/AMD CPU or driver not loaded)',
          fix: expect.stringContaining('modprobe intel_rapl_common'),
        },
      ]);
      expect(problems[0]?.fix).toContain('falls back to the estimator');
    }
  });

  it('drops a zone whose energy_uj is root-only (real EACCES) and names the chmod and udev fix', async () => {
    const fake = createFakePowercap(dir.path, 'one-socket');
    fake.makeUnreadable('intel-rapl:0:2');
    const { zones, problems } = await discoverAsUnprivileged(fake.root);
    expect(zones.map((z) => z.id)).toEqual(['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1']);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.zone).toBe('intel-rapl:0:2');
    expect(problem?.message).toContain('permission denied');
    expect(problem?.message).toContain('CVE-2020-8694');
    expect(problem?.fix).toContain(
      'sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj /sys/class/powercap/intel-rapl:*:*/energy_uj',
    );
    expect(problem?.fix).toContain(
      'ACTION=="add", SUBSYSTEM=="powercap", RUN+="/bin/chmod a+r /sys%p/energy_uj"',
    );
  });

  it('drops a zone whose counter is not a number', () => {
    const fake = createFakePowercap(dir.path, 'psys');
    fake.set('intel-rapl:1', Number.NaN);
    const { zones, problems } = discoverRapl(fake.root);
    expect(zones.map((z) => z.id)).toEqual(['intel-rapl:0', 'intel-rapl:0:0']);
    expect(problems).toEqual([
      {
        zone: 'intel-rapl:1',
        message: expect.stringContaining('expected a whole number, got "NaN"'),
        fix: expect.any(String),
      },
    ]);
  });
});

describe('readRaplCounters', () => {
  it('reads energy_uj per zone id, including after a wrap', () => {
    const fake = createFakePowercap(dir.path, 'two-sockets');
    const { zones } = discoverRapl(fake.root);
    fake.advance('intel-rapl:0', 2_500_000);
    fake.set('intel-rapl:1:0', 65_712_999_000);
    fake.advance('intel-rapl:1:0', 1_000); // past max_energy_range_uj 65 712 999 613
    expect(readRaplCounters(zones)).toEqual(
      new Map([
        ['intel-rapl:0', 3_500_000],
        ['intel-rapl:0:0', 200_000],
        ['intel-rapl:1', 3_000_000],
        ['intel-rapl:1:0', 387],
      ]),
    );
  });

  it('turns a read error into a problem for that zone instead of throwing', () => {
    const fake = createFakePowercap(dir.path, 'one-socket');
    const { zones } = discoverRapl(fake.root);
    fake.remove('intel-rapl:0:2');
    const counters = readRaplCounters(zones);
    expect(counters.get('intel-rapl:0')).toBe(1_000_000);
    expect(counters.get('intel-rapl:0:2')).toEqual({
      zone: 'intel-rapl:0:2',
      message: expect.stringContaining('ENOENT'),
      fix: expect.stringContaining('lsmod | grep rapl'),
    });
  });
});
