import { readFileSync } from 'node:fs';
import pino from 'pino';
import { FfrtmpError } from '../core/errors.js';
import { openStore, parseDatabaseUrl, type StoreLocation } from '../store/open.js';
import type { Store } from '../store/port.js';
import type { ModelSet } from '../core/analysis/job-prediction.js';
import { type Master, type MasterOptions, createMaster } from './create-master.js';
import type { ResultsMetricsOptions } from './results-metrics.js';

export interface ServeOptions {
  host: string;
  port: number;
  dbPath: string;
  dbSync?: 'normal' | 'full';
  /** A PostgreSQL URL; when set the master keeps its state there instead of in the `dbPath` file. */
  databaseUrl?: string | undefined;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  tlsCaFile?: string | undefined;
  master: Partial<MasterOptions>;
  logLevel?: string;
  /** Where JSON log lines go (default stdout); standalone commands keep stdout for their own output. */
  logDestination?: 'stdout' | 'stderr';
  /** Results-metrics bound and pricing (also prices run analyses). */
  resultsMetrics?: ResultsMetricsOptions;
  /** Trained models by hardware id, read by the CLI (`--models-dir`). */
  models?: ModelSet;
}

export interface RunningMaster {
  master: Master;
  store: Store;
  /** The base URL clients use, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new FfrtmpError('E_CERTS', `${flag}: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** The master's node layer: opens the store, binds the port, starts the reaper. */
export async function startMaster(options: ServeOptions): Promise<RunningMaster> {
  const location: StoreLocation = options.databaseUrl
    ? { dialect: 'postgres', url: parseDatabaseUrl(options.databaseUrl) }
    : { dialect: 'sqlite', path: options.dbPath, synchronous: options.dbSync };
  if (Boolean(options.tlsCertFile) !== Boolean(options.tlsKeyFile)) {
    throw new FfrtmpError('E_INVALID_CONFIG', '--tls-cert and --tls-key go together; give both or neither');
  }
  if (options.tlsCaFile && !options.tlsCertFile) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      '--tls-ca (client certificates) needs --tls-cert and --tls-key',
    );
  }
  const tls =
    options.tlsCertFile && options.tlsKeyFile
      ? {
          cert: readPem(options.tlsCertFile, '--tls-cert'),
          key: readPem(options.tlsKeyFile, '--tls-key'),
          ca: options.tlsCaFile ? readPem(options.tlsCaFile, '--tls-ca') : undefined,
        }
      : undefined;
  const store = await openStore(location);
  const logger = pino(
    { level: options.logLevel ?? 'info' },
    pino.destination(options.logDestination === 'stderr' ? 2 : 1),
  );
  const master = createMaster({
    store,
    options: options.master,
    logger,
    ...(tls ? { tls } : {}),
    ...(options.resultsMetrics ? { resultsMetrics: options.resultsMetrics } : {}),
    ...(options.models ? { models: options.models } : {}),
  });
  try {
    await master.app.listen({ host: options.host, port: options.port });
  } catch (cause) {
    await master.close();
    await store.close();
    const code = (cause as { code?: string }).code;
    const hint = code === 'EADDRINUSE' ? ' (another process holds the port: stop it or pass --port)' : '';
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `cannot listen on ${options.host}:${options.port}: ${code ?? cause}${hint}`,
      {
        cause,
      },
    );
  }
  master.startReaper();
  const address = master.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    master,
    store,
    port,
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async stop() {
      await master.close();
      await store.close();
    },
  };
}
