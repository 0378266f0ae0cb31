import { request } from 'node:http';

export interface HttpGetResult {
  status: number;
  body: string;
}

/**
 * One plain-HTTP GET with no keep-alive (agent: false), so no socket outlives the call.
 * Rejects on connection errors and after `timeoutMs`.
 */
export function httpGet(url: string, timeoutMs = 2000): Promise<HttpGetResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A health check: true when GET `url` answers 2xx, false on any error. */
export function httpHealth(url: string, timeoutMs = 1000): () => Promise<boolean> {
  return async () => {
    try {
      const res = await httpGet(url, timeoutMs);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  };
}
