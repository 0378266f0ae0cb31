import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ConfigProblem, defineOptions, formatHelp, type OptionsSpec, parseConfig } from './config.js';
import { FfrtmpError } from './errors.js';

const spec = defineOptions({
  port: {
    flag: 'port',
    type: 'int',
    description: 'HTTP port',
    default: 8080,
    env: 'FFRTMP_PORT',
    min: 1,
    max: 65535,
    short: 'p',
  },
  host: {
    flag: 'host',
    type: 'string',
    description: 'Address to bind',
    default: '0.0.0.0',
    env: 'FFRTMP_HOST',
  },
  nodeTimeout: {
    flag: 'node-timeout',
    type: 'duration',
    description: 'Offline after this long without heartbeat',
    default: 60_000,
    env: 'FFRTMP_NODE_TIMEOUT',
    min: 1000,
  },
  ratio: { flag: 'ratio', type: 'number', description: 'A ratio', max: 1 },
  tls: { flag: 'tls', type: 'bool', description: 'Serve HTTPS', default: true, env: 'FFRTMP_TLS' },
  debug: { flag: 'debug', type: 'bool', description: 'Show causes', default: false },
  labels: { flag: 'labels', type: 'list', description: 'Node labels', default: [], env: 'FFRTMP_LABELS' },
  logLevel: {
    flag: 'log-level',
    type: 'enum',
    description: 'Log level',
    choices: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    env: 'FFRTMP_LOG_LEVEL',
  },
  apiKey: { flag: 'api-key', type: 'string', description: 'API key', env: 'FFRTMP_API_KEY', secret: true },
  databaseUrl: { flag: 'database-url', type: 'string', description: 'PostgreSQL URL', env: 'DATABASE_URL' },
});

