import { FfrtmpError } from '../core/errors.js';
import type { Page, PageOf, RecordKind, RecordTotals, Store } from './port.js';

/** Copy order: results reference their jobs. */
export const RECORD_KINDS: readonly RecordKind[] = ['nodes', 'runs', 'jobs', 'results'];

export interface CopyProgress {
  kind: RecordKind;
  copied: number;
  total: number;
}

export interface CopyOptions {
  /** Erase a non-empty target first instead of refusing. */
  force?: boolean;
  /** Records per page read and per import transaction (default 500). */
  batch?: number;
  onProgress?: (progress: CopyProgress) => void;
}

export interface CopyReport {
  source: RecordTotals;
  target: RecordTotals;
  /** True when the target was not empty and --force erased it. */
  erased: boolean;
}

function lister(store: Store, kind: RecordKind): (page: Page) => Promise<PageOf<unknown>> {
  if (kind === 'nodes') return (p) => store.listNodes({}, p);
  if (kind === 'runs') return (p) => store.listRuns(p);
  if (kind === 'jobs') return (p) => store.listJobs({}, p);
  return (p) => store.listResults({}, p);
}

const sum = (t: RecordTotals) => RECORD_KINDS.reduce((n, k) => n + t[k], 0);
const describe = (t: RecordTotals) => RECORD_KINDS.map((k) => `${t[k]} ${k}`).join(', ');

/**
 * Copies every record of `from` into `to`, kind by kind in insertion order (results after the jobs
 * they reference), then checks that the target holds exactly as many of each as the source.
 */
export async function copyStore(from: Store, to: Store, options: CopyOptions = {}): Promise<CopyReport> {
  const source = await from.totals();
  const before = await to.totals();
  let erased = false;
  if (sum(before) > 0) {
    if (!options.force) {
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--to: the target already holds ${describe(before)}; copy into an empty database, or pass --force to erase it first`,
      );
    }
    await to.eraseAll();
    erased = true;
  }
  const limit = options.batch ?? 500;
  for (const kind of RECORD_KINDS) {
    const list = lister(from, kind);
    let copied = 0;
    options.onProgress?.({ kind, copied, total: source[kind] });
    let cursor: string | undefined;
    do {
      const page = await list({ limit, cursor });
      if (page.items.length > 0) await to.importRecords({ [kind]: page.items });
      copied += page.items.length;
      options.onProgress?.({ kind, copied, total: source[kind] });
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }
  const target = await to.totals();
  const wrong = RECORD_KINDS.filter((k) => target[k] !== source[k]);
  if (wrong.length > 0) {
    throw new FfrtmpError(
      'E_COPY_MISMATCH',
      `copy verification failed: the source holds ${describe(source)} but the target ${describe(target)} (was the source written to during the copy?)`,
    );
  }
  return { source, target, erased };
}
