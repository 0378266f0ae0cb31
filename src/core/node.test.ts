import { describe, expect, it } from 'vitest';
import { classifyNodeType, isNodeLost, liveStatus } from './node.js';

const GiB = 1024 ** 3;

describe('classifyNodeType', () => {
  it('calls 16 threads / 64 GiB a desktop (more than 16 threads needed)', () => {
    expect(classifyNodeType({ hasBattery: false, cpuThreads: 16, ramBytes: 64 * GiB })).toBe('desktop');
  });

  it('calls 17 threads / 33 GiB a server', () => {
    expect(classifyNodeType({ hasBattery: false, cpuThreads: 17, ramBytes: 33 * GiB })).toBe('server');
  });

  it('calls 17 threads / exactly 32 GiB a desktop (more than 32 GiB needed)', () => {
    expect(classifyNodeType({ hasBattery: false, cpuThreads: 17, ramBytes: 32 * GiB })).toBe('desktop');
  });

  it('calls anything with a battery a laptop, however big', () => {
    expect(classifyNodeType({ hasBattery: true, cpuThreads: 64, ramBytes: 256 * GiB })).toBe('laptop');
  });
});

describe('isNodeLost', () => {
  const timeoutMs = 60_000;
  const node = { last_heartbeat: 1_000_000, status: 'available' as const };

  it('is not lost at exactly the timeout', () => {
    expect(isNodeLost(node, 1_000_000 + timeoutMs, timeoutMs)).toBe(false);
  });

  it('is lost one ms past the timeout', () => {
    expect(isNodeLost(node, 1_000_000 + timeoutMs + 1, timeoutMs)).toBe(true);
  });

  it('applies to busy nodes too', () => {
    expect(isNodeLost({ ...node, status: 'busy' }, 2_000_000, timeoutMs)).toBe(true);
  });

  it('does not lose a node that is already offline again', () => {
    expect(isNodeLost({ ...node, status: 'offline' }, 9_000_000, timeoutMs)).toBe(false);
  });

  it('is not lost when the clock jumps backwards', () => {
    expect(isNodeLost(node, 0, timeoutMs)).toBe(false);
  });
});

describe('liveStatus', () => {
  it('is busy while holding jobs and available otherwise', () => {
    expect(liveStatus(0)).toBe('available');
    expect(liveStatus(2)).toBe('busy');
  });
});
