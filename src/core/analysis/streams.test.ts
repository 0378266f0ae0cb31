import { describe, expect, it } from 'vitest';
import { parseStreamCount } from './streams.js';

describe('parseStreamCount', () => {
  it.each([
    ['4 Streams @ 2500k', 4],
    ['4 streams @ 2500k', 4],
    ['4-stream test', 4],
    ['12_streams_1080p', 12],
    ['8x streams', 8],
    ['multi 3 x stream', 3],
    ['Single stream', 1],
    ['single-stream 1080p', 1],
    ['streams: 6', 6],
    ['2 Streams', 2],
  ])('%s → %d', (name, n) => {
    expect(parseStreamCount(name)).toBe(n);
  });

  it.each([
    '10 Mbps Stream',
    '5 Mbps Stream',
    '2500k',
    '1080p60 test',
    '4K encode',
    'Baseline (Idle)',
    '0 streams',
    '2.5 streams',
    '',
  ])('%s → undefined', (name) => {
    expect(parseStreamCount(name)).toBeUndefined();
  });
});
