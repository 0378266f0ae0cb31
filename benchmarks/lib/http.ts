import type { Dispatcher } from 'undici';

export interface Reply {
  status: number;
  json: any;
  /** performance.now() when the whole response had arrived. */
  at: number;
}

/** One JSON request over a keep-alive undici dispatcher (Pool or Client); reads the whole body. */
export async function request(
  dispatcher: Dispatcher,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Reply> {
  const res = await dispatcher.request({
    method,
    path,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  const at = performance.now();
  return { status: res.statusCode, json: parse(text), at };
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function isOk(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

export function describeReply(reply: Reply): string {
  const detail = reply.json?.error?.message ?? reply.json?.message ?? JSON.stringify(reply.json);
  return `HTTP ${reply.status}: ${String(detail).slice(0, 200)}`;
}
