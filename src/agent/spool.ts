import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ResultBody } from '../core/contract/schemas.js';

/**
 * Results are written here before upload and removed only after the master acknowledged them, so
 * a master outage or an agent crash loses nothing: on start the agent uploads what is left.
 * Each file is written to a temp name, fsynced, then renamed — a reader never sees half a file.
 */
export interface Spool {
  readonly dir: string;
  put(result: ResultBody & { attempt: number }): string;
  list(): { name: string; result: ResultBody }[];
  remove(name: string): void;
  /** Sets aside a result the master refused for good (kept on disk under spool/rejected/ for a human). */
  reject(name: string): void;
  size(): number;
}

export function openSpool(workDir: string): Spool {
  const dir = join(workDir, 'spool');
  mkdirSync(dir, { recursive: true });
  const names = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  return {
    dir,
    put(result) {
      // Sorted names upload in completion order: a timestamp prefix, then the job and attempt.
      const name = `${String(Date.now()).padStart(15, '0')}_${result.job_id}_${result.attempt}.json`;
      const tmp = join(dir, `.${name}.tmp`);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(result));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(dir, name));
      return name;
    },
    list() {
      const entries: { name: string; result: ResultBody }[] = [];
      for (const name of names()) {
        try {
          entries.push({ name, result: JSON.parse(readFileSync(join(dir, name), 'utf8')) as ResultBody });
        } catch {
          // A corrupt file (disk full mid-write before rename cannot happen; manual edits can) is set aside.
          renameSync(join(dir, name), join(dir, `${name}.corrupt`));
        }
      }
      return entries;
    },
    remove(name) {
      rmSync(join(dir, name), { force: true });
    },
    reject(name) {
      mkdirSync(join(dir, 'rejected'), { recursive: true });
      renameSync(join(dir, name), join(dir, 'rejected', name));
    },
    size: () => names().length,
  };
}
