import { afterAll, beforeAll } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { describeStoreContract } from '../../src/store/contract.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

// Each test gets a fresh schema of this file's database: the same isolation as a new SQLite file.
describeStoreContract('postgres', async () => openPostgresStore({ url: await db.schemaUrl() }));
