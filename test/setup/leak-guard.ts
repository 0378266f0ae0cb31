import { createHook } from 'node:async_hooks';
import { afterAll, beforeAll } from 'vitest';

/**
 * Leak guard (STYLE.md): a test file that leaves a timer, child process, server or socket alive
 * fails. Every such resource created while the file runs is tracked from creation to destruction;
 * whatever is still alive (and keeps the process running) after the file's own cleanup is a leak.
 */
// TLSWRAP is left out: its destroy hook fires only at garbage collection, and the TCPWRAP under
// every TLS socket is watched anyway.
const WATCHED = new Set(['Timeout', 'PROCESSWRAP', 'TCPSERVERWRAP', 'TCPWRAP', 'PIPESERVERWRAP']);
const alive = new Map<number, { type: string; resource: object }>();

const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (WATCHED.has(type)) alive.set(asyncId, { type, resource });
  },
  destroy(asyncId) {
    alive.delete(asyncId);
  },
});

function keepsProcessAlive(resource: object): boolean {
  const r = resource as { hasRef?: () => boolean };
  return typeof r.hasRef === 'function' ? r.hasRef() : true;
}

function leaked(): string[] {
  const counts = new Map<string, number>();
  for (const { type, resource } of alive.values()) {
    if (keepsProcessAlive(resource)) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, n]) => `${type} ×${n}`);
}

beforeAll(() => {
  alive.clear();
  hook.enable();
});

afterAll(async () => {
  // Closed sockets and exited children release their handles within a few event-loop turns.
  const deadline = performance.now() + 3000;
  while (leaked().length > 0 && performance.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10).unref());
  }
  hook.disable();
  const left = leaked();
  if (left.length > 0) {
    throw new Error(
      `test file leaked live resources: ${left.join(', ')} (stop every timer, server and child process)`,
    );
  }
});
