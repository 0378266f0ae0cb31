import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FfrtmpError } from '../core/errors.js';
import { type UpState, readUpState } from '../stack/up.js';

const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const LOG_FILE = 'up.log';
const POLL_MS = 200;

export function upLogPath(dataDir: string): string {
  return join(dataDir, LOG_FILE);
}

function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `ffrtmp up --data-dir DIR …args` as a background process (its own session, output to
 * DIR/up.log) and resolves with its state once it is ready; `ffrtmp down` stops it.
 */
export async function startDetachedUp(
  dataDir: string,
  args: readonly string[],
  timeoutMs = 90_000,
): Promise<UpState> {
  mkdirSync(dataDir, { recursive: true });
  const log = upLogPath(dataDir);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [CLI_MAIN, 'up', '--data-dir', dataDir, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readUpState(dataDir);
    if (state && state.pid === child.pid) return state;
    if (exited !== undefined)
      throw new FfrtmpError(
        'E_STACK',
        `ffrtmp up exited (code ${exited}) before it was ready; ${log}:\n${logTail(log)}`,
      );
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new FfrtmpError(
        'E_STACK',
        `ffrtmp up was not ready after ${timeoutMs / 1000} s; ${log}:\n${logTail(log)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the `ffrtmp up` of this data dir (SIGTERM, SIGKILL after the grace period). */
export async function stopUp(dataDir: string, graceMs = 30_000): Promise<UpState | undefined> {
  const state = readUpState(dataDir);
  if (!state) return undefined;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(state.pid) && Date.now() < deadline) await sleep(POLL_MS);
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  while (alive(state.pid)) await sleep(POLL_MS);
  return state;
}
