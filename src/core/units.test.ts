import { describe, expect, it } from 'vitest';
import {
  formatBitrate,
  formatDuration,
  formatResolution,
  parseBitrateKbps,
  parseDuration,
  parseResolution,
} from './units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['4s', 4000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['0.25s', 250],
    [' 10s ', 10_000],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['60', '', 'abc', '-1s', '5d', '1 h', 's', '1.s', '2M'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [3_600_000, '1h'],
    [120_000, '2m'],
    [4000, '4s'],
    [1500, '1500ms'],
    [0, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [500, 4000, 90_000, 7_200_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('parseBitrateKbps', () => {
  it.each<[unknown, number]>([
    ['5000k', 5000],
    ['5000K', 5000],
    ['5M', 5000],
    ['2.5M', 2500],
    ['2.5m', 2500],
    ['800kbps', 800],
    ['6000', 6000],
    [800, 800],
    [0.5, 0.5],
  ])('%j → %d kbps', (input, kbps) => {
    expect(parseBitrateKbps(input)).toBe(kbps);
  });

  it.each<unknown>([
    'abc',
    -1,
    0,
    '0k',
    '5G',
    '',
    '-5M',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    undefined,
    {},
    [5000],
  ])('rejects %j', (input) => {
    expect(parseBitrateKbps(input)).toBeUndefined();
  });
});

describe('formatBitrate', () => {
  it('writes whole kbps with a k suffix', () => {
    expect(formatBitrate(5000)).toBe('5000k');
    expect(formatBitrate(2499.6)).toBe('2500k');
  });
});

describe('parseResolution', () => {
  it('parses WIDTHxHEIGHT', () => {
    expect(parseResolution('1920x1080')).toEqual({ width: 1920, height: 1080 });
    expect(parseResolution(' 1280x720 ')).toEqual({ width: 1280, height: 720 });
  });

  it.each<unknown>(['1920X1080', '1920*1080', '1920x', 'x1080', '123456x1', '-2x2', '1.5x2', 1920, null])(
    'rejects %j',
    (input) => {
      expect(parseResolution(input)).toBeUndefined();
    },
  );

  it('round-trips through formatResolution', () => {
    expect(formatResolution({ width: 854, height: 480 })).toBe('854x480');
    expect(parseResolution(formatResolution({ width: 854, height: 480 }))).toEqual({
      width: 854,
      height: 480,
    });
  });
});
