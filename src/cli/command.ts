import { readFileSync } from 'node:fs';
import { type ConfigValues, type OptionsSpec, formatHelp, parseConfig } from '../core/config.js';
import { FfrtmpError } from '../core/errors.js';

/**
 * The shape of every `ffrtmp` command: options declared once (parsed by core's parseConfig, which
 * reports every problem at once), `--help` for free, and a run function that returns an exit code.
 */

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM (first signal); long-running commands drain when it fires. */
  signal: AbortSignal;
  /** Aborted on the second signal: stop now. (A third one exits at once.) */
  force: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Either a leaf with `run`, a group of subcommands, or a command loaded when chosen. */
  run?: (io: CliIo) => Promise<number>;
  subcommands?: readonly Command[];
  load?: () => Promise<Command>;
}

/**
 * A command whose module is imported only when it runs: an agent then never loads the master's
 * HTTP server, SQLite driver or certificate code (about 10 MB of RSS on a node that idles for days).
 */
export function lazy(name: string, summary: string, load: () => Promise<Command>): Command {
  return { name, summary, load };
}

export interface LeafOptions<S extends OptionsSpec> {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: S;
  run: (values: ConfigValues<S>, positionals: string[], io: CliIo) => Promise<number>;
}

const CONFIG_ENV = 'FFRTMP_CONFIG';

/** Reads the JSON config file named by --config or FFRTMP_CONFIG, if any. */
function readConfigFile(
  argv: readonly string[],
  env: CliIo['env'],
): { argv: string[]; file?: Record<string, unknown> } {
  const rest: string[] = [];
  let path = env[CONFIG_ENV];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--config') {
      path = argv[++i];
      if (path === undefined) throw new FfrtmpError('E_INVALID_CONFIG', '--config: expected a file path');
    } else if (a.startsWith('--config=')) {
      path = a.slice('--config='.length);
    } else {
      rest.push(a);
    }
  }
  if (!path) return { argv: rest };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FfrtmpError('E_INVALID_CONFIG', `--config: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    const file = JSON.parse(text) as unknown;
    if (typeof file !== 'object' || file === null || Array.isArray(file))
      throw new Error('expected a JSON object');
    return { argv: rest, file: file as Record<string, unknown> };
  } catch (cause) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--config: ${path} is not a JSON object: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function readSecret(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--${flag}-file: cannot read ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

export function leaf<const S extends OptionsSpec>(def: LeafOptions<S>): Command {
  return {
    name: def.name,
    summary: def.summary,
    async run(io) {
      const { argv, file } = readConfigFile(io.argv, io.env);
      const parsed = parseConfig(def.options, argv, io.env, file);
      if (parsed.help) {
        io.out(formatHelp(def.usage, def.description ?? def.summary, def.options));
        return 0;
      }
      const values = parsed.values as Record<string, unknown>;
      for (const [key, path] of Object.entries(parsed.secretFiles) as [string, string][]) {
        values[key] = readSecret(path, def.options[key]?.flag ?? key);
      }
      return def.run(parsed.values, parsed.positionals, io);
    },
  };
}

export function group(name: string, summary: string, subcommands: readonly Command[]): Command {
  return { name, summary, subcommands };
}

export function formatGroupHelp(path: string, command: Command): string {
  const subs = command.subcommands ?? [];
  const width = Math.max(...subs.map((s) => s.name.length));
  return [
    `Usage: ${path} <command> [options]`,
    '',
    command.summary,
    '',
    'Commands:',
    ...subs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    `Run "${path} <command> --help" for a command's options.`,
  ].join('\n');
}
