import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { type TestDatabase, createTestDatabase } from '../postgres.js';
import { type Fleet, completedCount, ledger, startFleet, submitJobs } from './fleet.js';

// PostgreSQL drops every connection of the masters (pg_terminate_backend on this test's database,
// what a server restart does to them, without restarting the server other tests share) three times
// while 16 agents work through 400 jobs: requests in flight fail as 503 with a code, the agents
// retry them, the masters reconnect, and the ledger has every job completed exactly once.

let db: TestDatabase;
let fleet: Fleet | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await db?.drop();
});

async function terminateBackends(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

it('connections killed under load: clean 5xx, retried, masters reconnect, no corruption', {
  timeout: 90_000,
}, async () => {
  fleet = await startFleet({ databaseUrl: db.url, masters: 2, agents: 16 });
  const urls = fleet.masters.map((m) => m.url);
  await submitJobs(urls, 400, 'pg-drop');
  await until(
    async () => ((await completedCount(db.url)) >= 100 ? true : undefined),
    60_000,
    '100 jobs done',
  );
  let terminated = 0;
  for (let i = 0; i < 3; i++) {
    const before = await completedCount(db.url);
    terminated += await terminateBackends(db.url);
    // The next cut comes once work flows again (the masters reconnected), or the work ran out.
    await until(
      async () => ((await completedCount(db.url)) > Math.min(before, 399) ? true : undefined),
      30_000,
      `jobs to complete again after cut ${i + 1}`,
    );
  }
  expect(terminated).toBeGreaterThanOrEqual(4); // both masters' pools and LISTEN connections

  await until(
    async () => ((await completedCount(db.url)) === 400 ? true : undefined),
    60_000,
    'all 400 jobs done',
  );
  for (const m of fleet.masters) {
    // Neither master crashed (an unhandled 'error' of a dropped connection would end the process).
    expect(m.child.exitCode, `a master exited; its output:\n${m.output()}`).toBeNull();
  }
  // Reconnected: more work through each master completes too.
  await submitJobs(urls, 20, 'after');
  await until(
    async () => ((await completedCount(db.url)) === 420 ? true : undefined),
    30_000,
    '20 more jobs done',
  );

  const book = await ledger(db.url);
  expect(book.completed).toBe(420);
  expect(book.notExactlyOnce).toEqual([]);
  expect(book.results).toBe(420);

  // What the agents saw: failures were 503 E_STORE_UNAVAILABLE (or E_UNAVAILABLE), never a bare 500.
  const fiveHundreds = [...fleet.seen.statuses].filter(([s]) => s >= 500);
  expect(fiveHundreds.every(([s]) => s === 503)).toBe(true);
  expect(
    [...fleet.seen.codes.keys()].every((c) => c === 'E_STORE_UNAVAILABLE' || c === 'E_UNAVAILABLE'),
  ).toBe(true);
  expect(fleet.seen.codes.get('E_STORE_UNAVAILABLE') ?? 0).toBeGreaterThan(0);
});
