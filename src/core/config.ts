import { FfrtmpError } from './errors.js';
import { formatDuration, parseDuration } from './units.js';

/**
 * The option parser every `ffrtmp` command uses (DESIGN §10). A command declares its options once;
 * `parseConfig` resolves flags > env > config file > default and reports every problem in one
 * error, and `formatHelp` prints the same table. Pure: argv, env and the parsed config file are
 * passed in, and secret files are only named here — the CLI layer reads them.
 */

export type OptionType = 'string' | 'int' | 'number' | 'duration' | 'bool' | 'list' | 'enum';

export interface OptionSpec {
  /** Kebab-case flag without dashes, e.g. `node-timeout`. */
  flag: string;
  type: OptionType;
  description: string;
  /** For `duration` the default is in ms. */
  default?: string | number | boolean | readonly string[];
  /** e.g. `FFRTMP_PORT` or `DATABASE_URL`. */
  env?: string;
  /** The allowed values of an `enum`. */
  choices?: readonly string[];
  /** Bounds for int, number and duration (ms). */
  min?: number;
  max?: number;
  /** May also come from `--<flag>-file PATH` / `<ENV>_FILE`; its value and default are never printed. */
  secret?: boolean;
  /** One-letter alias, e.g. `p` for `-p 8080`. */
  short?: string;
}

export type OptionsSpec = Record<string, OptionSpec>;

type ValueOfType<T extends OptionType, O> = T extends 'int' | 'number' | 'duration'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'list'
      ? string[]
      : T extends 'enum'
        ? O extends { choices: readonly (infer C extends string)[] }
          ? C
          : string
        : string;

/** The value type an option yields: `number` for int/number/duration (ms), a union of choices for enum. */
export type OptionValue<O extends OptionSpec> = ValueOfType<O['type'], O>;

export type ConfigValues<S extends OptionsSpec> = {
  -readonly [K in keyof S]: S[K] extends { default: unknown }
    ? OptionValue<S[K]>
    : OptionValue<S[K]> | undefined;
};

export interface ParsedConfig<S extends OptionsSpec> {
  values: ConfigValues<S>;
  /** Arguments that are not flags, and everything after `--`. */
  positionals: string[];
  /**
   * Secret options given as `--<flag>-file PATH` or `<ENV>_FILE`: the caller reads the file and
   * puts its contents in place of `values[key]`, which holds the default meanwhile.
   */
  secretFiles: Partial<Record<keyof S, string>>;
  /** `-h` / `--help` was given. Problems are then not thrown: the caller prints help and exits. */
  help: boolean;
}

/** One bad input, named the way the user wrote it. */
export interface ConfigProblem {
  source: 'flag' | 'env' | 'file';
  /** `--port`, `FFRTMP_PORT`, or the config file key `port`. */
  field: string;
  /** The option's flag (`--port`) when the problem belongs to a known option. */
  flag?: string;
  message: string;
}

/** Declares a spec with its literal types kept (enum choices, defaults), for precise `values` types. */
export function defineOptions<const S extends OptionsSpec>(spec: S): S {
  return spec;
}

type Value = string | number | boolean | string[];
type Converted = { ok: true; value: Value } | { ok: false; expected: string };
/** What one source says about one option: a value, or (secrets) the path of a file holding it. */
type Candidate = { value: Value } | { secretFile: string };

const INT_RE = /^[-+]?\d+$/;
const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;
const BOOL_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
};

function expectedOf(spec: OptionSpec): string {
  switch (spec.type) {
    case 'int':
      return `an integer${rangeOf(spec)}`;
    case 'number':
      return `a number${rangeOf(spec)}`;
    case 'duration':
      return `a duration like 500ms, 4s, 2m or 1h${rangeOf(spec)}`;
    case 'bool':
      return 'true or false';
    case 'list':
      return 'a comma-separated list';
    case 'enum':
      return `one of ${(spec.choices ?? []).join(', ')}`;
    case 'string':
      return 'a value';
  }
}

