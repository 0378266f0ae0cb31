import { defineOptions } from '../../core/config.js';
import { startMaster } from '../../master/serve.js';
import { describeLocation } from '../../store/open.js';
import { leaf } from '../command.js';
import { loadMasterAnalysis, masterAnalysisOptions } from '../master-analysis-options.js';

export const masterOptions = defineOptions({
  port: {
    flag: 'port',
    type: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    env: 'FFRTMP_PORT',
    description: 'HTTP(S) port',
  },
  host: {
    flag: 'host',
    type: 'string',
    default: '0.0.0.0',
    env: 'FFRTMP_HOST',
    description: 'Address to bind',
  },
  db: {
    flag: 'db',
    type: 'string',
    default: './data/ffrtmp.db',
    env: 'FFRTMP_DB',
    description: 'SQLite database file (standalone; ignored with --database-url)',
  },
  dbSync: {
    flag: 'db-sync',
    type: 'enum',
    choices: ['normal', 'full'] as const,
    default: 'normal',
    env: 'FFRTMP_DB_SYNC',
    description:
      'normal: survives a master crash/kill -9; full: also survives power loss (fsync per commit, slower)',
  },
  databaseUrl: {
    flag: 'database-url',
    type: 'string',
    env: 'DATABASE_URL',
    secret: true,
    description: 'PostgreSQL URL postgres://user:pass@host/db: state for several masters (instead of --db)',
  },
  apiKey: {
    flag: 'api-key',
    type: 'string',
    env: 'FFRTMP_API_KEY',
    secret: true,
    description: 'Admin API key (all routes)',
  },
  agentKey: {
    flag: 'agent-key',
    type: 'string',
    env: 'FFRTMP_AGENT_KEY',
    secret: true,
    description: 'Agent key (register, heartbeat, next, progress, results only)',
  },
  tlsCert: {
    flag: 'tls-cert',
    type: 'string',
    env: 'FFRTMP_TLS_CERT',
    description: 'TLS certificate (PEM); enables HTTPS',
  },
  tlsKey: { flag: 'tls-key', type: 'string', env: 'FFRTMP_TLS_KEY', description: 'TLS private key (PEM)' },
  tlsCa: {
    flag: 'tls-ca',
    type: 'string',
    env: 'FFRTMP_TLS_CA',
    description: 'Require client certificates signed by this CA (PEM)',
  },
  nodeTimeout: {
    flag: 'node-timeout',
    type: 'duration',
    default: 60_000,
    min: 1000,
    env: 'FFRTMP_NODE_TIMEOUT',
    description: 'A node without heartbeat for this long is offline; its jobs are retried elsewhere',
  },
  leaseTimeout: {
    flag: 'lease-timeout',
    type: 'duration',
    default: 90_000,
    min: 1000,
    env: 'FFRTMP_LEASE_TIMEOUT',
    description: 'A job not renewed (progress or heartbeat) for this long is retried',
  },
  maxRetries: {
    flag: 'max-retries',
    type: 'int',
    default: 3,
    min: 0,
    max: 20,
    env: 'FFRTMP_MAX_RETRIES',
    description: 'Default retries of a job whose lease lapses',
  },
  bodyLimit: {
    flag: 'body-limit',
    type: 'int',
    default: 1_048_576,
    min: 1024,
    env: 'FFRTMP_BODY_LIMIT',
    description: 'Largest request body in bytes (413 above)',
  },
  logLevel: {
    flag: 'log-level',
    type: 'enum',
    choices: ['debug', 'info', 'warn', 'error'] as const,
    default: 'info',
    env: 'FFRTMP_LOG_LEVEL',
    description: 'Log level (JSON lines on stdout)',
  },
  ...masterAnalysisOptions,
});

export const masterCommand = leaf({
  name: 'master',
  summary: 'Run the master: job queue, node registry and HTTP API',
  usage: 'ffrtmp master [options]',
  options: masterOptions,
  async run(o, _positionals, io) {
    const analysis = await loadMasterAnalysis(o);
    const running = await startMaster({
      ...analysis,
      host: o.host,
      port: o.port,
      dbPath: o.db,
      dbSync: o.dbSync,
      databaseUrl: o.databaseUrl,
      tlsCertFile: o.tlsCert,
      tlsKeyFile: o.tlsKey,
      tlsCaFile: o.tlsCa,
      logLevel: o.logLevel,
      master: {
        apiKey: o.apiKey,
        agentKey: o.agentKey,
        nodeTimeoutMs: o.nodeTimeout,
        leaseMs: o.leaseTimeout,
        maxRetries: o.maxRetries,
        bodyLimitBytes: o.bodyLimit,
      },
    });
    const database = describeLocation(
      o.databaseUrl ? { dialect: 'postgres', url: o.databaseUrl } : { dialect: 'sqlite', path: o.db },
    );
    io.err(
      `ffrtmp master listening on ${running.url} (database ${database}; pricing ${analysis.resultsMetrics.pricing?.region}; ${analysis.models.size} hardware id(s) with models in ${o.modelsDir})`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    io.err('ffrtmp master: shutting down');
    await running.stop();
    return 0;
  },
});
