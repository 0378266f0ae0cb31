import { describe, expect, it } from 'vitest';
import { FfrtmpError } from '../errors.js';
import {
  defaultEstimatorModel,
  type EstimatorModel,
  estimatePowerWatts,
  estimatorLabel,
  estimatorUncertainty,
  parseEstimatorSpec,
  TEADS_CURVE,
} from './estimator.js';

const tdp65: EstimatorModel = { kind: 'tdp', tdpWatts: 65 };
const linear: EstimatorModel = { kind: 'linear', idleWatts: 20, maxWatts: 95 };

describe('estimatePowerWatts', () => {
  it.each([
    // On the curve's points: 65 × 0.12 = 7.8; 65 × 0.32 = 20.8; 65 × 0.75 = 48.75; 65 × 1.02 = 66.3.
    [0, 7.8],
    [0.1, 20.8],
    [0.5, 48.75],
    [1, 66.3],
    // Between 0 % and 10 %: 5 % → 0.12 + (0.32 − 0.12) × 5/10 = 0.22 → 65 × 0.22 = 14.3.
    [0.05, 14.3],
    // Between 10 % and 50 %: 30 % → 0.32 + (0.75 − 0.32) × 20/40 = 0.535 → 65 × 0.535 = 34.775.
    [0.3, 34.775],
    // Between 50 % and 100 %: 75 % → 0.75 + (1.02 − 0.75) × 25/50 = 0.885 → 65 × 0.885 = 57.525.
    [0.75, 57.525],
    // Clamped: −0.2 → 0 % → 7.8; 1.5 → 100 % → 66.3.
    [-0.2, 7.8],
    [1.5, 66.3],
  ])('Teads at 65 W TDP, u = %d → %d W', (u, watts) => {
    expect(estimatePowerWatts(tdp65, u)).toBeCloseTo(watts, 10);
  });

  it('interpolates a configured curve and stays flat past its ends', () => {
    // Curve 20 % → 0.5, 80 % → 1.0 on 100 W: at 50 % → 0.5 + 0.5 × 30/60 = 0.75 → 75 W;
    // at 10 % (before the first point) → 0.5 → 50 W; at 90 % (after the last) → 1.0 → 100 W.
    const model: EstimatorModel = {
      kind: 'tdp',
      tdpWatts: 100,
      curve: [
        [20, 0.5],
        [80, 1.0],
      ],
    };
    expect(estimatePowerWatts(model, 0.5)).toBeCloseTo(75, 10);
    expect(estimatePowerWatts(model, 0.1)).toBe(50);
    expect(estimatePowerWatts(model, 0.9)).toBe(100);
  });

  it.each([
    // 20 + (95 − 20) × u: u = 0 → 20; 0.4 → 20 + 30 = 50; 1 → 95; clamp 2 → 95.
    [0, 20],
    [0.4, 50],
    [1, 95],
    [2, 95],
  ])('linear 20–95 W, u = %d → %d W', (u, watts) => {
    expect(estimatePowerWatts(linear, u)).toBeCloseTo(watts, 10);
  });

  it('refuses a utilisation that is not a number', () => {
    expect(() => estimatePowerWatts(tdp65, Number.NaN)).toThrow(RangeError);
  });

  it('refuses an empty curve', () => {
    expect(() => estimatePowerWatts({ kind: 'tdp', tdpWatts: 65, curve: [] }, 0.5)).toThrow(RangeError);
  });
});

describe('estimatorLabel and estimatorUncertainty', () => {
  it('labels each model stably', () => {
    expect(estimatorLabel(tdp65)).toBe('estimated:teads-tdp-65w');
    expect(estimatorLabel({ kind: 'tdp', tdpWatts: 65, curve: TEADS_CURVE })).toBe('estimated:teads-tdp-65w');
    expect(estimatorLabel({ kind: 'tdp', tdpWatts: 12.5, curve: [[0, 1]] })).toBe(
      'estimated:curve-tdp-12.5w',
    );
    expect(estimatorLabel(linear)).toBe('estimated:linear-20-95w');
  });

  it('gives ±30 % for TDP models and ±15 % for measured idle/max', () => {
    expect(estimatorUncertainty(tdp65)).toBe(0.3);
    expect(estimatorUncertainty(linear)).toBe(0.15);
  });
});

describe('defaultEstimatorModel', () => {
  it.each([
    // 5 W per thread (10 W per 2-thread core), clamped to [15, 280]:
    [1, 15], // 5 → 15
    [4, 20], // 20
    [8, 40], // 40
    [16, 80], // 80
    [64, 280], // 320 → 280
    [0, 15], // nonsense → 1 thread → 15
    [Number.NaN, 15],
  ])('%d threads → %d W TDP with the Teads curve', (threads, watts) => {
    expect(defaultEstimatorModel(threads)).toEqual({ kind: 'tdp', tdpWatts: watts });
  });
});

describe('parseEstimatorSpec', () => {
  it.each([
    ['tdp:65', { kind: 'tdp', tdpWatts: 65 }],
    [' tdp:12.5 ', { kind: 'tdp', tdpWatts: 12.5 }],
    ['linear:20:95', { kind: 'linear', idleWatts: 20, maxWatts: 95 }],
    ['linear:0:30', { kind: 'linear', idleWatts: 0, maxWatts: 30 }],
  ])('%j', (spec, model) => {
    expect(parseEstimatorSpec(spec)).toEqual(model);
  });

  it.each([
    '',
    'tdp',
    'tdp:',
    'tdp:0',
    'tdp:-5',
    'tdp:1e3',
    'tdp:65:1',
    'TDP:65',
    'linear:20',
    'linear:95:20',
    'linear:20:20',
    'linear:20:95:1',
    'rapl',
  ])('rejects %j with what was expected', (spec) => {
    let error: unknown;
    try {
      parseEstimatorSpec(spec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FfrtmpError);
    const ffrtmp = error as FfrtmpError;
    expect(ffrtmp.code).toBe('E_INVALID_CONFIG');
    expect(ffrtmp.message).toContain('expected "tdp:<watts>"');
    expect(ffrtmp.message).toContain(JSON.stringify(spec));
    expect(ffrtmp.details).toEqual({ spec });
  });
});
