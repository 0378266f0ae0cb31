import { describe, expect, it } from 'vitest';
import { FfrtmpError } from './errors.js';
import {
  DEFAULT_FAILOVER_POLICY,
  attemptOrder,
  attemptTimeoutMs,
  networkOutcome,
  parseMasterUrls,
  roundDelayMs,
  shouldFailOver,
} from './failover.js';

describe('parseMasterUrls', () => {
  it('splits a comma list, trims, drops trailing slashes', () => {
    expect(parseMasterUrls(' http://a:8080/ , https://b:8443')).toEqual(['http://a:8080', 'https://b:8443']);
  });

  it('accepts a list option value (repeated flags, config arrays) whose items may hold commas', () => {
    expect(parseMasterUrls(['http://a:1', 'http://b:2,http://c:3'])).toEqual([
      'http://a:1',
      'http://b:2',
      'http://c:3',
    ]);
  });

  it.each([
    ['', /expected one or more master URLs/],
    ['http://a:1,not a url', /--master: expected a URL like http:\/\/host:8080, got "not a url"/],
    ['ftp://a', /expected an http or https URL, got "ftp:\/\/a"/],
    ['http://a:1,http://a:1/', /"http:\/\/a:1" is listed twice/],
  ])('rejects %j with a coded error', (input, message) => {
    expect(() => parseMasterUrls(input)).toThrow(message);
    expect(() => parseMasterUrls(input)).toThrow(FfrtmpError);
  });
});

describe('shouldFailOver', () => {
  const refused = networkOutcome('ECONNREFUSED');
  const reset = networkOutcome('ECONNRESET');

  it('fails over on 5xx, never on 2xx or 4xx (a 404 means register again, on any master)', () => {
    expect(shouldFailOver({ kind: 'response', status: 503 }, 'GET', '/jobs')).toBe(true);
    expect(shouldFailOver({ kind: 'response', status: 500 }, 'POST', '/jobs')).toBe(true);
    expect(shouldFailOver({ kind: 'response', status: 200 }, 'GET', '/jobs')).toBe(false);
    expect(shouldFailOver({ kind: 'response', status: 404 }, 'POST', '/nodes/n1/heartbeat')).toBe(false);
    expect(shouldFailOver({ kind: 'response', status: 409 }, 'POST', '/results')).toBe(false);
  });

  it('tells requests that never left from those that may have been applied', () => {
    expect(refused).toEqual({ kind: 'network', code: 'ECONNREFUSED', sent: false });
    expect(reset).toEqual({ kind: 'network', code: 'ECONNRESET', sent: true });
    expect(networkOutcome(undefined)).toMatchObject({ sent: true });
  });

  it('repeats idempotent requests after any network failure or timeout', () => {
    for (const [method, path] of [
      ['POST', '/nodes/register'],
      ['POST', '/nodes/n1/heartbeat'],
      ['GET', '/jobs/next?node_id=n1&wait=30'],
      ['POST', '/results'],
      ['POST', '/jobs/j1/progress'],
    ] as const) {
      expect(shouldFailOver(reset, method, path)).toBe(true);
      expect(shouldFailOver({ kind: 'timeout' }, method, path)).toBe(true);
    }
  });

  it('sends a job or run submission elsewhere only when the first master surely did not take it', () => {
    for (const path of ['/jobs', '/runs']) {
      expect(shouldFailOver(refused, 'POST', path)).toBe(true);
      expect(shouldFailOver(reset, 'POST', path)).toBe(false);
      expect(shouldFailOver({ kind: 'timeout' }, 'POST', path)).toBe(false);
    }
    expect(shouldFailOver(reset, 'GET', '/jobs?status=queued')).toBe(true);
  });
});

describe('attemptTimeoutMs', () => {
  it('gives a long-poll its wait plus the grace, anything else the request timeout', () => {
    expect(attemptTimeoutMs('/jobs/next?node_id=n&wait=30')).toBe(
      30_000 + DEFAULT_FAILOVER_POLICY.longPollGraceMs,
    );
    expect(attemptTimeoutMs('/jobs/next?wait=0.5&node_id=n')).toBe(
      500 + DEFAULT_FAILOVER_POLICY.longPollGraceMs,
    );
    expect(attemptTimeoutMs('/nodes/register')).toBe(DEFAULT_FAILOVER_POLICY.requestTimeoutMs);
  });
});

describe('attemptOrder', () => {
  it('starts at the current master and goes round the list once', () => {
    expect(attemptOrder(3, 0)).toEqual([0, 1, 2]);
    expect(attemptOrder(3, 2)).toEqual([2, 0, 1]);
    expect(attemptOrder(1, 0)).toEqual([0]);
  });
});

describe('roundDelayMs', () => {
  const policy = { ...DEFAULT_FAILOVER_POLICY, backoff: { baseMs: 500, capMs: 2000 } };
  it('starts the first round at once, then backs off with equal jitter up to the cap', () => {
    expect(roundDelayMs(1, 0.9, policy)).toBe(0);
    expect(roundDelayMs(2, 0, policy)).toBe(250);
    expect(roundDelayMs(2, 1, policy)).toBe(500);
    expect(roundDelayMs(3, 0.5, policy)).toBe(750);
    expect(roundDelayMs(10, 1, policy)).toBe(2000);
  });
});