function problemsOf(run: () => unknown): { error: FfrtmpError; problems: ConfigProblem[] } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof FfrtmpError)) throw error;
    return { error, problems: error.details?.problems as ConfigProblem[] };
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig defaults and types', () => {
  it('returns defaults with nothing given, undefined where there is no default', () => {
    const { values, positionals, help, secretFiles } = parseConfig(spec, [], {});
    expect(values).toEqual({
      port: 8080,
      host: '0.0.0.0',
      nodeTimeout: 60_000,
      ratio: undefined,
      tls: true,
      debug: false,
      labels: [],
      logLevel: 'info',
      apiKey: undefined,
      databaseUrl: undefined,
    });
    expect(positionals).toEqual([]);
    expect(help).toBe(false);
    expect(secretFiles).toEqual({});
  });

  it('infers value types from the spec', () => {
    const { values } = parseConfig(spec, [], {});
    expectTypeOf(values.port).toEqualTypeOf<number>();
    expectTypeOf(values.nodeTimeout).toEqualTypeOf<number>();
    expectTypeOf(values.ratio).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.tls).toEqualTypeOf<boolean>();
    expectTypeOf(values.labels).toEqualTypeOf<string[]>();
    expectTypeOf(values.logLevel).toEqualTypeOf<'debug' | 'info' | 'warn' | 'error'>();
    expectTypeOf(values.apiKey).toEqualTypeOf<string | undefined>();
  });

  it('infers types for a spec written inline or with satisfies', () => {
    const inline = parseConfig(
      { mode: { flag: 'mode', type: 'enum', choices: ['live', 'file'], description: '', default: 'live' } },
      [],
      {},
    );
    expectTypeOf(inline.values.mode).toEqualTypeOf<'live' | 'file'>();
    const declared = {
      workers: { flag: 'workers', type: 'int', description: '' },
      tags: { flag: 'tags', type: 'list', description: '', default: ['a'] },
    } satisfies OptionsSpec;
    const parsed = parseConfig(declared, [], {});
    expectTypeOf(parsed.values.workers).toEqualTypeOf<number | undefined>();
    expectTypeOf(parsed.values.tags).toEqualTypeOf<string[]>();
    expect(parsed.values.tags).toEqual(['a']);
  });

  it('does not share the default list between calls', () => {
    const first = parseConfig(spec, [], {});
    first.values.labels.push('mutated');
    expect(parseConfig(spec, [], {}).values.labels).toEqual([]);
  });

  it('parses every type from flags', () => {
    const { values } = parseConfig(
      spec,
      [
        '--port',
        '9000',
        '--host=127.0.0.1',
        '--node-timeout',
        '2m',
        '--ratio',
        '-0.25',
        '--debug',
        '--labels',
        'gpu=a100, rack=3',
        '--log-level',
        'warn',
        '--api-key=s3cret',
      ],
      {},
    );
    expect(values.port).toBe(9000);
    expect(values.host).toBe('127.0.0.1');
    expect(values.nodeTimeout).toBe(120_000);
    expect(values.ratio).toBe(-0.25);
    expect(values.debug).toBe(true);
    expect(values.labels).toEqual(['gpu=a100', 'rack=3']);
    expect(values.logLevel).toBe('warn');
    expect(values.apiKey).toBe('s3cret');
  });

  it('accepts each duration unit and yields ms', () => {
    const ms = (text: string) => parseConfig(spec, ['--node-timeout', text], {}).values.nodeTimeout;
    expect(ms('1500ms')).toBe(1500);
    expect(ms('4s')).toBe(4000);
    expect(ms('2m')).toBe(120_000);
    expect(ms('1h')).toBe(3_600_000);
  });

  it('accepts a short alias', () => {
    expect(parseConfig(spec, ['-p', '81'], {}).values.port).toBe(81);
    expect(parseConfig(spec, ['-p=82'], {}).values.port).toBe(82);
  });

  it('handles --flag, --no-flag and --flag=false for booleans', () => {
    expect(parseConfig(spec, ['--no-tls'], {}).values.tls).toBe(false);
    expect(parseConfig(spec, ['--tls=false'], {}).values.tls).toBe(false);
    expect(parseConfig(spec, ['--no-tls', '--tls'], {}).values.tls).toBe(true);
    expect(parseConfig(spec, ['--debug=yes'], {}).values.debug).toBe(true);
  });

  it('does not let a boolean flag swallow the next token', () => {
    const parsed = parseConfig(spec, ['--debug', 'run.json'], {});
    expect(parsed.values.debug).toBe(true);
    expect(parsed.positionals).toEqual(['run.json']);
  });

  it('appends repeated list flags', () => {
    const { values } = parseConfig(spec, ['--labels', 'a,b', '--labels=c', '--labels', ' d ,, '], {});
    expect(values.labels).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets a later scalar flag win over an earlier one', () => {
    expect(parseConfig(spec, ['--port', '1', '--port', '2'], {}).values.port).toBe(2);
  });

  it('collects positionals and everything after --', () => {
    const parsed = parseConfig(spec, ['single', '--port', '1', '-', '--', '--port', 'x'], {});
    expect(parsed.positionals).toEqual(['single', '-', '--port', 'x']);
    expect(parsed.values.port).toBe(1);
  });
});

