import { FfrtmpError } from '../errors.js';
import { isRecord } from '../guards.js';
import { type PowerSample, integrateJoules } from '../energy/stats.js';

/**
 * Money and carbon (DESIGN §8): energy cost from watts × time × price per kWh, compute cost from
 * instance hours or core-hours, their totals per pixel and per watch hour, CO2 from grid
 * intensity, and monthly projections. Prices in the pricing file's currency ($ by default).
 */

export const HOURS_PER_MONTH = 720;
const J_PER_KWH = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Pricing table

export interface RegionPricing {
  /** Electricity price, $/kWh. */
  electricity_per_kwh: number;
  /** Grid carbon intensity, g CO2 per kWh. */
  co2_g_per_kwh: number;
}

export interface PricingTable {
  currency: string;
  default: RegionPricing;
  regions: Record<string, RegionPricing>;
}

export interface ResolvedPricing extends RegionPricing {
  region: string;
  currency: string;
}

function parseRegion(value: unknown, where: string): RegionPricing {
  if (!isRecord(value))
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `pricing: ${where} must be an object, got ${JSON.stringify(value)}`,
    );
  const out: Record<string, number> = {};
  for (const key of ['electricity_per_kwh', 'co2_g_per_kwh'] as const) {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `pricing: ${where}.${key} must be a number ≥ 0, got ${JSON.stringify(v)}`,
      );
    out[key] = v;
  }
  return out as unknown as RegionPricing;
}

/**
 * Checks a parsed pricing file: `{currency?, default: {electricity_per_kwh, co2_g_per_kwh},
 * regions: {name: {...}}}`. Every problem is a clear E_INVALID_CONFIG.
 */
export function parsePricingTable(json: unknown): PricingTable {
  if (!isRecord(json)) throw new FfrtmpError('E_INVALID_CONFIG', 'pricing: expected a JSON object');
  const regionsIn = json.regions ?? {};
  if (!isRecord(regionsIn)) throw new FfrtmpError('E_INVALID_CONFIG', 'pricing: regions must be an object');
  const regions: Record<string, RegionPricing> = {};
  for (const [name, value] of Object.entries(regionsIn))
    regions[name] = parseRegion(value, `regions.${name}`);
  const currency = json.currency ?? 'USD';
  if (typeof currency !== 'string' || currency === '')
    throw new FfrtmpError('E_INVALID_CONFIG', 'pricing: currency must be a non-empty string');
  return { currency, default: parseRegion(json.default, 'default'), regions };
}

/** The region's prices; `default` (or no region) gives the default. An unknown region is an error naming the known ones. */
export function resolvePricing(table: PricingTable, region?: string | null): ResolvedPricing {
  if (region === undefined || region === null || region === '' || region === 'default')
    return { region: 'default', currency: table.currency, ...table.default };
  const found = table.regions[region];
  if (!found)
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `unknown pricing region '${region}': expected default or one of ${Object.keys(table.regions).join(', ')}`,
    );
  return { region, currency: table.currency, ...found };
}

// ---------------------------------------------------------------------------------------------
// Formulas

/** kWh of `watts` held for `hours`. */
export const kwhOf = (watts: number, hours: number): number => (watts / 1000) * hours;

/** W / 1000 × h × $/kWh. 100 W for 1 h at 0.12 $/kWh → $0.012. */
export function energyCost(watts: number, hours: number, pricePerKwh: number): number {
  return kwhOf(watts, hours) * pricePerKwh;
}

/** h × (CPU $/h + GPU $/h). 0.5 h at $0.40 + $0.90 → $0.65. */
export function computeCost(hours: number, cpuPerHour = 0, gpuPerHour = 0): number {
  return hours * (cpuPerHour + gpuPerHour);
}

/** Cost per pixel delivered; null without pixels. */
export function costPerPixel(totalCost: number, pixels: number | null): number | null {
  return pixels !== null && pixels > 0 ? totalCost / pixels : null;
}

/** Cost / (hours × viewers); viewers must be a whole number ≥ 1, hours > 0 (else null). */
export function costPerWatchHour(totalCost: number, hours: number, viewers = 1): number | null {
  if (!Number.isInteger(viewers) || viewers < 1)
    throw new FfrtmpError('E_INVALID_PARAMETER', `viewers must be a whole number ≥ 1, got ${viewers}`);
  return hours > 0 ? totalCost / (hours * viewers) : null;
}

/** kg CO2 = g/kWh × kWh / 1000. 1 kWh at 400 g/kWh → 0.4 kg. */
export function co2Kg(kwh: number, gramsPerKwh: number): number {
  return (gramsPerKwh * kwh) / 1000;
}

