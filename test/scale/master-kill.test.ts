import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { type TestDatabase, createTestDatabase } from '../postgres.js';
import { type Fleet, completedCount, ledger, startFleet, submitJobs } from './fleet.js';

// kill -9 of one of two masters while 16 agents work through 500 jobs: the agents that used it move
// to the other, no job is lost, none completes twice, and the lease of a claim the dead master made
// but never delivered is reaped exactly once by the survivor.

let db: TestDatabase;
let fleet: Fleet | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await db?.drop();
});

it('kill -9 of a master under load loses no job and completes none twice', { timeout: 90_000 }, async () => {
  // A short lease so the undelivered claim comes back within the test; heartbeats (every 500 ms)
  // keep the live agents' leases.
  fleet = await startFleet({
    databaseUrl: db.url,
    masters: 2,
    agents: 16,
    masterArgs: ['--lease-timeout', '6s'],
  });
  const [a, b] = fleet.masters;
  if (!a || !b) throw new Error('two masters expected');
  await submitJobs([a.url, b.url], 500, 'kill');

  // A claim that master A commits but whose answer never reaches its agent — what a kill -9 in the
  // middle of GET /jobs/next leaves behind — made deterministic: the answer is read and dropped,
  // and that node never speaks again.
  const lost = (await (
    await fetch(`${a.url}/nodes/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: 'lost-answer', node_key: 'lost-answer' }),
    })
  ).json()) as { id: string };
  const orphan = (
    (await (await fetch(`${a.url}/jobs/next?node_id=${lost.id}`)).json()) as { job: { id: string } }
  ).job;
  expect(orphan?.id).toBeTruthy();

  await until(
    async () => ((await completedCount(db.url)) >= 150 ? true : undefined),
    60_000,
    '150 jobs done',
  );
  await a.kill();
  expect(a.child.signalCode).toBe('SIGKILL');

  await until(
    async () => ((await completedCount(db.url)) === 500 ? true : undefined),
    70_000,
    'all 500 jobs done',
  );
  const book = await ledger(db.url);
  expect(book.completed).toBe(500);
  expect(book.notExactlyOnce).toEqual([]);
  // Reaped once: the orphan came back as attempt 2 and nothing went to a third attempt.
  expect(Math.max(...book.attempts.keys())).toBe(2);
  const job = (await (await fetch(`${b.url}/jobs/${orphan.id}`)).json()) as Record<string, unknown>;
  expect(job).toMatchObject({ status: 'completed', attempt: 2, retry_count: 1 });
  expect(job.node_id).not.toBe(lost.id);

  // The agents that preferred A (half of them) moved to B, and only that way.
  expect(fleet.seen.switches.length).toBeGreaterThanOrEqual(8);
  expect(new Set(fleet.seen.switches)).toEqual(new Set([`${a.url} -> ${b.url}`]));
  // They saw A fail at the socket: refused, or reset mid-request when it died (a busy machine gives either).
  const socketErrors = [...fleet.seen.network.values()].reduce((a, b) => a + b, 0);
  expect(socketErrors, JSON.stringify([...fleet.seen.network])).toBeGreaterThan(0);
});
