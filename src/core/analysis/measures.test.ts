import { describe, expect, it } from 'vitest';
import { bitrateMbps, outputLadderId, streamCount, totalPixels } from './measures.js';

describe('streamCount', () => {
  it.each([
    ['4 Streams @ 2500k', 4],
    ['4 streams @ 2500k', 4],
    ['4-stream test', 4],
    ['12 stream stress', 12],
    ['Single stream', 1],
    ['10 Mbps Stream', 1],
    ['2.5 Mbps Stream', 1],
    ['1080p60 ladder', 1],
  ])('%s → %i', (name, n) => {
    expect(streamCount(name)).toBe(n);
  });

  it('prefers the record field over the name', () => {
    expect(streamCount('4 Streams @ 2500k', 2)).toBe(2);
    expect(streamCount('10 Mbps Stream', 3)).toBe(3);
  });

  it('ignores a recorded 0 (a baseline) or a non-integer and falls back to the name', () => {
    expect(streamCount('4 streams', 0)).toBe(4);
    expect(streamCount('4 streams', 1.5)).toBe(4);
    expect(streamCount('idle', null)).toBe(1);
  });
});

describe('bitrateMbps', () => {
  it.each([
    ['1000k', 1.0],
    ['5M', 5.0],
    ['3000', 3.0],
    ['1500.5', 1.5005],
    ['2500k', 2.5],
    ['0k', 0],
    ['N/A', 0],
    ['', 0],
  ])('%s → %f Mbps', (text, mbps) => {
    expect(bitrateMbps(text)).toBeCloseTo(mbps, 10);
  });

  it('sums a mixed multi and treats null as no throughput', () => {
    expect(bitrateMbps('1000k,2500k')).toBeCloseTo(3.5, 10);
    expect(bitrateMbps(null)).toBe(0);
    expect(bitrateMbps(800)).toBeCloseTo(0.8, 10);
  });
});

describe('totalPixels', () => {
  it('1280x720 @ 30 fps for 120 s → 3 317 760 000', () => {
    expect(totalPixels({ resolution: '1280x720', fps: 30, duration: 120 })).toBe(3_317_760_000);
  });

  it('sums every output of a ladder: (1920·1080 + 1280·720) · 30 · 10', () => {
    const outputs = [
      { resolution: '1920x1080', fps: 30 },
      { resolution: '1280x720', fps: 30 },
    ];
    expect(totalPixels({ outputs, duration: 10, resolution: '1920x1080', fps: 30 })).toBe(
      (2_073_600 + 921_600) * 300,
    );
  });

  it('is null for a baseline, no duration or an unparsable size', () => {
    expect(totalPixels({ outputs: [], resolution: null, fps: null, duration: 60 })).toBeNull();
    expect(totalPixels({ resolution: '1280x720', fps: 30, duration: 0 })).toBeNull();
    expect(totalPixels({ resolution: 'N/A', fps: 30, duration: 10 })).toBeNull();
  });
});

describe('outputLadderId', () => {
  it('sorts WxH@fps largest first and comma-joins them', () => {
    const outputs = [
      { resolution: '640x360', fps: 30 },
      { resolution: '1920x1080', fps: 30 },
      { resolution: '1280x720', fps: 60 },
      { resolution: '1280x720', fps: 30 },
    ];
    expect(outputLadderId({ outputs })).toBe('1920x1080@30,1280x720@60,1280x720@30,640x360@30');
  });

  it('lists repeated streams of a multi once, uses the own size without outputs, null for a baseline', () => {
    const same = { resolution: '320x240', fps: 15 };
    expect(outputLadderId({ outputs: [same, same] })).toBe('320x240@15');
    expect(outputLadderId({ resolution: '1280x720', fps: 30 })).toBe('1280x720@30');
    expect(outputLadderId({ outputs: [], resolution: null, fps: null })).toBeNull();
  });
});
