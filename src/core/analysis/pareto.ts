/**
 * The energy/quality Pareto front: the points no other point beats on both counts (less or
 * equal energy and higher or equal quality, strictly better on one). Points with a
 * non-finite energy or quality take no part.
 */
export interface EnergyQualityPoint {
  energy: number;
  quality: number;
}

/**
 * The front of `points` (least energy, highest quality), ordered by energy ascending (and so
 * by quality ascending). Exact duplicates on the front are all kept. Inputs are not changed.
 */
export function paretoFront<T extends EnergyQualityPoint>(points: readonly T[]): T[] {
  const sorted = points
    .filter((p) => Number.isFinite(p.energy) && Number.isFinite(p.quality))
    .sort((a, b) => a.energy - b.energy || b.quality - a.quality);
  const front: T[] = [];
  for (const p of sorted) {
    const last = front.at(-1);
    // Sorted by energy, so p is dominated exactly when an earlier point already has
    // at least its quality, unless that point is p's exact twin.
    if (last === undefined || p.quality > last.quality) front.push(p);
    else if (p.quality === last.quality && p.energy === last.energy) front.push(p);
  }
  return front;
}
