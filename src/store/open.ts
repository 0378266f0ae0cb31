import { FfrtmpError } from '../core/errors.js';
import type { AppliedMigration, Store } from './port.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

/** Where the master keeps its state: a SQLite file (standalone) or a PostgreSQL URL (a fleet). */
export type StoreLocation =
  | { dialect: 'sqlite'; path: string; synchronous?: 'normal' | 'full' | undefined }
  | { dialect: 'postgres'; url: string };

/** Checks a `--database-url`; `flag` names the option in the message. */
export function parseDatabaseUrl(url: string, flag = '--database-url'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `${flag}: expected postgres://user:password@host:port/database, got something that is not a URL`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `${flag}: expected a postgres:// or postgresql:// URL, got "${parsed.protocol}//…" (SQLite files go in --db PATH)`,
    );
  }
  return url;
}

/** The URL without its password, for logs and progress lines. */
export function describeLocation(location: StoreLocation): string {
  if (location.dialect === 'sqlite') return `sqlite:${location.path}`;
  const u = new URL(location.url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** `sqlite:PATH` or a postgres:// URL, as `ffrtmp db copy --from/--to` take them. */
export function parseStoreLocation(text: string, flag: string): StoreLocation {
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (path === '')
      throw new FfrtmpError('E_INVALID_CONFIG', `${flag}: expected sqlite:PATH, got an empty path`);
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return { dialect: 'postgres', url: parseDatabaseUrl(text, flag) };
  throw new FfrtmpError(
    'E_INVALID_CONFIG',
    `${flag}: expected sqlite:PATH or postgres://user:password@host/database, got "${text.replace(/:[^:@/]*@/, ':***@')}"`,
  );
}

export async function openStore(
  location: StoreLocation,
): Promise<Store & { migrations: AppliedMigration[] }> {
  if (location.dialect === 'postgres') return openPostgresStore({ url: location.url });
  return openSqliteStore({ path: location.path, synchronous: location.synchronous ?? 'normal' });
}