/** Energy cost of running at `watts` for a month of 720 h. 100 W at 0.12 → $8.64. */
export function monthlyEnergyCost(watts: number, pricePerKwh: number): number {
  return energyCost(watts, HOURS_PER_MONTH, pricePerKwh);
}

/** kg CO2 of `watts` for 720 h. 100 W at 400 g/kWh → 72 kWh → 28.8 kg. */
export function monthlyCo2Kg(watts: number, gramsPerKwh: number): number {
  return co2Kg(kwhOf(watts, HOURS_PER_MONTH), gramsPerKwh);
}

// ---------------------------------------------------------------------------------------------
// Load-aware variants: integrate what was sampled instead of assuming a flat mean

/** Energy cost of sampled power (trapezoid rule): ∫P dt / 3.6e6 × $/kWh. */
export function loadAwareEnergyCost(samples: readonly PowerSample[], pricePerKwh: number): number {
  return (integrateJoules(samples) / J_PER_KWH) * pricePerKwh;
}

export interface CoreSample {
  /** Epoch ms. */
  t: number;
  /** CPU cores busy (1.5 = one and a half cores). */
  cores: number;
}

/** Core-seconds under sampled core usage, by the trapezoid rule; 0 for fewer than 2 samples. */
export function coreSeconds(samples: readonly CoreSample[]): number {
  return integrateJoules(samples.map((s) => ({ t: s.t, watts: s.cores })));
}

/**
 * Compute cost paying only for the cores used: core-hours × CPU $/core-hour, plus GPU $/h for
 * the wall hours. 7200 core-seconds at $0.05/core-hour → $0.10.
 */
export function loadAwareComputeCost(
  usedCoreSeconds: number,
  cpuPerCoreHour: number,
  wallHours = 0,
  gpuPerHour = 0,
): number {
  return (usedCoreSeconds / 3600) * cpuPerCoreHour + wallHours * gpuPerHour;
}

// ---------------------------------------------------------------------------------------------
// One scenario's cost summary

export interface CostInput {
  /** CPU + GPU mean watts. */
  watts: number | null;
  /** Seconds the scenario ran. */
  durationSec: number | null;
  pixels: number | null;
  /** Power samples, for the load-aware energy cost. */
  samples?: readonly PowerSample[];
  /** Core-seconds the job used, for the load-aware compute cost. */
  coreSeconds?: number | null;
}

export interface CostRates {
  pricing: ResolvedPricing;
  cpuPerHour?: number;
  gpuPerHour?: number;
  viewers?: number;
}

export interface CostSummary {
  region: string;
  currency: string;
  energy_kwh: number;
  energy_cost: number;
  compute_cost: number;
  total_cost: number;
  cost_per_pixel: number | null;
  cost_per_watch_hour: number | null;
  /** Present when samples were given (≥ 2). */
  load_aware_energy_cost: number | null;
  /** Present when core-seconds were given. */
  load_aware_compute_cost: number | null;
  co2_kg: number;
  monthly_energy_cost: number;
  monthly_co2_kg: number;
}

/** Cost, CO2 and projections of one scenario; null without watts or a positive duration. */
export function costSummary(input: CostInput, rates: CostRates): CostSummary | null {
  const { watts, durationSec } = input;
  if (watts === null || !Number.isFinite(watts) || durationSec === null || !(durationSec > 0)) return null;
  const hours = durationSec / 3600;
  const price = rates.pricing.electricity_per_kwh;
  const energy = energyCost(watts, hours, price);
  const compute = computeCost(hours, rates.cpuPerHour ?? 0, rates.gpuPerHour ?? 0);
  const total = energy + compute;
  const kwh = kwhOf(watts, hours);
  return {
    region: rates.pricing.region,
    currency: rates.pricing.currency,
    energy_kwh: kwh,
    energy_cost: energy,
    compute_cost: compute,
    total_cost: total,
    cost_per_pixel: costPerPixel(total, input.pixels),
    cost_per_watch_hour: costPerWatchHour(total, hours, rates.viewers ?? 1),
    load_aware_energy_cost:
      input.samples && input.samples.length >= 2 ? loadAwareEnergyCost(input.samples, price) : null,
    load_aware_compute_cost:
      typeof input.coreSeconds === 'number' && Number.isFinite(input.coreSeconds)
        ? loadAwareComputeCost(input.coreSeconds, rates.cpuPerHour ?? 0, hours, rates.gpuPerHour ?? 0)
        : null,
    co2_kg: co2Kg(kwh, rates.pricing.co2_g_per_kwh),
    monthly_energy_cost: monthlyEnergyCost(watts, price),
    monthly_co2_kg: monthlyCo2Kg(watts, rates.pricing.co2_g_per_kwh),
  };
}