describe('parseConfig precedence', () => {
  const env = { FFRTMP_PORT: '7000', FFRTMP_HOST: 'env-host', FFRTMP_LOG_LEVEL: 'error' };
  const file = { port: 6000, host: 'file-host', logLevel: 'debug', 'node-timeout': '30s', ratio: 0.5 };

  it('takes flags over env over file over default', () => {
    const { values } = parseConfig(spec, ['--port', '9000'], env, file);
    expect(values.port).toBe(9000); // flag
    expect(values.host).toBe('env-host'); // env beats file
    expect(values.logLevel).toBe('error'); // env beats file
    expect(values.nodeTimeout).toBe(30_000); // file (flag-form key) beats default
    expect(values.ratio).toBe(0.5); // file, no default
    expect(values.tls).toBe(true); // default
  });

  it('takes env over file when no flag is given', () => {
    expect(parseConfig(spec, [], env, file).values.port).toBe(7000);
  });

  it('takes file over default when neither flag nor env is given', () => {
    expect(parseConfig(spec, [], {}, file).values.port).toBe(6000);
  });

  it('prefers the camelCase file key over the flag-form key', () => {
    const { values } = parseConfig(spec, [], {}, { nodeTimeout: '5s', 'node-timeout': '9s' });
    expect(values.nodeTimeout).toBe(5000);
  });

  it('reads non-FFRTMP env names such as DATABASE_URL', () => {
    const url = 'postgres://db/ffrtmp';
    expect(parseConfig(spec, [], { DATABASE_URL: url }).values.databaseUrl).toBe(url);
  });

  it('treats an empty env var as unset', () => {
    expect(parseConfig(spec, [], { FFRTMP_PORT: '' }, { port: 6000 }).values.port).toBe(6000);
  });

  it('parses env booleans and lists', () => {
    const { values } = parseConfig(spec, [], { FFRTMP_TLS: 'off', FFRTMP_LABELS: 'a,b' });
    expect(values.tls).toBe(false);
    expect(values.labels).toEqual(['a', 'b']);
  });

  it('replaces (not merges) env and file lists with flag lists', () => {
    const { values } = parseConfig(spec, ['--labels', 'x'], { FFRTMP_LABELS: 'a' }, { labels: ['f'] });
    expect(values.labels).toEqual(['x']);
  });

  it('accepts file values in their JSON types', () => {
    const { values } = parseConfig(spec, [], {}, { tls: false, labels: ['a', 'b'], ratio: 1 });
    expect(values).toMatchObject({ tls: false, labels: ['a', 'b'], ratio: 1 });
  });
});

