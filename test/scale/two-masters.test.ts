import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { type TestDatabase, createTestDatabase } from '../postgres.js';
import { type Fleet, completedCount, ledger, startFleet, submitJobs } from './fleet.js';

// Two `ffrtmp master` processes on one PostgreSQL database, 16 agents spread over both (each
// fails over to the other), 500 jobs submitted half through each master: every job completes
// exactly once, counted in the database.

let db: TestDatabase;
let fleet: Fleet | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await db?.drop();
});

it('500 jobs through two masters: each completes exactly once', { timeout: 90_000 }, async () => {
  fleet = await startFleet({ databaseUrl: db.url, masters: 2, agents: 16 });
  const urls = fleet.masters.map((m) => m.url);
  const ids = await submitJobs(urls, 500, 'two-masters');
  expect(new Set(ids).size).toBe(500);
  await until(
    async () => ((await completedCount(db.url)) === 500 ? true : undefined),
    60_000,
    'all 500 jobs to complete',
  );
  const book = await ledger(db.url);
  expect(book.jobs).toBe(500);
  expect(book.completed).toBe(500);
  expect(book.notExactlyOnce).toEqual([]);
  expect(book.results).toBe(500); // no second result of any attempt
  // One database behind both: each master sees the whole fleet (agent i registered through master i mod 2).
  for (const url of urls) {
    const nodes = (await (await fetch(`${url}/nodes?limit=100`)).json()) as { count: number };
    expect(nodes.count).toBe(16);
  }
  expect(fleet.seen.switches).toEqual([]);
  expect([...fleet.seen.statuses.keys()].filter((s) => s >= 500)).toEqual([]);
});
