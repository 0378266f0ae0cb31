import type { FetchLike, RequestLike, ResponseLike } from '../core/client.js';
import {
  type AttemptOutcome,
  DEFAULT_FAILOVER_POLICY,
  type FailoverPolicy,
  attemptOrder,
  attemptTimeoutMs,
  networkOutcome,
  roundDelayMs,
  shouldFailOver,
} from '../core/failover.js';
import { delay } from './delay.js';

export interface FailoverFetchOptions {
  /** Master base URLs, already parsed (parseMasterUrls). */
  urls: readonly string[];
  /** The transport that does the HTTP. */
  fetch: FetchLike;
  policy?: FailoverPolicy;
  random?: () => number;
  /** Called when requests move to another master. */
  onSwitch?: (from: string, to: string, reason: string) => void;
}

export interface FailoverFetch {
  /** The base URL to give createMasterClient: the masters, comma-separated (it shows in messages). */
  baseUrl: string;
  fetch: FetchLike;
  /** The master requests go to now. */
  current(): string;
}

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(outcome: AttemptOutcome): string {
  if (outcome.kind === 'response') return `HTTP ${outcome.status}`;
  if (outcome.kind === 'timeout') return 'no answer in time';
  return outcome.code ?? 'connection failed';
}

/**
 * A FetchLike over several masters for the one typed client (src/core/client.ts): the client is
 * built with `baseUrl` and every request it makes is sent to the current master, failing over by
 * the policy in core/failover.ts. A 4xx (a 404 that means "register again" included) is returned
 * as is: every master would say the same.
 */
export function createFailoverFetch(options: FailoverFetchOptions): FailoverFetch {
  const urls = [...options.urls];
  if (urls.length === 0) throw new Error('createFailoverFetch: no master URL');
  const policy = options.policy ?? DEFAULT_FAILOVER_POLICY;
  const random = options.random ?? Math.random;
  const baseUrl = urls.join(',');
  let current = 0;

  /** One attempt against one master, bounded by the attempt timeout and the caller's signal. */
  async function attempt(
    url: string,
    init: RequestLike,
    timeoutMs: number,
  ): Promise<{ response: ResponseLike } | { outcome: AttemptOutcome; error: unknown }> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    try {
      return { response: await options.fetch(url, { ...init, signal }) };
    } catch (error) {
      if (init.signal?.aborted) throw error;
      if (timeout.signal.aborted) {
        const message = `no answer from ${url} within ${(timeoutMs / 1000).toFixed(1)} s`;
        return {
          outcome: { kind: 'timeout' },
          error: Object.assign(new Error(message), { code: 'ETIMEDOUT' }),
        };
      }
      return { outcome: networkOutcome(errorCode(error)), error };
    } finally {
      clearTimeout(timer);
    }
  }

  const fetch: FetchLike = async (url, init) => {
    if (!url.startsWith(baseUrl)) return options.fetch(url, init);
    const path = url.slice(baseUrl.length);
    const timeoutMs = attemptTimeoutMs(path, policy);
    const failures: string[] = [];
    let lastError: unknown;
    let lastResponse: ResponseLike | undefined;
    for (let round = 1; round <= policy.rounds; round++) {
      const wait = roundDelayMs(round, random(), policy);
      if (wait > 0) await delay(wait, init.signal);
      if (init.signal?.aborted)
        throw Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
      lastResponse = undefined;
      const from = current;
      for (const index of attemptOrder(urls.length, from)) {
        const master = urls[index] as string;
        const result = await attempt(`${master}${path}`, init, timeoutMs);
        const outcome: AttemptOutcome =
          'response' in result ? { kind: 'response', status: result.response.status } : result.outcome;
        if ('response' in result && !shouldFailOver(outcome, init.method, path)) {
          if (index !== current) {
            options.onSwitch?.(urls[current] as string, master, failures.at(-1) ?? 'recovered');
            current = index;
          }
          return result.response;
        }
        failures.push(`${master}: ${describe(outcome)}`);
        if ('response' in result) {
          // Read it now (a body left unread holds its connection); it is returned if no master does better.
          const text = await result.response.text();
          lastResponse = { ok: result.response.ok, status: result.response.status, text: async () => text };
        } else {
          if (!shouldFailOver(outcome, init.method, path)) throw result.error;
          lastError = result.error;
        }
      }
    }
    // Every master failed every round. A 5xx answer carries the master's error code: give it back.
    if (lastResponse) return lastResponse;
    if (urls.length === 1) throw lastError;
    throw new Error(`no master answered: ${failures.slice(-urls.length).join('; ')}`);
  };

  return { baseUrl, fetch, current: () => urls[current] as string };
}