describe('parseConfig problems', () => {
  it('rejects 3.5 and abc for an int', () => {
    expect(problemsOf(() => parseConfig(spec, ['--port', '3.5'], {})).error.message).toBe(
      '--port: expected an integer from 1 to 65535, got "3.5"',
    );
    expect(problemsOf(() => parseConfig(spec, ['--port=abc'], {})).error.message).toBe(
      '--port: expected an integer from 1 to 65535, got "abc"',
    );
  });

  it('reports three bad flags as three problems in one error', () => {
    const { error, problems } = problemsOf(() =>
      parseConfig(spec, ['--port', '70000', '--node-timeout', '5x', '--log-level', 'loud'], {}),
    );
    expect(error.code).toBe('E_INVALID_CONFIG');
    expect(problems).toHaveLength(3);
    expect(error.message.split('\n')).toEqual([
      '--port: expected an integer from 1 to 65535, got "70000"',
      '--node-timeout: expected a duration like 500ms, 4s, 2m or 1h of at least 1s, got "5x"',
      '--log-level: expected one of debug, info, warn, error, got "loud"',
    ]);
  });

  it('reports a duration below its minimum', () => {
    expect(problemsOf(() => parseConfig(spec, ['--node-timeout', '500ms'], {})).problems).toHaveLength(1);
  });

  it('reports a number above its maximum', () => {
    const { error } = problemsOf(() => parseConfig(spec, ['--ratio', '1.5'], {}));
    expect(error.message).toBe('--ratio: expected a number of at most 1, got "1.5"');
  });

  it('reports an unknown flag and suggests the closest within edit distance 2', () => {
    const { problems } = problemsOf(() => parseConfig(spec, ['--prot', '80', '--node-timout=5s'], {}));
    expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      '--prot: unknown flag (did you mean --port?)',
      '--node-timout: unknown flag (did you mean --node-timeout?)',
    ]);
  });

  it('makes no suggestion when nothing is close', () => {
    const { error } = problemsOf(() => parseConfig(spec, ['--frobnicate', '-z'], {}));
    expect(error.message).toBe('--frobnicate: unknown flag\n-z: unknown flag');
  });

  it('reports a missing value at the end and before the next flag', () => {
    const { error } = problemsOf(() => parseConfig(spec, ['--host', '--port'], {}));
    expect(error.message.split('\n')).toEqual([
      '--host: expected a value, got nothing',
      '--port: expected an integer from 1 to 65535, got nothing',
    ]);
  });

  it('rejects a value on --no-x and a bad boolean word', () => {
    const { problems } = problemsOf(() => parseConfig(spec, ['--no-tls=1', '--debug=maybe'], {}));
    expect(problems.map((p) => p.field)).toEqual(['--no-tls', '--debug']);
    expect(problems[1]?.message).toBe('expected true or false, got "maybe"');
  });

  it('names the env var in env problems', () => {
    const { error, problems } = problemsOf(() =>
      parseConfig(spec, [], { FFRTMP_PORT: 'eighty', FFRTMP_NODE_TIMEOUT: '60' }),
    );
    expect(problems.map((p) => [p.source, p.field, p.flag])).toEqual([
      ['env', 'FFRTMP_PORT', '--port'],
      ['env', 'FFRTMP_NODE_TIMEOUT', '--node-timeout'],
    ]);
    expect(error.message).toContain(
      'FFRTMP_PORT (--port): expected an integer from 1 to 65535, got "eighty"',
    );
  });

  it('reports a bad env var even when a flag overrides it', () => {
    const { problems } = problemsOf(() => parseConfig(spec, ['--port', '80'], { FFRTMP_PORT: 'x' }));
    expect(problems.map((p) => p.field)).toEqual(['FFRTMP_PORT']);
  });

  it('names the config file key in file problems', () => {
    const { error, problems } = problemsOf(() =>
      parseConfig(spec, [], {}, { port: 'eighty', 'node-timeout': 60, tls: 'sometimes', labels: [1] }),
    );
    expect(problems.map((p) => p.field)).toEqual(['port', 'node-timeout', 'tls', 'labels']);
    expect(error.message.split('\n')[0]).toBe(
      'config file key "port" (--port): expected an integer from 1 to 65535, got "eighty"',
    );
  });

  it('mixes flag, env and file problems in one error', () => {
    const { problems } = problemsOf(() =>
      parseConfig(spec, ['--bogus'], { FFRTMP_LOG_LEVEL: 'loud' }, { ratio: 'half' }),
    );
    expect(problems.map((p) => p.source)).toEqual(['flag', 'env', 'file']);
  });

  it('ignores config file keys it does not know (the file is shared between commands)', () => {
    expect(parseConfig(spec, [], {}, { mediaDir: '/srv/media' }).values.port).toBe(8080);
  });

  it('throws a programmer error for a spec that reuses a flag or -h', () => {
    const twice = defineOptions({
      a: { flag: 'x', type: 'bool', description: '' },
      b: { flag: 'x', type: 'bool', description: '' },
    });
    expect(() => parseConfig(twice, [], {})).toThrow(/declared twice/);
    const help = { a: { flag: 'all', type: 'bool', description: '', short: 'h' } } as const;
    expect(() => parseConfig(help, [], {})).toThrow(/shadows --help/);
  });
});

