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
