import { FfrtmpError, isFfrtmpError } from '../core/errors.js';
import { type CliIo, type Command, formatGroupHelp } from './command.js';

/** Exit codes: 0 success, 1 failure or bug, 2 a usage or input mistake, 130 interrupted. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const USER_MISTAKES = new Set(['E_INVALID_CONFIG', 'E_INVALID_PARAMETER', 'E_INVALID_JSON']);

function describeError(error: unknown, debug: boolean): string {
  if (!isFfrtmpError(error)) return error instanceof Error ? (error.stack ?? error.message) : String(error);
  const lines = [`error: ${error.message} [${error.code}]`];
  if (debug) {
    let cause = error.cause;
    while (cause) {
      lines.push(`  caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return lines.join('\n');
}

/**
 * Finds the command named by argv and runs it. A user mistake prints one clear line and exits 2;
 * an FfrtmpError prints its message and code; anything else is a bug and prints the stack.
 */
export async function runCli(root: Command, io: CliIo): Promise<number> {
  const debug = io.argv.includes('--debug');
  const argv = io.argv.filter((a) => a !== '--debug');
  let command = root;
  let path = root.name;
  let i = 0;
  if (command.load) command = await command.load();
  while (command.subcommands) {
    const name = argv[i];
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.out(formatGroupHelp(path, command));
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const next = command.subcommands.find((c) => c.name === name);
    if (!next) {
      io.err(`error: unknown command "${path} ${name}"\n\n${formatGroupHelp(path, command)}`);
      return EXIT.usage;
    }
    command = next.load ? await next.load() : next;
    path = `${path} ${name}`;
    i++;
  }
  try {
    if (!command.run) throw new FfrtmpError('E_INTERNAL', `command ${path} has no action`);
    return await command.run({ ...io, argv: argv.slice(i) });
  } catch (error) {
    if (io.signal.aborted && (error as Error).name === 'AbortError') return EXIT.interrupted;
    io.err(describeError(error, debug));
    if (isFfrtmpError(error) && USER_MISTAKES.has(error.code)) {
      io.err(`Run "${path} --help" for usage.`);
      return EXIT.usage;
    }
    return EXIT.failure;
  }
}