describe('parseConfig secrets', () => {
  it('records --x-file PATH in secretFiles instead of values', () => {
    const parsed = parseConfig(spec, ['--api-key-file', '/run/secrets/key'], {});
    expect(parsed.secretFiles).toEqual({ apiKey: '/run/secrets/key' });
    expect(parsed.values.apiKey).toBeUndefined();
  });

  it('records <ENV>_FILE in secretFiles', () => {
    const parsed = parseConfig(spec, [], { FFRTMP_API_KEY_FILE: '/etc/ffrtmp/key' });
    expect(parsed.secretFiles).toEqual({ apiKey: '/etc/ffrtmp/key' });
  });

  it('lets a flag value beat an env secret file', () => {
    const parsed = parseConfig(spec, ['--api-key', 'k'], { FFRTMP_API_KEY_FILE: '/etc/ffrtmp/key' });
    expect(parsed.values.apiKey).toBe('k');
    expect(parsed.secretFiles).toEqual({});
  });

  it('rejects both a value and a file from the same source', () => {
    const flags = problemsOf(() => parseConfig(spec, ['--api-key', 'k', '--api-key-file', '/k'], {}));
    expect(flags.error.message).toBe('--api-key: give --api-key or --api-key-file, not both');
    const env = problemsOf(() => parseConfig(spec, [], { FFRTMP_API_KEY: 'k', FFRTMP_API_KEY_FILE: '/k' }));
    expect(env.problems[0]?.message).toBe('set FFRTMP_API_KEY or FFRTMP_API_KEY_FILE, not both');
  });

  it('reports a secret file flag without a path', () => {
    expect(problemsOf(() => parseConfig(spec, ['--api-key-file'], {})).error.message).toBe(
      '--api-key-file: expected a file path, got nothing',
    );
  });

  it('offers no -file form for options that are not secret', () => {
    expect(problemsOf(() => parseConfig(spec, ['--host-file', '/h'], {})).error.message).toMatch(
      /^--host-file: unknown flag/,
    );
  });

  it('never prints a secret value in a problem', () => {
    const secretInt = defineOptions({
      pin: { flag: 'pin', type: 'int', description: 'PIN', secret: true, env: 'PIN' },
    });
    const { error } = problemsOf(() => parseConfig(secretInt, ['--pin', 'hunter2'], { PIN: 'hunter3' }));
    expect(error.message).not.toMatch(/hunter/);
    expect(error.message).toContain('got (hidden)');
  });
});

describe('parseConfig help', () => {
  it('sets help for -h and --help', () => {
    expect(parseConfig(spec, ['-h'], {}).help).toBe(true);
    expect(parseConfig(spec, ['status', '--help'], {}).help).toBe(true);
  });

  it('does not throw problems when help is asked for', () => {
    const parsed = parseConfig(spec, ['--bogus', '--port', 'x', '--help'], {});
    expect(parsed.help).toBe(true);
    expect(parsed.values.port).toBe(8080);
  });
});

describe('formatHelp', () => {
  const withSecretDefault = {
    ...spec,
    token: { flag: 'token', type: 'string', description: 'Token', default: 'do-not-print', secret: true },
  } as const;
  const text = formatHelp('ffrtmp master [options]', 'Runs the master.', withSecretDefault);
  const lines = text.split('\n');

  it('prints usage, description and an Options table', () => {
    expect(lines.slice(0, 5)).toEqual([
      'Usage: ffrtmp master [options]',
      '',
      'Runs the master.',
      '',
      'Options:',
    ]);
  });

  it('shows flags, type hints, defaults and env vars', () => {
    expect(text).toMatch(/-p, --port <int> +HTTP port \(default: 8080; env: FFRTMP_PORT\)/);
    expect(text).toMatch(/--node-timeout <duration> +.*default: 1m; env: FFRTMP_NODE_TIMEOUT/);
    expect(text).toMatch(/--log-level <debug\|info\|warn\|error> +Log level \(default: info/);
    expect(text).toMatch(
      /--api-key <value> +API key \(env: FFRTMP_API_KEY, FFRTMP_API_KEY_FILE; or --api-key-file/,
    );
    expect(text).toMatch(/-h, --help +Show this help/);
  });

  it('aligns the description column', () => {
    const rows = lines.filter((l) => l.startsWith('  '));
    expect(rows).toHaveLength(Object.keys(withSecretDefault).length + 1);
    const starts = rows.map((l) => l.search(/(?<=\S {2,})\S/));
    expect(starts.every((c) => c > 0)).toBe(true);
    expect(new Set(starts).size).toBe(1);
  });

  it('never prints a secret default', () => {
    expect(text).not.toContain('do-not-print');
  });
});
