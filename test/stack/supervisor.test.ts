import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Component, logTail, startComponent } from '../../src/stack/supervisor.js';
import { tempDir } from '../helpers.js';
import { isAlive } from './helpers.js';

const NODE = process.execPath;
const dirs: { cleanup: () => void }[] = [];
const started: Component[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
  for (const d of dirs.splice(0)) d.cleanup();
});

function logIn(): string {
  const d = tempDir('ffrtmp-stack-');
  dirs.push(d);
  return join(d.path, 'logs', 'child.log');
}

const logSays = (logFile: string, text: string) => async () => logTail(logFile, 100).includes(text);

describe('startComponent', () => {
  it('starts a child, appends its output to the log, waits for health, and stops it with SIGTERM', async () => {
    const logFile = logIn();
    const c = await startComponent({
      name: 'sleeper',
      command: NODE,
      args: ['-e', "console.log('ready'); console.error('on stderr'); setInterval(() => {}, 1000)"],
      logFile,
      health: logSays(logFile, 'ready'),
      startTimeoutMs: 10_000,
    });
    started.push(c);
    expect(c.name).toBe('sleeper');
    expect(isAlive(c.pid)).toBe(true);
    expect(await c.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(isAlive(c.pid)).toBe(false);
    expect(await c.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(readFileSync(logFile, 'utf8')).toContain('on stderr');
    // stop() again is harmless.
    expect(await c.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('fails with the log tail when the child exits before it is healthy', async () => {
    const logFile = logIn();
    await expect(
      startComponent({
        name: 'crasher',
        command: NODE,
        args: ['-e', "console.error('bad config line 3'); process.exit(3)"],
        logFile,
        health: async () => false,
        startTimeoutMs: 10_000,
      }),
    ).rejects.toThrow(/crasher .* exited with code 3 before it was healthy[\s\S]*bad config line 3/);
  });

  it('fails after the start timeout and leaves no child behind', async () => {
    const logFile = logIn();
    const err = await startComponent({
      name: 'never-healthy',
      command: NODE,
      args: ['-e', "console.log('pid=' + process.pid); setInterval(() => {}, 1000)"],
      logFile,
      health: async () => false,
      startTimeoutMs: 500,
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/never-healthy .* was not healthy within 500 ms[\s\S]*pid=\d+/);
    const pid = Number(/pid=(\d+)/.exec(String(err))?.[1]);
    expect(isAlive(pid)).toBe(false);
  });

  it('kills with SIGKILL a child that ignores SIGTERM', async () => {
    const logFile = logIn();
    const c = await startComponent({
      name: 'stubborn',
      command: NODE,
      args: [
        '-e',
        "process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      logFile,
      health: logSays(logFile, 'ready'),
      startTimeoutMs: 10_000,
      killAfterMs: 300,
    });
    started.push(c);
    expect(await c.stop()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(c.pid)).toBe(false);
  });

  it('reports a binary that cannot be started', async () => {
    await expect(
      startComponent({
        name: 'ghost',
        command: '/nonexistent/ghost',
        args: [],
        logFile: logIn(),
        health: async () => true,
        startTimeoutMs: 1000,
      }),
    ).rejects.toThrow(/ghost \(\/nonexistent\/ghost\) could not start: .*ENOENT/);
  });
});
