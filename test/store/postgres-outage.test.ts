import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Master, createMaster } from '../../src/master/create-master.js';
import type { Store } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { until } from '../helpers.js';
import { createTestDatabase, type TestDatabase } from '../postgres.js';

// The store's connections go through a TCP proxy the test controls, so "PostgreSQL is down" and
// "the connection died mid-request" happen exactly when the test says, without touching the
// server that other tests share.

const NODE = {
  address: 'worker-1',
  type: 'server',
  cpu_threads: 16,
  cpu_model: 'Intel Xeon',
  has_gpu: false,
  ram_bytes: 34_359_738_368,
};
const JOB = { scenario: 'outage', confidence: 'auto', parameters: { duration: 60, bitrate: '5000k' } };

interface Proxy {
  port: number;
  /** Stops accepting and drops every connection: the server looks down. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Keeps what clients send from reaching the server (a request then hangs in flight). */
  hold(): void;
  held(): number;
  /** Drops every open connection (kill of the backends). */
  cut(): void;
  close(): Promise<void>;
}

async function startProxy(target: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let holding = false;
  let heldBytes = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (holding) heldBytes += chunk.length;
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(0);
  const cut = () => {
    for (const s of [...sockets]) s.destroy();
    sockets.clear();
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      cut();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
  return {
    port,
    async down() {
      await stop();
    },
    async up() {
      await listen(port);
    },
    hold() {
      holding = true;
      heldBytes = 0;
    },
    held: () => heldBytes,
    cut() {
      holding = false;
      cut();
    },
    close: stop,
  };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

let opened: { master: Master; store: Store; proxy: Proxy } | undefined;
afterEach(async () => {
  if (!opened) return;
  await opened.master.close();
  await opened.store.close();
  await opened.proxy.close();
  opened = undefined;
});

async function masterBehindProxy() {
  const url = new URL(await db.schemaUrl());
  const proxy = await startProxy(Number(url.port || 5432));
  url.port = String(proxy.port);
  const store = await openPostgresStore({ url: url.toString(), connectTimeoutMs: 2000 });
  const master = createMaster({ store });
  opened = { master, store, proxy };
  return opened;
}

async function call(master: Master, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await master.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
}

describe('PostgreSQL outages', () => {
  it('answers 503 E_STORE_UNAVAILABLE while the server is down, and works again once it is back', async () => {
    const { master, proxy } = await masterBehindProxy();
    const node = (await call(master, 'POST', '/nodes/register', NODE)).json;
    const first = await call(master, 'POST', '/jobs', JOB);
    expect(first.status).toBe(201);

    await proxy.down();
    for (const [method, url, body] of [
      ['POST', '/jobs', JOB],
      ['GET', '/jobs', undefined],
      ['GET', `/jobs/next?node_id=${node.id}`, undefined],
      ['POST', `/nodes/${node.id}/heartbeat`, {}],
    ] as const) {
      const res = await call(master, method, url, body);
      expect(res.status, `${method} ${url}`).toBe(503);
      expect(res.json.error.code).toBe('E_STORE_UNAVAILABLE');
      // A clear message, no internals: no stack, no password.
      expect(res.json.error.message).toMatch(/PostgreSQL store is unreachable/);
      expect(res.json.error.message).not.toMatch(/ffrtmp_test@|at .*\.js/);
    }

    await proxy.up();
    // The pool opens fresh connections by itself.
    const again = await call(master, 'POST', '/jobs', JOB);
    expect(again.status).toBe(201);
    const jobs = (await call(master, 'GET', '/jobs')).json;
    expect(jobs.jobs.map((j: { id: string }) => j.id)).toEqual([first.json.id, again.json.id]);
    expect((await call(master, 'GET', `/jobs/next?node_id=${node.id}`)).json.job.id).toBe(first.json.id);
  });

  it('fails a request whose connection dies in flight with 503 and stores nothing of it', async () => {
    const { master, proxy } = await masterBehindProxy();
    const node = (await call(master, 'POST', '/nodes/register', NODE)).json;
    const job = (await call(master, 'POST', '/jobs', JOB)).json;

    proxy.hold();
    const claim = call(master, 'GET', `/jobs/next?node_id=${node.id}`);
    await until(() => (proxy.held() > 0 ? true : undefined), 5000, 'the claim to reach the proxy');
    proxy.cut();
    const res = await claim;
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('E_STORE_UNAVAILABLE');

    // Nothing half-applied: the job is still queued, and the next claim gets it.
    expect((await call(master, 'GET', `/jobs/${job.id}`)).json).toMatchObject({
      status: 'queued',
      attempt: 1,
    });
    const next = (await call(master, 'GET', `/jobs/next?node_id=${node.id}`)).json;
    expect(next.job).toMatchObject({ id: job.id, status: 'assigned', node_id: node.id });
  });
});
