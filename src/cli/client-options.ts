import { connectMasters } from '../agent/transport.js';
import type { MasterClient } from '../core/client.js';
import { defineOptions } from '../core/config.js';
import { parseMasterUrls } from '../core/failover.js';

/** How to reach a master: every command that talks to one (the agent too) takes these. */
export const connectionOptions = defineOptions({
  master: {
    flag: 'master',
    type: 'list',
    default: ['http://localhost:8080'],
    env: 'FFRTMP_MASTER',
    description: 'Master URL; several, comma-separated, fail over to one another (masters on one PostgreSQL)',
  },
  apiKey: {
    flag: 'api-key',
    type: 'string',
    env: 'FFRTMP_API_KEY',
    secret: true,
    description: 'API key: the admin key (agents may use the agent key)',
  },
  tlsCa: {
    flag: 'tls-ca',
    type: 'string',
    env: 'FFRTMP_TLS_CA',
    description: 'CA certificate (PEM) to trust, e.g. a self-signed master',
  },
  tlsCert: {
    flag: 'tls-cert',
    type: 'string',
    env: 'FFRTMP_TLS_CERT',
    description: 'Client certificate (PEM)',
  },
  tlsKey: { flag: 'tls-key', type: 'string', env: 'FFRTMP_TLS_KEY', description: 'Client key (PEM)' },
});

/** Options of commands that query a master and print what they get. */
export const clientOptions = defineOptions({
  ...connectionOptions,
  json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON instead of a table' },
});

export interface ClientValues {
  /** One or more master URLs (a list option: comma-separated, repeatable). */
  master: readonly string[];
  apiKey?: string | undefined;
  tlsCa?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

/** Runs `fn` with a client for the configured master(s) and closes the connection pool after. */
export async function withClient<T>(
  values: ClientValues,
  fn: (client: MasterClient) => Promise<T>,
): Promise<T> {
  const { client, transport } = connectMasters({
    masters: parseMasterUrls(values.master),
    apiKey: values.apiKey,
    caFile: values.tlsCa,
    certFile: values.tlsCert,
    keyFile: values.tlsKey,
    connections: 2,
  });
  try {
    return await fn(client);
  } finally {
    await transport.close();
  }
}

/** A plain text table: header row, then rows, columns padded to the widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
