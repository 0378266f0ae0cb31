import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * RAPL energy counters through the powercap sysfs class (DESIGN §6). Intel exposes
 * `intel-rapl:N` (package N, or psys) with sub-zones `intel-rapl:N:M` (core, uncore, dram); AMD
 * (kernel ≥ 5.8) uses the same names, so one reader serves both. The root is a parameter so
 * tests drive it with fake trees.
 */

export type ZoneKind = 'package' | 'core' | 'uncore' | 'dram' | 'psys' | 'other';

export interface RaplZone {
  /** Directory name: `intel-rapl:0`, `intel-rapl:0:2`, `intel-rapl-mmio:0`. */
  id: string;
  /** Contents of its `name` file: `package-0`, `core`, `uncore`, `dram`, `psys`. */
  name: string;
  kind: ZoneKind;
  socket: number | null;
  /** Id of the package zone for sub-zones. */
  parent: string | null;
  /**
   * Metric label: `package_0`, `core_0`, `uncore_0`, `dram_0`, `psys`. Only packages start with
   * `package`, so `zone=~"package.*"` sums packages and never adds a sub-zone into its package.
   */
  label: string;
  energyPath: string;
  maxEnergyRangeUj: number;
}

export interface RaplProblem {
  zone?: string;
  message: string;
  fix: string;
}

export interface RaplDiscovery {
  zones: RaplZone[];
  problems: RaplProblem[];
}

export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';

const NO_ZONES: RaplProblem = {
  message: 'no RAPL powercap zones (VM, non-Intel/AMD CPU or driver not loaded)',
  fix: 'modprobe intel_rapl_common (or rapl on AMD); on VMs counters are not exposed — the agent falls back to the estimator',
};

// energy_uj has been readable by root only since kernel 5.10 (CVE-2020-8694, the PLATYPUS
// side channel). chmod lasts until reboot or module reload; the udev rule re-applies it.
const PERMISSION_FIX =
  'sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj /sys/class/powercap/intel-rapl:*:*/energy_uj ' +
  '(not persistent: it is lost at reboot); to keep it, add the udev rule ' +
  'ACTION=="add", SUBSYSTEM=="powercap", RUN+="/bin/chmod a+r /sys%p/energy_uj" ' +
  'to /etc/udev/rules.d/99-powercap.rules, or run the agent as root';

const ZONE_DIR = /^(intel-rapl(?:-mmio)?):(\d+)(?::(\d+))?$/;

interface ZoneEntry {
  id: string;
  family: string;
  top: number;
  sub: number | undefined;
  name: string;
}

/** Reads powercap zones under `root`; every zone that cannot be used becomes a problem with its fix. */
export function discoverRapl(root = DEFAULT_POWERCAP_ROOT): RaplDiscovery {
  const problems: RaplProblem[] = [];
  const entries = listZoneEntries(root, problems);
  const kept = dropMmioDuplicates(entries);
  const tops = new Map(kept.filter((e) => e.sub === undefined).map((e) => [`${e.family}:${e.top}`, e]));

  const zones: RaplZone[] = [];
  const labels = new Set<string>();
  for (const entry of kept) {
    const zone = toZone(root, entry, tops);
    if (labels.has(zone.label)) {
      problems.push({
        zone: zone.id,
        message: `${zone.id} (${zone.name}) repeats the zone label ${zone.label}; it is skipped so no energy counts twice`,
        fix: 'report this powercap layout (ls -l /sys/class/powercap; cat /sys/class/powercap/*/name) as a bug',
      });
      continue;
    }
    // One trial read: a zone stays only if its counter can actually be read.
    const range = readCounter(join(root, zone.id, 'max_energy_range_uj'));
    if (typeof range !== 'number') {
      problems.push(toProblem(zone.id, range));
      continue;
    }
    const first = readCounter(zone.energyPath);
    if (typeof first !== 'number') {
      problems.push(toProblem(zone.id, first));
      continue;
    }
    labels.add(zone.label);
    zones.push({ ...zone, maxEnergyRangeUj: range });
  }
  if (zones.length === 0 && problems.length === 0) problems.push(NO_ZONES);
  return { zones, problems };
}

/** Reads `energy_uj` of each zone: µJ by zone id, or the problem that kept it from being read. */
export function readRaplCounters(zones: readonly RaplZone[]): Map<string, number | RaplProblem> {
  const out = new Map<string, number | RaplProblem>();
  for (const zone of zones) {
    const value = readCounter(zone.energyPath);
    out.set(zone.id, typeof value === 'number' ? value : toProblem(zone.id, value));
  }
  return out;
}

