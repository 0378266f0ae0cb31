import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Master, type MasterDeps, createMaster } from '../src/master/create-master.js';
import type { Store } from '../src/store/port.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'ffrtmp-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A controllable clock: tests move time explicitly. */
export function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

export interface TestMaster {
  master: Master;
  store: Store;
  dir: string;
  close(): Promise<void>;
}

/** A master over a real SQLite file in a temp dir, for in-process (`inject`) tests. */
export function openTestMaster(deps: Partial<MasterDeps> = {}): TestMaster {
  const dir = tempDir();
  const store = deps.store ?? openSqliteStore({ path: join(dir.path, 'ffrtmp.db') });
  const master = createMaster({ ...deps, store });
  return {
    master,
    store,
    dir: dir.path,
    async close() {
      await master.close();
      await store.close();
      dir.cleanup();
    },
  };
}

export const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

export interface SpawnedMaster {
  url: string;
  child: import('node:child_process').ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/**
 * Starts `ffrtmp master` from the built CLI on a free port and resolves once it listens.
 * Fails with the master's output if it exits or does not listen within 15 s.
 */
export async function spawnMaster(args: string[], env: Record<string, string> = {}): Promise<SpawnedMaster> {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it first)`);
  const child = spawn(process.execPath, [CLI, 'master', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, FFRTMP_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`master did not start in 15 s:\n${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`master exited with ${code}:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, output: () => out, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** A minimal JSON HTTP call for tests (fetch, no keep-alive surprises). */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export interface SpawnedAgent {
  child: import('node:child_process').ChildProcess;
  workDir: string;
  nodeId: Promise<string>;
  /** The agent's JSON log lines so far. */
  logs: () => Record<string, unknown>[];
  /** SIGTERM (drain) and wait for exit. */
  stop(): Promise<void>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `ffrtmp agent --register` from the built CLI against `masterUrl`. */
export async function spawnAgent(
  masterUrl: string,
  workDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<SpawnedAgent> {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    [
      CLI,
      'agent',
      '--register',
      '--master',
      masterUrl,
      '--allow-master-as-worker',
      '--metrics-port',
      '0',
      '--work-dir',
      workDir,
      '--poll-interval',
      '5s',
      '--heartbeat-interval',
      '500ms',
      '--progress-interval',
      '500ms',
      // Tests that need a real idle baseline ask for one; a 10 s wait at every start would not do.
      '--baseline-duration',
      '1s',
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let raw = '';
  let onRegistered: (id: string) => void = () => undefined;
  let onFailed: (e: Error) => void = () => undefined;
  const nodeId = new Promise<string>((resolve, reject) => {
    onRegistered = resolve;
    onFailed = reject;
  });
  nodeId.catch(() => undefined);
  const onData = (chunk: Buffer) => {
    raw += chunk.toString();
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'registered with the master') onRegistered(String(entry.node_id));
      } catch {
        // not a log line
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      onFailed(new Error(`agent exited with ${code} before registering:\n${raw}`));
      resolve(code);
    }),
  );
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    workDir,
    nodeId,
    logs: () => lines,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    exited,
  };
}

/** Polls `fn` until it returns a non-undefined value (or throws after `timeoutMs`). */
export async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Lets wall-clock time pass on purpose — for a test whose subject is a duration (a master kept
 * down for 10 s), never to wait for something to happen (use `until` for that).
 */
export function outage(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
