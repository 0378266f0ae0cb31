import { describe, expect, it } from 'vitest';
import {
  co2Kg,
  computeCost,
  coreSeconds,
  costPerPixel,
  costPerWatchHour,
  costSummary,
  energyCost,
  loadAwareComputeCost,
  loadAwareEnergyCost,
  monthlyCo2Kg,
  monthlyEnergyCost,
  parsePricingTable,
  resolvePricing,
} from './cost.js';

const table = parsePricingTable({
  currency: 'USD',
  default: { electricity_per_kwh: 0.12, co2_g_per_kwh: 400 },
  regions: { 'eu-central-1': { electricity_per_kwh: 0.28, co2_g_per_kwh: 380 } },
});

describe('formulas', () => {
  it('100 W for 1 h at 0.12 $/kWh → $0.012', () => {
    expect(energyCost(100, 1, 0.12)).toBeCloseTo(0.012, 12);
  });

  it('compute cost: 0.5 h × ($0.40 + $0.90) → $0.65', () => {
    expect(computeCost(0.5, 0.4, 0.9)).toBeCloseTo(0.65, 12);
    expect(computeCost(2)).toBe(0);
  });

  it('cost per pixel and per watch hour', () => {
    expect(costPerPixel(0.012, 3_317_760_000)).toBeCloseTo(3.6169e-12, 15);
    expect(costPerPixel(0.012, null)).toBeNull();
    expect(costPerWatchHour(0.012, 1, 100)).toBeCloseTo(0.00012, 12);
    expect(costPerWatchHour(0.012, 0)).toBeNull();
    expect(() => costPerWatchHour(1, 1, 0)).toThrow(/viewers must be a whole number ≥ 1/);
  });

  it('CO2: 1 kWh at 400 g/kWh → 0.4 kg; monthly 100 W → $8.64 and 28.8 kg', () => {
    expect(co2Kg(1, 400)).toBeCloseTo(0.4, 12);
    expect(monthlyEnergyCost(100, 0.12)).toBeCloseTo(8.64, 10);
    expect(monthlyCo2Kg(100, 400)).toBeCloseTo(28.8, 10);
  });

  it('load-aware energy: 100 W rising to 300 W over 1 h by the trapezoid rule → 0.2 kWh → $0.024', () => {
    const samples = [
      { t: 0, watts: 100 },
      { t: 1_800_000, watts: 200 },
      { t: 3_600_000, watts: 300 },
    ];
    expect(loadAwareEnergyCost(samples, 0.12)).toBeCloseTo(0.024, 12);
  });

  it('load-aware compute: cores 1 → 3 over 1 h = 7200 core-s; at $0.05/core-hour → $0.10', () => {
    const used = coreSeconds([
      { t: 0, cores: 1 },
      { t: 3_600_000, cores: 3 },
    ]);
    expect(used).toBe(7200);
    expect(loadAwareComputeCost(used, 0.05)).toBeCloseTo(0.1, 12);
    expect(loadAwareComputeCost(used, 0.05, 1, 0.5)).toBeCloseTo(0.6, 12);
  });
});

describe('pricing table', () => {
  it('resolves a region and the default; an unknown region names the known ones', () => {
    expect(resolvePricing(table, 'eu-central-1')).toEqual({
      region: 'eu-central-1',
      currency: 'USD',
      electricity_per_kwh: 0.28,
      co2_g_per_kwh: 380,
    });
    expect(resolvePricing(table).electricity_per_kwh).toBe(0.12);
    expect(() => resolvePricing(table, 'mars-1')).toThrow(/unknown pricing region 'mars-1'.*eu-central-1/);
  });

  it('rejects a malformed file with the field named', () => {
    expect(() => parsePricingTable({ default: { electricity_per_kwh: 'x', co2_g_per_kwh: 1 } })).toThrow(
      /default\.electricity_per_kwh must be a number/,
    );
    expect(() => parsePricingTable([])).toThrow(/expected a JSON object/);
  });
});

describe('costSummary', () => {
  it('100 W for 3600 s, 1280x720@30 pixels, $0.40/h CPU, 4 viewers, default region', () => {
    const s = costSummary(
      { watts: 100, durationSec: 3600, pixels: 1280 * 720 * 30 * 3600 },
      { pricing: resolvePricing(table), cpuPerHour: 0.4, viewers: 4 },
    )!;
    expect(s.energy_kwh).toBeCloseTo(0.1, 12);
    expect(s.energy_cost).toBeCloseTo(0.012, 12);
    expect(s.compute_cost).toBeCloseTo(0.4, 12);
    expect(s.total_cost).toBeCloseTo(0.412, 12);
    expect(s.cost_per_watch_hour).toBeCloseTo(0.103, 12);
    expect(s.co2_kg).toBeCloseTo(0.04, 12);
    expect(s.monthly_energy_cost).toBeCloseTo(8.64, 10);
    expect(s.load_aware_energy_cost).toBeNull();
    expect(
      costSummary({ watts: null, durationSec: 10, pixels: null }, { pricing: resolvePricing(table) }),
    ).toBeNull();
  });
});
