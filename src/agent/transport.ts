import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { type FetchLike, type MasterClient, createMasterClient } from '../core/client.js';
import { createFailoverFetch } from './failover-fetch.js';

export interface TransportOptions {
  /** CA bundle (PEM file) to trust, e.g. the certificate of a self-signed master. */
  caFile?: string | undefined;
  /** Client certificate and key (PEM files) for a master that requires them (--tls-ca on the master). */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Connections kept open per origin (keep-alive pool). */
  connections?: number;
}

export interface Transport {
  fetch: FetchLike;
  close(): Promise<void>;
}

// Long-polls hold a request for up to a minute; anything silent for longer is a dead connection.
const IDLE_TIMEOUT_MS = 120_000;

/**
 * The HTTP transport to the master, on node:http(s) with one keep-alive pool per transport and
 * an optional private CA and client certificate. Deliberately not a fetch library: an agent
 * idles for days, and undici alone costs it ~15 MiB of resident memory (`npm run bench -- agent`).
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const tls = {
    ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
    ...(options.certFile ? { cert: readFileSync(options.certFile) } : {}),
    ...(options.keyFile ? { key: readFileSync(options.keyFile) } : {}),
  };
  const pool = { keepAlive: true, maxSockets: options.connections ?? 16 };
  const agents = { http: new http.Agent(pool), https: new https.Agent({ ...pool, ...tls }) };

  const fetch: FetchLike = (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const body = init.body;
      const headers: Record<string, string> = { ...init.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const request = (secure ? https : http).request(
        target,
        { method: init.method, headers, agent: secure ? agents.https : agents.http },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ ok: status >= 200 && status < 300, status, text: async () => text });
          });
        },
      );
      request.setTimeout(IDLE_TIMEOUT_MS, () =>
        request.destroy(Object.assign(new Error('no answer from the master'), { code: 'ETIMEDOUT' })),
      );
      request.on('error', reject);
      const signal = init.signal;
      if (signal) {
        const abort = () =>
          request.destroy(Object.assign(new Error('the request was aborted'), { name: 'AbortError' }));
        if (signal.aborted) abort();
        signal.addEventListener('abort', abort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', abort));
      }
      request.end(body);
    });

  return {
    fetch,
    async close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

export interface MasterConnectionOptions extends TransportOptions {
  /** One master URL or several (parsed by parseMasterUrls): requests fail over between them. */
  masters: readonly string[];
  apiKey?: string | undefined;
  /** Told when requests move to another master. */
  onSwitch?: (from: string, to: string, reason: string) => void;
}

/** The typed client over a keep-alive transport, failing over between the given masters. */
export function connectMasters(options: MasterConnectionOptions): {
  client: MasterClient;
  transport: Transport;
} {
  const transport = createTransport(options);
  const failover = createFailoverFetch({
    urls: options.masters,
    fetch: transport.fetch,
    ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
  });
  const client = createMasterClient({
    baseUrl: failover.baseUrl,
    fetch: failover.fetch,
    apiKey: options.apiKey,
  });
  return { client, transport };
}
