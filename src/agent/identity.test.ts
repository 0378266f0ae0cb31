import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMasterOnThisHost, loadNodeKey } from './identity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const root = mkdtempSync(join(os.tmpdir(), 'ffrtmp-identity-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadNodeKey', () => {
  it('creates the work dir and a private key file, then returns the same key on restart', () => {
    const workDir = join(root, 'a', 'nested', 'work');
    const key = loadNodeKey(workDir);
    expect(key).toMatch(UUID);
    expect(readFileSync(join(workDir, 'node_key'), 'utf8')).toBe(`${key}\n`);
    expect(statSync(join(workDir, 'node_key')).mode & 0o777).toBe(0o600);
    expect(loadNodeKey(workDir)).toBe(key);
    expect(readdirSync(workDir)).toEqual(['node_key']); // no temporary file left behind
  });

  it('keeps a key written by an earlier agent (surrounding whitespace ignored)', () => {
    const workDir = join(root, 'existing');
    loadNodeKey(workDir);
    writeFileSync(join(workDir, 'node_key'), '  6F1C1D2E-0B8A-4A43-9A53-2B8F6F0C9D11 \n');
    expect(loadNodeKey(workDir)).toBe('6F1C1D2E-0B8A-4A43-9A53-2B8F6F0C9D11');
  });

  it.each([
    ['empty', ''],
    ['truncated', '6f1c1d2e-0b8a-4a4'],
    ['garbage', '\u0000\u0000\u0000\u0000'],
  ])('replaces an %s file with a fresh key', (name, text) => {
    const workDir = join(root, `corrupt-${name}`);
    loadNodeKey(workDir);
    writeFileSync(join(workDir, 'node_key'), text);
    const key = loadNodeKey(workDir);
    expect(key).toMatch(UUID);
    expect(readFileSync(join(workDir, 'node_key'), 'utf8')).toBe(`${key}\n`);
    expect(loadNodeKey(workDir)).toBe(key);
    expect(readdirSync(workDir)).toEqual(['node_key']);
  });

  it('gives different work dirs different keys', () => {
    expect(loadNodeKey(join(root, 'one'))).not.toBe(loadNodeKey(join(root, 'two')));
  });
});

function ownInterfaceAddress(): string {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.find((i) => !i.internal && i.family === 'IPv4') ?? all.find((i) => !i.internal);
  if (!external) throw new Error('this machine has no non-loopback interface to test with');
  return external.family === 'IPv6' ? `[${external.address.replace(/%.*$/, '')}]` : external.address;
}

describe('isMasterOnThisHost', () => {
  it.each([
    'http://127.0.0.1:8080',
    'http://127.1.2.3:8080',
    'http://localhost:8080',
    'https://[::1]:8443/',
    'http://0.0.0.0:8080',
  ])('is true for loopback %s', async (url) => {
    expect(await isMasterOnThisHost(url)).toBe(true);
  });

  it("is true for this machine's own interface address", async () => {
    expect(await isMasterOnThisHost(`http://${ownInterfaceAddress()}:8080`)).toBe(true);
  });

  it('is false for another address (TEST-NET, only compared, never contacted)', async () => {
    expect(await isMasterOnThisHost('http://192.0.2.1:8080')).toBe(false);
  });

  it('is false for a host that does not resolve', async () => {
    expect(await isMasterOnThisHost('http://master.nonexistent.invalid:8080')).toBe(false);
  });
});