function listZoneEntries(root: string, problems: RaplProblem[]): ZoneEntry[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return []; // no powercap class at all: reported as "no zones"
  }
  const entries: ZoneEntry[] = [];
  for (const id of names) {
    const m = ZONE_DIR.exec(id);
    if (!m) continue; // the control types themselves (intel-rapl, intel-rapl-mmio) and other drivers
    let name: string;
    try {
      name = readFileSync(join(root, id, 'name'), 'utf8').trim();
    } catch (error) {
      problems.push(toProblem(id, readFailure(join(root, id, 'name'), error)));
      continue;
    }
    entries.push({
      id,
      family: m[1] ?? '',
      top: Number(m[2]),
      sub: m[3] === undefined ? undefined : Number(m[3]),
      name,
    });
  }
  // Numeric order, so intel-rapl:10 follows intel-rapl:9 and a package precedes its sub-zones.
  return entries.sort(
    (a, b) => a.family.localeCompare(b.family) || a.top - b.top || (a.sub ?? -1) - (b.sub ?? -1),
  );
}

/**
 * `intel-rapl-mmio:*` is the same package counter read through MMIO instead of MSRs; counting
 * both would double the package. Keep an mmio zone only where no `intel-rapl` zone has its name.
 */
function dropMmioDuplicates(entries: readonly ZoneEntry[]): ZoneEntry[] {
  const msrNames = new Set(entries.filter((e) => e.family === 'intel-rapl').map((e) => e.name));
  const mmioTops = new Set(
    entries
      .filter((e) => e.family === 'intel-rapl-mmio' && e.sub === undefined && msrNames.has(e.name))
      .map((e) => e.top),
  );
  // A sub-zone of a dropped mmio package goes with it.
  return entries.filter((e) => e.family !== 'intel-rapl-mmio' || !mmioTops.has(e.top));
}

function toZone(
  root: string,
  entry: ZoneEntry,
  tops: ReadonlyMap<string, ZoneEntry>,
): Omit<RaplZone, 'maxEnergyRangeUj'> {
  const energyPath = join(root, entry.id, 'energy_uj');
  const base = { id: entry.id, name: entry.name, energyPath };
  if (entry.sub === undefined) {
    const pkg = /^package-(\d+)$/.exec(entry.name);
    if (pkg) {
      const socket = Number(pkg[1]);
      return { ...base, kind: 'package', socket, parent: null, label: `package_${socket}` };
    }
    if (entry.name === 'psys') return { ...base, kind: 'psys', socket: null, parent: null, label: 'psys' };
    return { ...base, kind: 'other', socket: null, parent: null, label: toOtherLabel(entry.name, entry.top) };
  }
  const parentId = `${entry.family}:${entry.top}`;
  const parentPkg = /^package-(\d+)$/.exec(tops.get(parentId)?.name ?? '');
  const socket = parentPkg ? Number(parentPkg[1]) : null;
  const suffix = socket ?? entry.top;
  const kind: ZoneKind =
    entry.name === 'core' || entry.name === 'uncore' || entry.name === 'dram' ? entry.name : 'other';
  const label = kind === 'other' ? toOtherLabel(entry.name, suffix) : `${kind}_${suffix}`;
  return { ...base, kind, socket, parent: parentId, label };
}

/** A label for a zone we do not know; never starting with `package`, so it stays out of package sums. */
function toOtherLabel(name: string, index: number): string {
  const clean =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'zone';
  return `${clean.startsWith('package') ? `other_${clean}` : clean}_${index}`;
}

interface ReadFailure {
  path: string;
  code: string;
  detail: string;
}

function readCounter(path: string): number | ReadFailure {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    return readFailure(path, error);
  }
  if (!/^\d+$/.test(text))
    return { path, code: 'EBADVALUE', detail: `expected a whole number, got "${text.slice(0, 40)}"` };
  return Number(text);
}

function readFailure(path: string, error: unknown): ReadFailure {
  const e = error as NodeJS.ErrnoException;
  return { path, code: e.code ?? 'EUNKNOWN', detail: e.message ?? String(error) };
}

function toProblem(zone: string, failure: ReadFailure): RaplProblem {
  if (failure.code === 'EACCES' || failure.code === 'EPERM') {
    return {
      zone,
      message: `cannot read ${failure.path}: permission denied (energy_uj is root-only since kernel 5.10, CVE-2020-8694)`,
      fix: PERMISSION_FIX,
    };
  }
  return {
    zone,
    message: `cannot read ${failure.path}: ${failure.code === 'EBADVALUE' ? failure.detail : `${failure.code} (${failure.detail})`}`,
    fix: 'check that the RAPL driver is loaded (lsmod | grep rapl) and the zone still exists; reloading intel_rapl_common (or rapl on AMD) recreates it',
  };
}