function rangeOf(spec: OptionSpec): string {
  const show = (n: number) => (spec.type === 'duration' ? formatDuration(n) : String(n));
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${show(spec.min)} to ${show(spec.max)}`;
  if (spec.min !== undefined) return ` of at least ${show(spec.min)}`;
  if (spec.max !== undefined) return ` of at most ${show(spec.max)}`;
  return '';
}

function inRange(spec: OptionSpec, n: number): Converted {
  const ok = (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
  return ok ? { ok: true, value: n } : { ok: false, expected: expectedOf(spec) };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Converts a flag or env value (always text). */
function fromText(spec: OptionSpec, text: string): Converted {
  const bad: Converted = { ok: false, expected: expectedOf(spec) };
  const t = text.trim();
  switch (spec.type) {
    case 'string':
      return { ok: true, value: text };
    case 'int':
      return INT_RE.test(t) && Number.isSafeInteger(Number(t)) ? inRange(spec, Number(t)) : bad;
    case 'number':
      return NUMBER_RE.test(t) && Number.isFinite(Number(t)) ? inRange(spec, Number(t)) : bad;
    case 'duration': {
      const ms = parseDuration(t);
      return ms === undefined ? bad : inRange(spec, ms);
    }
    case 'bool': {
      const b = BOOL_WORDS[t.toLowerCase()];
      return b === undefined ? bad : { ok: true, value: b };
    }
    case 'list':
      return { ok: true, value: splitList(text) };
    case 'enum':
      return spec.choices?.includes(t) ? { ok: true, value: t } : bad;
  }
}

/** Converts a config file value: JSON/YAML types where they fit, text otherwise. */
function fromFileValue(spec: OptionSpec, value: unknown): Converted {
  if (typeof value === 'string') return fromText(spec, value);
  const bad: Converted = { ok: false, expected: expectedOf(spec) };
  switch (spec.type) {
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value: String(value) } : bad;
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? inRange(spec, value) : bad;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? inRange(spec, value) : bad;
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : bad;
    case 'list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? { ok: true, value: [...value] }
        : bad;
    // A bare number of a duration is ambiguous (seconds? ms?); like units.ts we require a unit.
    case 'duration':
    case 'enum':
      return bad;
  }
}

function shown(spec: OptionSpec, value: unknown): string {
  if (spec.secret) return '(hidden)';
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

interface FlagTarget {
  key: string;
  spec: OptionSpec;
  form: 'value' | 'negated' | 'secretFile';
}

function indexFlags(spec: OptionsSpec): { long: Map<string, FlagTarget>; short: Map<string, FlagTarget> } {
  const long = new Map<string, FlagTarget>();
  const short = new Map<string, FlagTarget>();
  const claim = (map: Map<string, FlagTarget>, name: string, target: FlagTarget) => {
    if (map.has(name) || name === 'help' || name === 'h') {
      throw new Error(`option spec bug: flag "${name}" is declared twice or shadows --help/-h`);
    }
    map.set(name, target);
  };
  for (const [key, s] of Object.entries(spec)) {
    claim(long, s.flag, { key, spec: s, form: 'value' });
    if (s.short !== undefined) claim(short, s.short, { key, spec: s, form: 'value' });
    if (s.type === 'enum' && !s.choices?.length)
      throw new Error(`option spec bug: enum --${s.flag} has no choices`);
  }
  // Derived forms come second so that a declared flag named `no-x` or `x-file` wins.
  for (const [key, s] of Object.entries(spec)) {
    if (s.type === 'bool' && !long.has(`no-${s.flag}`)) {
      long.set(`no-${s.flag}`, { key, spec: s, form: 'negated' });
    }
    if (s.secret && !long.has(`${s.flag}-file`)) {
      long.set(`${s.flag}-file`, { key, spec: s, form: 'secretFile' });
    }
  }
  return { long, short };
}

/** Levenshtein distance, for "did you mean" on unknown flags. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function takesNoToken(next: string | undefined): boolean {
  // `-5` and `-` are values; any other dash-led token is the next flag.
  return next === undefined || (next.startsWith('-') && next !== '-' && !/^-[\d.]/.test(next));
}

interface FlagPass {
  candidates: Map<string, Candidate>;
  /** Keys that came as a value and as a secret file on the command line. */
  both: Set<string>;
  positionals: string[];
  help: boolean;
}

function readFlags(spec: OptionsSpec, argv: readonly string[], problems: ConfigProblem[]): FlagPass {
  const { long, short } = indexFlags(spec);
  const pass: FlagPass = { candidates: new Map(), both: new Set(), positionals: [], help: false };
  const seenForms = new Map<string, Set<FlagTarget['form']>>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') {
      pass.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '--help' || token === '-h') {
      pass.help = true;
      continue;
    }
    const isLong = token.startsWith('--');
    if (!isLong && (!token.startsWith('-') || token === '-')) {
      pass.positionals.push(token);
      continue;
    }
    const body = token.slice(isLong ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    const target = isLong ? long.get(name) : short.get(name);
    if (!target) {
      const guess = isLong ? closest(name, [...long.keys(), 'help']) : undefined;
      const message = `unknown flag${guess ? ` (did you mean --${guess}?)` : ''}`;
      problems.push({ source: 'flag', field: isLong ? `--${name}` : `-${name}`, message });
      continue;
    }
    const { key, spec: s, form } = target;
    const field = form === 'value' ? `--${s.flag}` : `--${name}`;
    const flag = `--${s.flag}`;
    const forms = seenForms.get(key) ?? new Set();
    forms.add(form === 'secretFile' ? 'secretFile' : 'value');
    seenForms.set(key, forms);
    if (forms.size > 1) pass.both.add(key);

    if (form === 'negated' || (s.type === 'bool' && inline === undefined)) {
      if (inline !== undefined) {
        problems.push({ source: 'flag', field, flag, message: `takes no value, got ${shown(s, inline)}` });
      } else {
        pass.candidates.set(key, { value: form !== 'negated' });
      }
      continue;
    }
    let text = inline;
    if (text === undefined && !takesNoToken(argv[i + 1])) text = argv[++i];
    if (text === undefined) {
      const expected = form === 'secretFile' ? 'a file path' : expectedOf(s);
      problems.push({ source: 'flag', field, flag, message: `expected ${expected}, got nothing` });
      continue;
    }
    if (form === 'secretFile') {
      pass.candidates.set(key, { secretFile: text });
      continue;
    }
    const converted = fromText(s, text);
    if (!converted.ok) {
      problems.push({
        source: 'flag',
        field,
        flag,
        message: `expected ${converted.expected}, got ${shown(s, text)}`,
      });
      continue;
    }
    const previous = pass.candidates.get(key);
    // Repeated list flags append: `--labels a=1 --labels b=2`.
    if (s.type === 'list' && previous && 'value' in previous && Array.isArray(previous.value)) {
      pass.candidates.set(key, { value: [...previous.value, ...(converted.value as string[])] });
    } else {
      pass.candidates.set(key, converted);
    }
  }
  return pass;
}

function readEnv(
  s: OptionSpec,
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
): Candidate | undefined {
  if (s.env === undefined) return undefined;
  const flag = `--${s.flag}`;
  // Empty counts as unset: compose files and systemd units often declare `FFRTMP_X=`.
  const text = env[s.env] === '' ? undefined : env[s.env];
  const fileEnv = `${s.env}_FILE`;
  const path = s.secret && env[fileEnv] !== '' ? env[fileEnv] : undefined;
  if (text !== undefined && path !== undefined) {
    problems.push({ source: 'env', field: s.env, flag, message: `set ${s.env} or ${fileEnv}, not both` });
    return undefined;
  }
  if (path !== undefined) return { secretFile: path };
  if (text === undefined) return undefined;
  const converted = fromText(s, text);
  if (converted.ok) return converted;
  problems.push({
    source: 'env',
    field: s.env,
    flag,
    message: `expected ${converted.expected}, got ${shown(s, text)}`,
  });
  return undefined;
}

function readFile(
  key: string,
  s: OptionSpec,
  file: Readonly<Record<string, unknown>> | undefined,
  problems: ConfigProblem[],
): Candidate | undefined {
  if (file === undefined) return undefined;
  // Unknown keys are left alone: one config file may serve the master and the agent alike.
  const name = Object.hasOwn(file, key) ? key : Object.hasOwn(file, s.flag) ? s.flag : undefined;
  const raw = name === undefined ? undefined : file[name];
  if (name === undefined || raw === undefined || raw === null) return undefined;
  const converted = fromFileValue(s, raw);
  if (converted.ok) return converted;
  problems.push({
    source: 'file',
    field: name,
    flag: `--${s.flag}`,
    message: `expected ${converted.expected}, got ${shown(s, raw)}`,
  });
  return undefined;
}

function copyDefault(s: OptionSpec): Value | undefined {
  const d = s.default;
  return Array.isArray(d) ? [...(d as readonly string[])] : (d as Value | undefined);
}

export function formatProblem(p: ConfigProblem): string {
  if (p.source === 'flag') return `${p.field}: ${p.message}`;
  const where = p.source === 'env' ? p.field : `config file key "${p.field}"`;
  return `${where}${p.flag ? ` (${p.flag})` : ''}: ${p.message}`;
}

/**
 * Resolves a command's options: flags > env > config file (keys in camelCase or flag form) >
 * default. Throws one E_INVALID_CONFIG listing every problem, one per line, in
 * `details.problems`.
 */
export function parseConfig<const S extends OptionsSpec>(
  spec: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  file?: Readonly<Record<string, unknown>>,
): ParsedConfig<S> {
  const problems: ConfigProblem[] = [];
  const envProblems: ConfigProblem[] = [];
  const fileProblems: ConfigProblem[] = [];
  const flags = readFlags(spec, argv, problems);
  const values: Record<string, Value | undefined> = {};
  const secretFiles: Record<string, string> = {};
  for (const [key, s] of Object.entries(spec)) {
    if (flags.both.has(key)) {
      const message = `give --${s.flag} or --${s.flag}-file, not both`;
      problems.push({ source: 'flag', field: `--${s.flag}`, flag: `--${s.flag}`, message });
    }
    // Every source is read, so a bad env value is reported even when a flag overrides it.
    const fromEnv = readEnv(s, env, envProblems);
    const fromFile = readFile(key, s, file, fileProblems);
    const chosen = flags.candidates.get(key) ?? fromEnv ?? fromFile;
    values[key] = chosen && 'value' in chosen ? chosen.value : copyDefault(s);
    if (chosen && 'secretFile' in chosen) secretFiles[key] = chosen.secretFile;
  }
  problems.push(...envProblems, ...fileProblems);
  if (problems.length > 0 && !flags.help) {
    throw new FfrtmpError('E_INVALID_CONFIG', problems.map(formatProblem).join('\n'), {
      details: { problems },
    });
  }
  return {
    values: values as ConfigValues<S>,
    positionals: flags.positionals,
    secretFiles: secretFiles as Partial<Record<keyof S, string>>,
    help: flags.help,
  };
}

export { formatHelp } from './config-help.js';
