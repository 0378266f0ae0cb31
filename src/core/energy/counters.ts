/**
 * RAPL counter math: the energy between two readings of one powercap zone's `energy_uj`, and the
 * sum of those energies per domain across sockets. Energy over a window is the counter difference
 * (exact), never an integral of sampled power (DESIGN §6).
 *
 * A reading that cannot be trusted becomes a reason, never a number: a zero or implausible
 * reading is an error to report, not a silent 0 (DESIGN §3, `energy`).
 */

export type DeltaResult =
  | { ok: true; joules: number; wrapped: boolean }
  | { ok: false; reason: 'reset' | 'implausible' | 'missing'; detail: string };

export type ZoneKind = 'package' | 'core' | 'uncore' | 'dram' | 'psys' | 'other';

/** One powercap zone as the reader found it: `parent` is the id of its package for sub-zones. */
export interface EnergyZone {
  id: string;
  kind: ZoneKind;
  parent: string | null;
}

export interface ZoneTotals {
  packageJoules: number | null;
  dramJoules: number | null;
  psysJoules: number | null;
  coreJoules: number | null;
  /** One line per zone that made its domain unknown: `<zone id>: <reason>: <detail>`. */
  gaps: string[];
}

const UJ_PER_J = 1e6;

/**
 * Energy between two readings of one zone's `energy_uj`.
 *
 * - Either reading absent (or not a finite number) → `missing`.
 * - `dtSec ≤ 0` → `implausible`: no power can be checked over no time.
 * - `curr ≥ prev` → `(curr − prev) / 1e6` J.
 * - `curr < prev` → the counter either wrapped past `maxRangeUj` (that zone's
 *   `max_energy_range_uj`) or was reset. A wrap gives `(maxRange − prev + curr) / 1e6` J and is
 *   accepted only if that energy over `dtSec` is at most `maxPlausibleWatts`; otherwise it is a
 *   `reset`. (The kernel's range is inclusive, so the exact wrap is 1 µJ more; 1 µJ is below the
 *   counter's own resolution, 15.3 µJ or 61 µJ per tick on Intel, so we keep the simpler formula.)
 * - Any delta whose mean power exceeds `maxPlausibleWatts` → `implausible`.
 *
 * A reset just after the counter passed its top looks exactly like a plausible wrap; no pair of
 * readings can tell them apart, which is why readings are taken often (1 s by default) relative
 * to the wrap period: a 32-bit counter of 15.3 µJ ticks holds 65 536 J, about 11 min at 100 W.
 */
export function counterDelta(
  prevUj: number | undefined,
  currUj: number | undefined,
  maxRangeUj: number,
  dtSec: number,
  maxPlausibleWatts: number,
): DeltaResult {
  if (prevUj === undefined || !Number.isFinite(prevUj)) {
    return { ok: false, reason: 'missing', detail: `no earlier reading (got ${String(prevUj)})` };
  }
  if (currUj === undefined || !Number.isFinite(currUj)) {
    return { ok: false, reason: 'missing', detail: `no current reading (got ${String(currUj)})` };
  }
  if (!(dtSec > 0)) {
    return {
      ok: false,
      reason: 'implausible',
      detail: `the readings are ${dtSec} s apart; expected a positive interval`,
    };
  }

  if (currUj >= prevUj) {
    const joules = (currUj - prevUj) / UJ_PER_J;
    return checkPlausible(joules, false, dtSec, maxPlausibleWatts);
  }

  const wrapJoules = (maxRangeUj - prevUj + currUj) / UJ_PER_J;
  const canWrap = Number.isFinite(maxRangeUj) && maxRangeUj >= prevUj;
  if (canWrap && wrapJoules / dtSec <= maxPlausibleWatts) {
    return { ok: true, joules: wrapJoules, wrapped: true };
  }
  const why = canWrap
    ? `a wrap would mean ${formatWatts(wrapJoules / dtSec)} W over ${dtSec} s, above the ${maxPlausibleWatts} W limit`
    : `the earlier reading is above the counter's range of ${maxRangeUj} µJ`;
  return {
    ok: false,
    reason: 'reset',
    detail: `the counter went from ${prevUj} µJ to ${currUj} µJ; ${why}`,
  };
}

function checkPlausible(
  joules: number,
  wrapped: boolean,
  dtSec: number,
  maxPlausibleWatts: number,
): DeltaResult {
  const watts = joules / dtSec;
  if (watts > maxPlausibleWatts) {
    return {
      ok: false,
      reason: 'implausible',
      detail: `${joules} J over ${dtSec} s is ${formatWatts(watts)} W, above the ${maxPlausibleWatts} W limit`,
    };
  }
  return { ok: true, joules, wrapped };
}

function formatWatts(watts: number): string {
  return String(Math.round(watts * 10) / 10);
}

/**
 * Sums the zone deltas of a host into its domains, across sockets:
 * - package: Σ top-level `package` zones;
 * - dram: Σ `dram` zones, whether sub-zones of a package or top-level (some servers expose
 *   `intel-rapl:N` of name `dram` beside the packages);
 * - core: Σ `core` sub-zones;
 * - psys: Σ `psys` zones, kept apart (platform energy already includes the packages).
 *
 * Sub-zones (core, uncore, dram) are never added into package: the package counter already
 * contains core and uncore, so adding them would count them twice. `uncore` and `other` zones
 * have no domain of their own here. A domain with no zones is null with no gap; a domain with any
 * zone lacking a good delta is null and each such zone is listed in `gaps`.
 */
export function sumZones(deltas: Record<string, DeltaResult>, zones: readonly EnergyZone[]): ZoneTotals {
  const gaps: string[] = [];
  const sum = (member: (zone: EnergyZone) => boolean): number | null => {
    let total = 0;
    let count = 0;
    let complete = true;
    for (const zone of zones) {
      if (!member(zone)) continue;
      count += 1;
      const delta = Object.hasOwn(deltas, zone.id) ? deltas[zone.id] : undefined;
      if (delta === undefined) {
        gaps.push(`${zone.id}: missing: no delta for this zone`);
        complete = false;
      } else if (!delta.ok) {
        gaps.push(`${zone.id}: ${delta.reason}: ${delta.detail}`);
        complete = false;
      } else {
        total += delta.joules;
      }
    }
    return count > 0 && complete ? total : null;
  };

  return {
    packageJoules: sum((zone) => zone.kind === 'package' && zone.parent === null),
    dramJoules: sum((zone) => zone.kind === 'dram'),
    psysJoules: sum((zone) => zone.kind === 'psys'),
    coreJoules: sum((zone) => zone.kind === 'core'),
    gaps,
  };
}
