import { existsSync } from 'node:fs';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { type CopyProgress, copyStore } from '../../store/copy.js';
import {
  describeLocation,
  openStore,
  parseDatabaseUrl,
  parseStoreLocation,
  type StoreLocation,
} from '../../store/open.js';
import { group, leaf } from '../command.js';

const PROGRESS_EVERY_MS = 1000;

/** Opens a store that must already exist (a copy source): a mistyped SQLite path must not create a file. */
async function openExisting(location: StoreLocation, flag: string) {
  if (location.dialect === 'sqlite' && !existsSync(location.path))
    throw new FfrtmpError('E_INVALID_CONFIG', `${flag}: ${location.path} does not exist`);
  return openStore(location);
}

export const dbCommand = group('db', 'Apply migrations; copy a standalone SQLite database into PostgreSQL', [
  leaf({
    name: 'migrate',
    summary: 'Create or upgrade the schema of a SQLite file or a PostgreSQL database',
    usage: 'ffrtmp db migrate [--db PATH | --database-url postgres://…]',
    description:
      'The master applies pending migrations when it starts; this does it ahead of time (e.g. before rolling out several masters) and prints what it applied.',
    options: defineOptions({
      db: {
        flag: 'db',
        type: 'string',
        default: './data/ffrtmp.db',
        env: 'FFRTMP_DB',
        description: 'SQLite database file (ignored with --database-url)',
      },
      databaseUrl: {
        flag: 'database-url',
        type: 'string',
        env: 'DATABASE_URL',
        secret: true,
        description: 'PostgreSQL URL',
      },
      json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON' },
    }),
    async run(o, _p, io) {
      const location: StoreLocation = o.databaseUrl
        ? { dialect: 'postgres', url: parseDatabaseUrl(o.databaseUrl) }
        : { dialect: 'sqlite', path: o.db };
      const store = await openStore(location);
      await store.close();
      const where = describeLocation(location);
      if (o.json) io.out(JSON.stringify({ database: where, applied: store.migrations }));
      else if (store.migrations.length === 0) io.out(`${where}: schema up to date, nothing to apply`);
      else for (const m of store.migrations) io.out(`${where}: applied migration ${m.version} ${m.name}`);
      return 0;
    },
  }),
  leaf({
    name: 'copy',
    summary: 'Copy nodes, runs, jobs and every result into another database, verified by counts',
    usage: 'ffrtmp db copy --from sqlite:PATH --to postgres://user:pass@host/db [--force]',
    description:
      'Moves a standalone installation to a fleet. Stop the master first: records written during the copy fail the verification. The target is migrated, must be empty (or --force erases it), and ends with exactly as many records of each kind as the source.',
    options: defineOptions({
      from: {
        flag: 'from',
        type: 'string',
        secret: true,
        description: 'Source: sqlite:PATH or postgres://…',
      },
      to: { flag: 'to', type: 'string', secret: true, description: 'Target: postgres://… or sqlite:PATH' },
      force: {
        flag: 'force',
        type: 'bool',
        default: false,
        description: 'Erase a non-empty target first (its nodes, runs, jobs and results are deleted)',
      },
      batch: {
        flag: 'batch',
        type: 'int',
        default: 500,
        min: 1,
        max: 10_000,
        description: 'Records per transaction',
      },
      json: { flag: 'json', type: 'bool', default: false, description: 'Print the report as JSON' },
    }),
    async run(o, _p, io) {
      if (!o.from || !o.to) throw new FfrtmpError('E_INVALID_CONFIG', '--from and --to are both required');
      const fromLocation = parseStoreLocation(o.from, '--from');
      const toLocation = parseStoreLocation(o.to, '--to');
      const from = await openExisting(fromLocation, '--from');
      try {
        const to = await openStore(toLocation);
        try {
          io.err(`copying ${describeLocation(fromLocation)} → ${describeLocation(toLocation)}`);
          let last = 0;
          const onProgress = (p: CopyProgress) => {
            const now = Date.now();
            if (p.copied !== p.total && p.copied !== 0 && now - last < PROGRESS_EVERY_MS) return;
            last = now;
            io.err(`  ${p.kind}: ${p.copied}/${p.total}`);
          };
          const report = await copyStore(from, to, {
            force: o.force,
            batch: o.batch,
            onProgress,
          });
          if (o.json) io.out(JSON.stringify(report));
          else
            io.out(
              `copied and verified: ${Object.entries(report.target)
                .map(([k, n]) => `${n} ${k}`)
                .join(', ')}${report.erased ? ' (the target was erased first: --force)' : ''}`,
            );
          return 0;
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    },
  }),
]);
