import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../core/client.js';

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

/**
 * The HTTP transport to the master: one keep-alive pool, optional custom CA and client
 * certificate. Long-polls hold a connection for up to a minute, so the body timeout is generous.
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const tls = {
    ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
    ...(options.certFile ? { cert: readFileSync(options.certFile) } : {}),
    ...(options.keyFile ? { key: readFileSync(options.keyFile) } : {}),
  };
  const dispatcher = new Agent({
    connect: tls,
    connections: options.connections ?? 16,
    keepAliveTimeout: 30_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  return {
    fetch: (url, init) =>
      undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
    close: () => dispatcher.close(),
  };
}
