import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

/**
 * Real PostgreSQL for tests (STYLE: never a mocked database). With FFRTMP_TEST_DATABASE_URL set,
 * that server is used (its user needs CREATEDB); otherwise the local Debian cluster is started when
 * it is down, and a test role is created once. Each test file gets its own database, dropped at the
 * end; `schemaUrl()` gives each test a fresh schema inside it, far cheaper than a database.
 */

const TEST_ROLE = 'ffrtmp_test';
const TEST_PASSWORD = 'ffrtmp_test';

export interface TestDatabase {
  /** URL of this file's own database. */
  url: string;
  /** A URL of the same database whose search_path is a new, empty schema. */
  schemaUrl(): Promise<string>;
  drop(): Promise<void>;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function missing(): Error {
  return new Error(
    'PostgreSQL is not installed: apt-get install postgresql (or set FFRTMP_TEST_DATABASE_URL to a server whose user may CREATE DATABASE)',
  );
}

interface Cluster {
  version: string;
  name: string;
  port: number;
  online: boolean;
}

function clusters(): Cluster[] {
  let out: string;
  try {
    out = run('pg_lsclusters', ['--no-header']);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
    throw error;
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && f[0] !== '')
    .map(([version = '', name = '', port = '', status = '']) => ({
      version,
      name,
      port: Number(port),
      online: status.startsWith('online'),
    }));
}

/** Starts the local cluster when needed and makes sure the test role exists; returns the admin URL. */
function localServer(): string {
  let all = clusters();
  if (all.length === 0) {
    // Installed without a cluster (e.g. create_main_cluster = false): create the default one.
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
    const version = versions.sort((x, y) => Number(y) - Number(x))[0];
    if (!version || process.getuid?.() !== 0) throw missing();
    run('pg_createcluster', [version, 'main']);
    all = clusters();
  }
  const cluster = all.find((c) => c.online) ?? all[0];
  if (!cluster) throw missing();
  if (!cluster.online) {
    if (process.getuid?.() !== 0)
      throw new Error(
        `PostgreSQL cluster ${cluster.version}/${cluster.name} is down: run "pg_ctlcluster ${cluster.version} ${cluster.name} start" as root, or set FFRTMP_TEST_DATABASE_URL`,
      );
    try {
      run('pg_ctlcluster', [cluster.version, cluster.name, 'start']);
    } catch (error) {
      // Another test file may have started it a moment ago.
      if (!clusters().some((c) => c.name === cluster.name && c.version === cluster.version && c.online))
        throw error;
    }
  }
  const sql = `DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEST_ROLE}') THEN
        CREATE ROLE ${TEST_ROLE} LOGIN CREATEDB PASSWORD '${TEST_PASSWORD}';
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;`;
  run('runuser', [
    '-u',
    'postgres',
    '--',
    'psql',
    '-X',
    '-q',
    '-p',
    String(cluster.port),
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    sql,
  ]);
  return `postgres://${TEST_ROLE}:${TEST_PASSWORD}@127.0.0.1:${cluster.port}/postgres`;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const STALE_MS = 6 * 3600_000;

/** Drops test databases older than STALE_MS: a test run that was killed never reached its afterAll. */
async function dropStale(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ '^ffrtmp_test_[0-9a-z]+_[0-9a-f]+$'",
  );
  for (const { datname } of rows) {
    const created = Number.parseInt(datname.split('_')[2] ?? '', 36);
    if (Number.isFinite(created) && Date.now() - created > STALE_MS)
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
  }
}

/** Creates a uniquely named database for one test file; call `drop()` in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = process.env.FFRTMP_TEST_DATABASE_URL ?? localServer();
  // The creation time in the name lets a later run drop what a killed run left behind.
  const name = `ffrtmp_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await dropStale(client);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  let schemas = 0;
  return {
    url,
    async schemaUrl() {
      const schema = `t${++schemas}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await c.end();
      }
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.toString();
    },
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
