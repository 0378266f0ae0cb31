import { describe, expect, it } from 'vitest';
import { type FetchLike, createMasterClient } from '../core/client.js';
import { DEFAULT_FAILOVER_POLICY } from '../core/failover.js';
import { createFailoverFetch } from './failover-fetch.js';

// The wrapper's routing, with a scripted transport: which master each request reaches, and what the
// typed client makes of it. Real masters: test/agent/failover.test.ts.

type Script = (url: string) => { status: number; body?: unknown } | Error | 'hang';

function scripted(script: Script) {
  const calls: string[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push(`${init.method} ${url}`);
    const step = script(url);
    if (step === 'hang') {
      return new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        ),
      );
    }
    if (step instanceof Error) return Promise.reject(step);
    const text = step.body === undefined ? '' : JSON.stringify(step.body);
    return Promise.resolve({ ok: step.status < 300, status: step.status, text: async () => text });
  };
  return { calls, fetch };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const fast = { ...DEFAULT_FAILOVER_POLICY, backoff: { baseMs: 2, capMs: 4 }, requestTimeoutMs: 50 };
const A = 'http://a:1';
const B = 'http://b:2';

function clientOver(script: Script, urls = [A, B]) {
  const t = scripted(script);
  const switches: string[] = [];
  const failover = createFailoverFetch({
    urls,
    fetch: t.fetch,
    policy: fast,
    random: () => 0,
    onSwitch: (from, to, why) => switches.push(`${from} -> ${to} (${why})`),
  });
  const client = createMasterClient({ baseUrl: failover.baseUrl, fetch: failover.fetch });
  return { client, calls: t.calls, switches, failover };
}

describe('createFailoverFetch', () => {
  it('sends everything to the first master while it answers', async () => {
    const { client, calls } = clientOver(() => ({ status: 200, body: { status: 'healthy' } }));
    await client.health();
    await client.health();
    expect(calls).toEqual([`GET ${A}/health`, `GET ${A}/health`]);
  });

  it('moves to the next master on a refused connection and stays there', async () => {
    const { client, calls, switches, failover } = clientOver((url) =>
      url.startsWith(A) ? refused() : { status: 200, body: { status: 'healthy' } },
    );
    await client.health();
    await client.health();
    expect(calls).toEqual([`GET ${A}/health`, `GET ${B}/health`, `GET ${B}/health`]);
    expect(switches).toEqual([`${A} -> ${B} (${A}: ECONNREFUSED)`]);
    expect(failover.current()).toBe(B);
  });

  it('moves on after a 5xx, and returns a 4xx as is (a 404 heartbeat means register again)', async () => {
    const { client, calls } = clientOver((url) =>
      url.startsWith(A)
        ? { status: 503, body: { error: { code: 'E_UNAVAILABLE', message: 'store down' } } }
        : { status: 404, body: { error: { code: 'E_NODE_NOT_FOUND', message: 'no node n1' } } },
    );
    await expect(client.heartbeat('n1')).rejects.toMatchObject({ code: 'E_NODE_NOT_FOUND' });
    expect(calls).toEqual([`POST ${A}/nodes/n1/heartbeat`, `POST ${B}/nodes/n1/heartbeat`]);
  });

  it('gives up after the rounds with the last 5xx code when every master answers 5xx', async () => {
    const { client, calls } = clientOver(() => ({
      status: 503,
      body: { error: { code: 'E_UNAVAILABLE', message: 'the store is unreachable' } },
    }));
    await expect(client.listJobs()).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(calls).toHaveLength(2 * fast.rounds);
  });

  it('names every master when none can be reached', async () => {
    const { client } = clientOver(() => refused());
    await expect(client.health()).rejects.toThrow(
      `cannot reach the master at ${A},${B} (no master answered: ${A}: ECONNREFUSED; ${B}: ECONNREFUSED)`,
    );
  });

  it('keeps the plain message with one master', async () => {
    const { client } = clientOver(() => refused(), [A]);
    await expect(client.health()).rejects.toThrow(`cannot reach the master at ${A} (ECONNREFUSED)`);
  });

  it('treats a master that does not answer in time as failed', async () => {
    const { client, calls } = clientOver((url) => (url.startsWith(A) ? 'hang' : { status: 200, body: {} }));
    await client.heartbeat('n1');
    expect(calls).toEqual([`POST ${A}/nodes/n1/heartbeat`, `POST ${B}/nodes/n1/heartbeat`]);
  });

  it('does not submit a job twice when the first master may have taken it', async () => {
    const { client, calls } = clientOver((url) => (url.startsWith(A) ? reset() : { status: 201, body: {} }));
    await expect(client.submitJob({ scenario: 's' })).rejects.toMatchObject({ code: 'E_MASTER_UNREACHABLE' });
    expect(calls).toEqual([`POST ${A}/jobs`]);
  });

  it('stops at once when the caller aborts (an agent draining its long-poll)', async () => {
    const { client, calls } = clientOver(() => 'hang');
    const abort = new AbortController();
    const polled = client.nextJob('n1', 30, abort.signal);
    abort.abort();
    await expect(polled).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toEqual([`GET ${A}/jobs/next?node_id=n1&wait=30`]);
  });
});
