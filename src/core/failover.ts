import { FfrtmpError } from './errors.js';
import { type BackoffOptions, backoffMs } from './job.js';

/**
 * Failover between several masters (DESIGN §1: stateless masters on one PostgreSQL). The agent
 * and the CLI keep one master as "current" and send every request there; a request that fails in
 * a way another master could fix (no connection, 5xx, no answer in time) moves to the next one,
 * and the client stays on whichever answered. After a whole round of failures it waits a
 * jittered backoff and tries again, a few rounds at most. Pure: the caller does the I/O and
 * passes in random numbers; this module decides.
 */

export interface FailoverPolicy {
  /** Full passes over the master list before a request gives up. */
  rounds: number;
  /** The wait between two rounds (equal-jitter exponential, as for job retries). */
  backoff: BackoffOptions;
  /** A request without `wait=` that has no answer after this long counts as a failed master. */
  requestTimeoutMs: number;
  /** Added to a long-poll's `wait=` seconds before it counts as failed. */
  longPollGraceMs: number;
}

// Three rounds wait 0.25–0.5 s then 0.5–1 s: enough to ride out a master restart or a database
// reconnect without holding a CLI command for long; the agent's loops retry on their own after.
export const DEFAULT_FAILOVER_POLICY: FailoverPolicy = {
  rounds: 3,
  backoff: { baseMs: 500, capMs: 5000 },
  requestTimeoutMs: 15_000,
  longPollGraceMs: 10_000,
};

/** How one attempt against one master ended. */
export type AttemptOutcome =
  | { kind: 'response'; status: number }
  /** No HTTP answer; `sent` is false when the request provably never reached the master (refused, no route). */
  | { kind: 'network'; code: string | undefined; sent: boolean }
  | { kind: 'timeout' };

// Errors that happen before any byte of the request reached a server: safe to send elsewhere.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

export function networkOutcome(code: string | undefined): AttemptOutcome {
  return { kind: 'network', code, sent: !(code !== undefined && NOT_SENT_CODES.has(code)) };
}

/**
 * Requests that create something each time they are applied. Sent twice (the first reached the
 * master but its answer was lost) they would create two jobs or runs, so they fail over only when
 * the first master provably did not apply them: never sent, or a 5xx (the transaction rolled back).
 * Everything else is safe to repeat: registration is keyed by node_key, results are idempotent per
 * attempt, heartbeats and progress only renew, and a lost claim's lease is reaped.
 */
function createsOnEachCall(method: string, path: string): boolean {
  return method === 'POST' && /^\/(jobs|runs)(\?|$)/.test(path);
}

/** Whether another master should be tried after `outcome` of `method path` (path without the base URL). */
export function shouldFailOver(outcome: AttemptOutcome, method: string, path: string): boolean {
  switch (outcome.kind) {
    case 'response':
      // 4xx is the caller's problem (or a 404 the agent handles by registering again): same on every master.
      return outcome.status >= 500;
    case 'network':
      return !outcome.sent || !createsOnEachCall(method, path);
    case 'timeout':
      return !createsOnEachCall(method, path);
  }
}

/** How long to wait for an answer to `path`: a long-poll (`wait=S`) gets S plus the grace. */
export function attemptTimeoutMs(path: string, policy: FailoverPolicy = DEFAULT_FAILOVER_POLICY): number {
  const wait = /[?&]wait=(\d+(?:\.\d+)?)/.exec(path);
  return wait?.[1] ? Number(wait[1]) * 1000 + policy.longPollGraceMs : policy.requestTimeoutMs;
}

/** The masters to try for one request, in order: the current one first, then the rest round the list. */
export function attemptOrder(count: number, current: number): number[] {
  return Array.from({ length: count }, (_, i) => (current + i) % count);
}

/** The pause before round `round` (1-based; round 1 starts at once). */
export function roundDelayMs(
  round: number,
  random: number,
  policy: FailoverPolicy = DEFAULT_FAILOVER_POLICY,
): number {
  return round <= 1 ? 0 : backoffMs(round - 1, random, policy.backoff);
}

/**
 * Parses the master list of `--master` / FFRTMP_MASTER / the config file: URLs separated by commas
 * (a list option already split them), http or https, no duplicates. Trailing slashes are dropped so
 * the client can append paths.
 */
export function parseMasterUrls(values: string | readonly string[], flag = '--master'): string[] {
  const items = (typeof values === 'string' ? values.split(',') : values.flatMap((v) => v.split(',')))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (items.length === 0) {
    throw new FfrtmpError('E_INVALID_CONFIG', `${flag}: expected one or more master URLs, got none`);
  }
  const urls: string[] = [];
  for (const item of items) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `${flag}: expected a URL like http://host:8080, got "${item}"`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FfrtmpError('E_INVALID_CONFIG', `${flag}: expected an http or https URL, got "${item}"`);
    }
    const normalized = item.replace(/\/+$/, '');
    if (urls.includes(normalized)) {
      throw new FfrtmpError('E_INVALID_CONFIG', `${flag}: "${normalized}" is listed twice`);
    }
    urls.push(normalized);
  }
  return urls;
}
