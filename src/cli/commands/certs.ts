import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { leaf } from '../command.js';

type AltName = { type: 2; value: string } | { type: 7; ip: string };

const toAltName = (name: string): AltName => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name });

/**
 * Writes a private CA, a server certificate signed by it (SANs: localhost, 127.0.0.1, ::1, this
 * host's name and any --host), and a client certificate for agents when the master requires them.
 *   master: --tls-cert server.crt --tls-key server.key [--tls-ca ca.crt]
 *   agent/CLI: --tls-ca ca.crt [--tls-cert client.crt --tls-key client.key]
 */
export const certsCommand = leaf({
  name: 'certs',
  summary: 'Write a private CA plus server and client certificates for TLS',
  usage: 'ffrtmp certs [--out-dir ./certs] [--host master.example.org,10.0.0.5] [--days 825]',
  options: defineOptions({
    outDir: {
      flag: 'out-dir',
      type: 'string',
      default: './certs',
      description: 'Where to write the PEM files',
    },
    host: {
      flag: 'host',
      type: 'list',
      default: [],
      description: 'Extra DNS names or IPs the master is reached by',
    },
    days: { flag: 'days', type: 'int', default: 825, min: 1, max: 3650, description: 'Validity in days' },
    force: { flag: 'force', type: 'bool', default: false, description: 'Overwrite existing files' },
  }),
  async run(o, _p, io) {
    const files = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key'].map((f) =>
      join(o.outDir, f),
    );
    const existing = files.filter((f) => existsSync(f));
    if (existing.length > 0 && !o.force) {
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--out-dir: ${existing.join(', ')} already exist; pass --force to overwrite`,
      );
    }
    const notBeforeDate = new Date(Date.now() - 60_000);
    const notAfterDate = new Date(Date.now() + o.days * 86_400_000);
    const names = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...o.host])];
    const common = {
      keyType: 'ec' as const,
      curve: 'P-256' as const,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
    };
    const ca = await generate([{ name: 'commonName', value: 'ffrtmp private CA' }], {
      ...common,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const signer = { ca: { key: ca.private, cert: ca.cert } };
    const server = await generate(
      [{ name: 'commonName', value: names[0] === 'localhost' ? hostname() : (names[0] ?? 'ffrtmp') }],
      {
        ...common,
        ...signer,
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: names.map(toAltName) },
        ],
      },
    );
    const client = await generate([{ name: 'commonName', value: 'ffrtmp agent' }], {
      ...common,
      ...signer,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    });
    mkdirSync(o.outDir, { recursive: true });
    const pems = [ca.cert, ca.private, server.cert, server.private, client.cert, client.private];
    for (const [i, file] of files.entries()) {
      writeFileSync(file, pems[i] ?? '', { mode: file.endsWith('.key') ? 0o600 : 0o644 });
    }
    io.out(
      [
        `wrote ${files.join(', ')}`,
        `server certificate names: ${names.join(', ')}`,
        `master: ffrtmp master --tls-cert ${files[2]} --tls-key ${files[3]} [--tls-ca ${files[0]} to require client certificates]`,
        `agent:  ffrtmp agent --master https://HOST:8080 --tls-ca ${files[0]} [--tls-cert ${files[4]} --tls-key ${files[5]}]`,
      ].join('\n'),
    );
    return 0;
  },
});
