import { describe, expect, it } from 'vitest';
import { paretoFront } from './pareto.js';

const p = (name: string, energy: number, quality: number) => ({ name, energy, quality });

describe('paretoFront (least energy, highest quality)', () => {
  it('keeps the points no other point beats on both energy and quality', () => {
    // a: 1000 J / VMAF 80; b: 1500 J / 90 (more energy, better quality: on the front);
    // c: 1600 J / 85 (b uses less energy for more quality: dominated);
    // d: 2400 J / 95 (front); e: 900 J / 70 (least energy: front); f: 2500 J / 95 (d ties
    // its quality for less energy: dominated).
    const points = [
      p('a', 1000, 80),
      p('b', 1500, 90),
      p('c', 1600, 85),
      p('d', 2400, 95),
      p('e', 900, 70),
      p('f', 2500, 95),
    ];
    expect(paretoFront(points).map((x) => x.name)).toEqual(['e', 'a', 'b', 'd']);
  });

  it('drops a point with equal energy and lower quality, keeps exact twins', () => {
    const points = [p('low', 1000, 70), p('high', 1000, 90), p('twin', 1000, 90)];
    expect(paretoFront(points).map((x) => x.name)).toEqual(['high', 'twin']);
  });

  it('a single best point (least energy and best quality) is the whole front', () => {
    expect(paretoFront([p('x', 2000, 80), p('best', 500, 99), p('y', 800, 60)]).map((x) => x.name)).toEqual([
      'best',
    ]);
  });

  it('ignores non-finite values and leaves the input order untouched', () => {
    const points = [
      p('nan', Number.NaN, 90),
      p('b', 20, 60),
      p('a', 10, 50),
      p('inf', 5, Number.POSITIVE_INFINITY),
    ];
    expect(paretoFront(points).map((x) => x.name)).toEqual(['a', 'b']);
    expect(points.map((x) => x.name)).toEqual(['nan', 'b', 'a', 'inf']);
    expect(paretoFront([])).toEqual([]);
  });
});
