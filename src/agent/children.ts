import { type ChildProcess, spawn } from 'node:child_process';
import { readProcStat } from '../power/procfs.js';

/**
 * Every child process the agent starts goes through here. Each one is owned: it can be stopped
 * (SIGTERM, then SIGKILL after a grace period), and we only ever signal a pid we started and that
 * has not exited — never a process this agent did not start.
 *
 * CPU accounting: when a child is reaped, the kernel adds its CPU time (and that of every
 * descendant it reaped) to this process's cutime/cstime. libuv reaps children one at a time and
 * runs each exit callback right after, so the growth of our cutime since the previous reaped
 * child is exactly this child's whole-tree CPU time — nothing lost to sampling.
 */

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** CPU seconds of the child and its descendants. */
  cpuSeconds: number;
  wallMs: number;
  /** The spawn itself failed (ENOENT: command not found). */
  spawnError?: Error;
}

export interface OwnedProcess {
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  /** Resolves once the process has exited and its stdout/stderr are fully read. */
  readonly closed: Promise<void>;
  /** True until the exit is observed. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
  stop(graceMs: number): Promise<ExitInfo>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  procRoot?: string;
}

/**
 * Signals the child's process group: the child is its leader (spawned detached), so the group is
 * exactly the tree this agent started — a helper FFmpeg forked goes down with it.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already; fall back to the pid we hold
  }
}

let lastReapedChildrenCpu: number | undefined;

function childrenCpuNow(procRoot: string | undefined): number | undefined {
  return readProcStat('self', procRoot)?.childrenCpuSeconds;
}

export function spawnOwned(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): OwnedProcess {
  lastReapedChildrenCpu ??= childrenCpuNow(options.procRoot);
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a terminal's Ctrl-C reaches the agent, which then stops it in order.
    detached: true,
  });
  let running = true;
  let spawnError: Error | undefined;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (err) => {
    spawnError = err;
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      const now = childrenCpuNow(options.procRoot);
      const cpuSeconds =
        now !== undefined && lastReapedChildrenCpu !== undefined
          ? Math.max(0, now - lastReapedChildrenCpu)
          : 0;
      if (now !== undefined) lastReapedChildrenCpu = now;
      resolve({ code, signal, cpuSeconds, wallMs: performance.now() - started });
    });
    child.once('error', (err) => {
      if (child.pid === undefined) {
        running = false;
        resolve({
          code: null,
          signal: null,
          cpuSeconds: 0,
          wallMs: performance.now() - started,
          spawnError: err,
        });
      }
    });
  });

  return {
    get pid() {
      return child.pid;
    },
    child,
    closed,
    exited: exited.then((info) => (spawnError && !info.spawnError ? { ...info, spawnError } : info)),
    running: () => running,
    async stop(graceMs) {
      if (running && child.pid !== undefined) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => {
          if (running) signalGroup(child, 'SIGKILL');
        }, graceMs);
        const info = await exited;
        clearTimeout(timer);
        return info;
      }
      return exited;
    },
  };
}
