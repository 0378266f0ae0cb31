import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface BenchMaster {
  url: string;
  pid: number;
  /** Where the master's temp database (and CPU profiles, if any) live. */
  dir: string;
  /** Set when started with a profile: `.cpuprofile` files appear here after `stop()`. */
  profileDir: string | undefined;
  /** SIGTERM, wait for a graceful exit (SIGKILL after `graceMs`); returns the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** The tail of the master's stdout + stderr. */
  output(): string;
  /** Stops the master if still running and deletes the temp dir. */
  cleanup(): Promise<void>;
}

/**
 * Starts the built CLI (`ffrtmp master`) as a child process on a free loopback port with a fresh
 * SQLite file (default durability: WAL, synchronous=NORMAL), or the given store flags, and resolves
 * once it listens.
 */
export async function startBenchMaster(
  opts: {
    profile?: boolean /** Store flags instead of a fresh SQLite file, e.g. ['--database-url', url]. */;
    storeArgs?: string[];
  } = {},
): Promise<BenchMaster> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  const dir = mkdtempSync(join(tmpdir(), 'ffrtmp-bench-'));
  const profileDir = opts.profile ? join(dir, 'profile') : undefined;
  const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const args = [
    ...nodeFlags,
    CLI,
    'master',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...(opts.storeArgs ?? ['--db', join(dir, 'bench.db')]),
    '--log-level',
    'warn',
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, FFRTMP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 65_536) out = out.slice(-32_768); // keep the tail: warnings stay visible
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await waitForListening(child, () => out);
    const pid = child.pid;
    if (pid === undefined) throw new Error('master has no pid');
    const stop = async (graceMs = 10_000): Promise<number | null> => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    };
    return {
      url,
      pid,
      dir,
      profileDir,
      stop,
      output: () => out,
      async cleanup() {
        await stop(2_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function waitForListening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const done = (err: Error | null, url?: string) => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(url as string);
    };
    const onExit = (code: number | null) => done(new Error(`master exited with ${code}:\n${output()}`));
    const timer = setTimeout(() => done(new Error(`master did not start in 15 s:\n${output()}`)), 15_000);
    const poll = setInterval(() => {
      const m = /listening on (\S+)/.exec(output());
      if (m?.[1]) done(null, m[1]);
    }, 20);
    child.once('exit', onExit);
  });
}
