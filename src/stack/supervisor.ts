import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ComponentSpec {
  /** Short name used in messages, e.g. "nginx-rtmp". */
  name: string;
  /** Executable path; spawned directly, never through a shell. */
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here (directory created when missing). */
  logFile: string;
  /** Resolves true once the component serves; polled every `pollMs`. */
  health: () => Promise<boolean>;
  startTimeoutMs: number;
  /** Default 100 ms. */
  pollMs?: number;
  /** Default 5000 ms: how long stop() waits after SIGTERM before SIGKILL. */
  killAfterMs?: number;
  cwd?: string;
}

export interface ComponentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Component {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the child has exited (never rejects). */
  exited: Promise<ComponentExit>;
  /** SIGTERM, SIGKILL after `killAfterMs`; resolves when the child has exited. Idempotent. */
  stop(): Promise<ComponentExit>;
}

/** The last `maxLines` lines of a log file ('' when unreadable). */
export function logTail(logFile: string, maxLines = 20): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-maxLines).join('\n');
  } catch {
    return '';
  }
}

function describeExit(e: ComponentExit): string {
  return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
}

/**
 * Spawn an external component as an owned child, log its output to a file, and wait until its
 * health check passes. Fails (after stopping the child) with the log tail when the child exits
 * or is not healthy within `startTimeoutMs`.
 */
export async function startComponent(spec: ComponentSpec): Promise<Component> {
  const pollMs = spec.pollMs ?? 100;
  const killAfterMs = spec.killAfterMs ?? 5000;
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(spec.command, [...spec.args], {
      stdio: ['ignore', fd, fd],
      cwd: spec.cwd,
      shell: false,
    });
  } finally {
    closeSync(fd);
  }

  let exitInfo: ComponentExit | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ComponentExit>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      // A spawn failure emits no 'exit'; an error on a running child is followed by 'exit'.
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        resolve(exitInfo);
      }
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  let stopping: Promise<ComponentExit> | undefined;
  const stop = (): Promise<ComponentExit> => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exitInfo) child.kill('SIGKILL');
      }, killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    const tail = logTail(spec.logFile);
    throw new Error(
      `${spec.name} (${spec.command}) ${why}` +
        (spawnError ? `: ${spawnError.message}` : '') +
        (tail ? `\n--- last lines of ${spec.logFile} ---\n${tail}` : ` (log ${spec.logFile} is empty)`),
    );
  };

  if (child.pid === undefined) {
    // spawn failed (ENOENT, EACCES): the 'error' event follows on the next tick.
    await exited;
    return fail('could not start');
  }

  const deadline = performance.now() + spec.startTimeoutMs;
  for (;;) {
    if (exitInfo)
      return fail(spawnError ? 'could not start' : `${describeExit(exitInfo)} before it was healthy`);
    let healthy = false;
    try {
      healthy = await spec.health();
    } catch {
      healthy = false;
    }
    if (exitInfo) return fail(`${describeExit(exitInfo)} before it was healthy`);
    if (healthy) break;
    if (performance.now() >= deadline) return fail(`was not healthy within ${spec.startTimeoutMs} ms`);
    // Wake on the poll interval or on exit, whichever comes first.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pollMs);
      }),
      exited,
    ]);
    clearTimeout(timer);
  }

  const pid = child.pid;
  if (pid === undefined) return fail('has no pid');
  return { name: spec.name, pid, logFile: spec.logFile, exited, stop };
}
