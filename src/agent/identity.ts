/**
 * Who this agent is (DESIGN §3 Node, §5): a node key kept in the work dir, so a restarted agent
 * re-registers as the same node, and whether the master runs on this very host.
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const NODE_KEY_FILE = 'node_key';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The key in `path`: null when the file is absent, or present but empty or corrupt. */
function readKey(path: string): { key: string | null; present: boolean } {
  try {
    const key = readFileSync(path, 'utf8').trim();
    return { key: UUID.test(key) ? key : null, present: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { key: null, present: false };
    throw error;
  }
}

function writeSynced(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts `key` at `path` atomically (a reader sees the old file or the whole new one, never half).
 * A fresh key is linked in, which fails if another agent process created the file first: then
 * that key wins, so two agents racing on one work dir still agree. A corrupt file is replaced.
 */
function installKey(path: string, key: string, replace: boolean): string {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeSynced(tmp, `${key}\n`);
  try {
    if (!replace) {
      try {
        linkSync(tmp, path);
        return key;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          const winner = readKey(path).key;
          if (winner) return winner;
        } else if (code !== 'EPERM' && code !== 'ENOTSUP') {
          // EPERM/ENOTSUP mean a file system without hard links: fall through to rename.
          throw error;
        }
      }
    }
    renameSync(tmp, path);
    return key;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** This node's stable key from `<workDir>/node_key`, created (mode 0600) when absent or corrupt. */
export function loadNodeKey(workDir: string): string {
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, NODE_KEY_FILE);
  const { key, present } = readKey(path);
  return key ?? installKey(path, randomUUID(), present);
}

function normalizeAddress(address: string): string {
  // Link-local IPv6 carries a zone (`fe80::1%eth0`); IPv4-mapped IPv6 wraps an IPv4 address.
  return address
    .toLowerCase()
    .replace(/%.*$/, '')
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

function isLoopbackOrUnspecified(address: string): boolean {
  // Connecting to 0.0.0.0 or :: reaches this host on Linux.
  return /^127\./.test(address) || address === '::1' || address === '0.0.0.0' || address === '::';
}

/**
 * True when the master URL's host resolves to this machine: a loopback address or one of this
 * machine's interface addresses. Only compares addresses; contacts nothing but the resolver.
 * An unresolvable host is not this host.
 */
export async function isMasterOnThisHost(masterUrl: string): Promise<boolean> {
  const host = new URL(masterUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  let resolved: { address: string }[];
  try {
    resolved = await lookup(host, { all: true });
  } catch {
    return false;
  }
  const own = new Set(
    Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((iface) => normalizeAddress(iface.address)),
  );
  return resolved.some(({ address }) => {
    const normalized = normalizeAddress(address);
    return isLoopbackOrUnspecified(normalized) || own.has(normalized);
  });
}
