import { isEncoderName, presetsFor } from './encoders.js';
import { type FieldProblem, FfrtmpError, invalid } from './errors.js';
import { LIMITS, parseJobParameters } from './job-parameters.js';
import { formatBitrate, parseBitrateKbps, parseResolution } from './units.js';
import { isRecord } from './guards.js';

/**
 * Benchmark scenarios (`ffrtmp test single|multi|batch|suite`, DESIGN §3 Run): what the reference
 * runner (`scripts/run_tests.py`) ran, expressed as job parameters for `POST /jobs`. Every scenario's
 * parameters have been through parseJobParameters and are stored in their canonical form, so what
 * is submitted, what is run and what is recorded are the same values.
 */

export type ScenarioKind = 'baseline' | 'single' | 'multi';

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  /** Canonical job parameters (the output of parseJobParameters), ready for `POST /jobs`. */
  parameters: Record<string, unknown>;
  /** Set by repeatScenarios: the name of the scenario this is a repetition of. */
  group?: string;
  /** Set by repeatScenarios: 1..n. */
  repetition?: number;
}

export interface ScenarioDefaults {
  /** Seconds of encode per scenario (`--duration`). */
  duration: number;
  resolution: string;
  fps: number;
  encoder: string;
  /** Unset: the encoder family's default preset (parseJobParameters fills it in). */
  preset?: string;
  /** Seconds to settle before the measurement window (`--stabilization`). */
  stabilization: number;
  /** Seconds idle after the encode (`--cooldown`). */
  cooldown: number;
  /** Compute PSNR/SSIM (and VMAF where available): `--compute-quality`. */
  quality: boolean;
  /** Seconds of a baseline when none is given (`--baseline-duration`); unset: `duration`. */
  baselineDuration?: number;
}

/** `ffrtmp test` defaults: the reference document's 60 s test with 10 s stabilization and cooldown. */
export const RUNNER_DEFAULTS: Readonly<ScenarioDefaults> = Object.freeze({
  duration: 60,
  resolution: '1280x720',
  fps: 30,
  encoder: 'h264',
  stabilization: 10,
  cooldown: 10,
  quality: false,
});

/** The reference's multi-stream bitrate when none is given (`run_tests.py multi --bitrate 2500k`). */
export const MULTI_DEFAULT_BITRATE = '2500k';

export interface RungInput {
  resolution: string;
  fps?: number;
  /** Unset: the scenario bitrate scaled by this rung's pixel rate (the reference's ladder files give none). */
  bitrate?: string | number;
}

interface EncodeOptions {
  name?: string;
  duration?: number;
  resolution?: string;
  fps?: number;
  encoder?: string;
  preset?: string;
  stabilization?: number;
  cooldown?: number;
}

export interface SingleOptions extends EncodeOptions {
  bitrate: string | number;
  /** An output ladder encoded in one FFmpeg process; `resolution`/`fps` then only scale rung bitrates. */
  outputs?: readonly RungInput[];
}

export interface MultiOptions extends EncodeOptions {
  /** Concurrent encodes. */
  count: number;
  /** One bitrate for every stream (default 2500k). */
  bitrate?: string | number;
  /** One bitrate per stream (mixed); its length must equal `count`. */
  bitrates?: readonly (string | number)[];
}

export type Problems = FieldProblem[];

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** parseJobParameters' `parameters.X` fields, moved under `path` (and `streams` named `count`, as the user wrote it). */
function rebase(problems: readonly FieldProblem[], path: string): FieldProblem[] {
  return problems.map((p) => {
    const field = p.field.replace(/^parameters\.?/, '').replace(/^streams\b/, 'count');
    return { field: `${path}${field === '' ? '' : field}`.replace(/\.$/, ''), message: p.message };
  });
}

function validated(raw: Record<string, unknown>, path: string, problems: Problems) {
  try {
    return parseJobParameters(raw);
  } catch (error) {
    if (error instanceof FfrtmpError && error.code === 'E_INVALID_PARAMETER') {
      problems.push(...rebase((error.details?.problems as FieldProblem[] | undefined) ?? [], path));
      return undefined;
    }
    throw error;
  }
}

function fpsLabel(fps: number): string {
  return `${fps}fps`;
}

/** `1280x720` at 30 → `720p30`. */
function shortFormat(resolution: string, fps: number): string {
  const r = parseResolution(resolution);
  return `${r ? r.height : resolution}p${fps}`;
}

/** The default preset applies unless the scenario picked another encoder whose family lacks it. */
function presetFor(
  own: unknown,
  ownEncoder: unknown,
  defaults: Readonly<ScenarioDefaults>,
): unknown | undefined {
  if (own !== undefined) return own;
  if (defaults.preset === undefined) return undefined;
  if (ownEncoder === undefined) return defaults.preset;
  return isEncoderName(ownEncoder) && presetsFor(ownEncoder).includes(defaults.preset)
    ? defaults.preset
    : undefined;
}

function settle(
  entry: Record<string, unknown>,
  defaults: Readonly<ScenarioDefaults>,
): Record<string, unknown> {
  return {
    stabilization: entry.stabilization ?? defaults.stabilization,
    cooldown: entry.cooldown ?? defaults.cooldown,
    ...(defaults.quality ? { quality: true } : {}),
  };
}

/**
 * Rung bitrates for a ladder whose rungs give none (the reference's ladder files): the scenario
 * bitrate × (rung width × height × fps) / (source width × height × fps), at least the 16k floor.
 * The source is the scenario's resolution and fps, or the largest rung when those are not given.
 */
function ladderRungs(
  outputs: unknown,
  bitrate: unknown,
  resolution: unknown,
  fps: unknown,
  path: string,
  problems: Problems,
): unknown {
  if (!Array.isArray(outputs)) return outputs;
  const needsBitrate = outputs.some((r) => isRecord(r) && r.bitrate === undefined);
  const defaultFps = typeof fps === 'number' ? fps : undefined;
  const filled = outputs.map((rung) =>
    isRecord(rung) && rung.fps === undefined && defaultFps !== undefined
      ? { ...rung, fps: defaultFps }
      : rung,
  );
  if (!needsBitrate) return filled;
  const kbps = parseBitrateKbps(bitrate);
  const rate = (res: unknown, f: unknown): number | undefined => {
    const r = parseResolution(res);
    return r && typeof f === 'number' && Number.isFinite(f) && f > 0 ? r.width * r.height * f : undefined;
  };
  const rungRates = filled.map((r) => (isRecord(r) ? rate(r.resolution, r.fps) : undefined));
  const sourceRate =
    rate(resolution, fps) ??
    rungRates.reduce<number | undefined>((a, b) => (b === undefined ? a : Math.max(a ?? 0, b)), undefined);
  if (kbps === undefined || sourceRate === undefined) {
    if (kbps === undefined)
      problems.push({
        field: `${path}bitrate`,
        message: `a ladder whose rungs give no bitrate needs the scenario bitrate to scale from, got ${describe(bitrate)}`,
      });
    return filled;
  }
  return filled.map((rung, i) => {
    const own = rungRates[i];
    if (!isRecord(rung) || rung.bitrate !== undefined || own === undefined) return rung;
    const scaled = Math.max(LIMITS.bitrateKbps.min, Math.round((kbps * own) / sourceRate));
    return { ...rung, bitrate: formatBitrate(scaled) };
  });
}

export interface Built {
  scenario: Scenario | undefined;
  /** True when the name was generated, so a batch may suffix it to keep names unique. */
  generatedName: boolean;
}

export function buildBaseline(
  entry: Record<string, unknown>,
  defaults: Readonly<ScenarioDefaults>,
  path: string,
  problems: Problems,
): Built {
  const raw = {
    type: 'baseline',
    duration: entry.duration ?? defaults.baselineDuration ?? defaults.duration,
  };
  const parameters = validated(raw, path, problems);
  const name = typeof entry.name === 'string' ? entry.name : 'baseline';
  return {
    scenario: parameters ? { name, kind: 'baseline', parameters: { ...parameters } } : undefined,
    generatedName: entry.name === undefined,
  };
}

export function buildSingle(
  entry: Record<string, unknown>,
  defaults: Readonly<ScenarioDefaults>,
  path: string,
  problems: Problems,
): Built {
  if (entry.bitrate === undefined)
    problems.push({ field: `${path}bitrate`, message: 'a single scenario needs a bitrate, like "5000k"' });
  const resolution = entry.resolution ?? defaults.resolution;
  const fps = entry.fps ?? defaults.fps;
  const ladder = entry.outputs !== undefined;
  const preset = presetFor(entry.preset, entry.encoder, defaults);
  const raw: Record<string, unknown> = {
    duration: entry.duration ?? defaults.duration,
    ...(entry.bitrate === undefined ? {} : { bitrate: entry.bitrate }),
    resolution,
    fps,
    ...(ladder
      ? { outputs: ladderRungs(entry.outputs, entry.bitrate, resolution, fps, path, problems) }
      : {}),
    encoder: entry.encoder ?? defaults.encoder,
    ...(preset === undefined ? {} : { preset }),
    ...settle(entry, defaults),
  };
  const parameters = validated(raw, path, problems);
  if (parameters?.outputs) {
    // A ladder's source is its largest rung (encode-plan): the scenario's size and rate, checked
    // above, only scaled the rung bitrates, and are not kept where they would misstate the source.
    delete parameters.resolution;
    delete parameters.fps;
  }
  let name = typeof entry.name === 'string' ? entry.name : '';
  if (parameters && entry.name === undefined) {
    name = parameters.outputs
      ? `single_ladder_${parameters.outputs.length}x_${parameters.bitrate ?? 'scaled'}`
      : `single_${parameters.bitrate}_${parameters.resolution}_${fpsLabel(parameters.fps ?? defaults.fps)}`;
  }
  return {
    scenario:
      parameters && entry.bitrate !== undefined
        ? { name, kind: 'single', parameters: { ...parameters } }
        : undefined,
    generatedName: entry.name === undefined,
  };
}

export function buildMulti(
  entry: Record<string, unknown>,
  defaults: Readonly<ScenarioDefaults>,
  path: string,
  problems: Problems,
): Built {
  const before = problems.length;
  if (entry.count === undefined)
    problems.push({ field: `${path}count`, message: 'a multi scenario needs a count of concurrent streams' });
  if (entry.bitrate !== undefined && entry.bitrates !== undefined)
    problems.push({
      field: `${path}bitrates`,
      message: 'give either bitrate (every stream) or bitrates (one per stream), not both',
    });
  if (
    Array.isArray(entry.bitrates) &&
    typeof entry.count === 'number' &&
    Number.isInteger(entry.count) &&
    entry.count !== entry.bitrates.length
  ) {
    problems.push({
      field: `${path}bitrates`,
      message: `expected ${entry.count} bitrates to match count ${entry.count}, got ${entry.bitrates.length}`,
    });
  }
  const mismatchReported = problems.length > before;
  const preset = presetFor(entry.preset, entry.encoder, defaults);
  const raw: Record<string, unknown> = {
    duration: entry.duration ?? defaults.duration,
    ...(entry.bitrates === undefined
      ? { bitrate: entry.bitrate ?? MULTI_DEFAULT_BITRATE }
      : { bitrates: entry.bitrates }),
    // A mismatched count is reported above; passing it on would report it twice.
    ...(entry.count === undefined || mismatchReported ? {} : { streams: entry.count }),
    resolution: entry.resolution ?? defaults.resolution,
    fps: entry.fps ?? defaults.fps,
    encoder: entry.encoder ?? defaults.encoder,
    ...(preset === undefined ? {} : { preset }),
    ...settle(entry, defaults),
  };
  const parameters = validated(raw, path, problems);
  if (!parameters || problems.length > before) return { scenario: undefined, generatedName: false };
  const count = parameters.bitrates?.length ?? parameters.streams ?? 1;
  const mixed = parameters.bitrates !== undefined && new Set(parameters.bitrates).size > 1;
  const name =
    typeof entry.name === 'string'
      ? entry.name
      : `multi_${count}x_${mixed ? 'mixed' : (parameters.bitrates?.[0] ?? parameters.bitrate)}`;
  return {
    scenario: { name, kind: 'multi', parameters: { ...parameters } },
    generatedName: entry.name === undefined,
  };
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function checkName(value: unknown, field: string, problems: Problems): void {
  if (value === undefined) return;
  // Room for a `#NN` repetition suffix within the job's 200-character scenario field.
  if (typeof value !== 'string' || value.trim() === '' || value.length > 160 || hasControlCharacter(value)) {
    problems.push({
      field,
      message: `expected a name of 1–160 printable characters, got ${describe(value)}`,
    });
  }
}

export function throwIf(problems: readonly FieldProblem[]): void {
  if (problems.length > 0) throw invalid(problems);
}

function entryOf(options: object): Record<string, unknown> {
  // Drop undefined members so `?? default` sees an absent key, as it would in a JSON file.
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** `ffrtmp test single`: one encode. Throws E_INVALID_PARAMETER naming every bad option (`bitrate`, `fps`). */
export function singleScenario(
  options: SingleOptions,
  defaults: Readonly<ScenarioDefaults> = RUNNER_DEFAULTS,
): Scenario {
  const problems: Problems = [];
  const entry = entryOf(options);
  checkName(entry.name, 'name', problems);
  const built = buildSingle(entry, defaults, '', problems);
  throwIf(problems);
  return built.scenario!;
}

/**
 * `ffrtmp test multi`: `count` concurrent encodes, all at `bitrate` (default 2500k) or one per
 * entry of `bitrates` (mixed; `count` must equal its length).
 */
export function multiScenario(
  options: MultiOptions,
  defaults: Readonly<ScenarioDefaults> = RUNNER_DEFAULTS,
): Scenario {
  const problems: Problems = [];
  const entry = entryOf(options);
  checkName(entry.name, 'name', problems);
  const built = buildMulti(entry, defaults, '', problems);
  throwIf(problems);
  return built.scenario!;
}

/** The idle machine measured for `duration` seconds: no encoder, no preset, no settle times. */
export function baselineScenario(duration: number, name = 'baseline'): Scenario {
  const problems: Problems = [];
  checkName(name, 'name', problems);
  const built = buildBaseline({ duration, name }, RUNNER_DEFAULTS, '', problems);
  throwIf(problems);
  return built.scenario!;
}

/** The reference's `build_default_suite` after its baseline, in its order. */
const SUITE: readonly { series: string; bitrate: string; resolution: string; fps: number }[] = [
  { series: 'bitrate', bitrate: '1000k', resolution: '1280x720', fps: 30 },
  { series: 'bitrate', bitrate: '2500k', resolution: '1280x720', fps: 30 },
  { series: 'bitrate', bitrate: '5000k', resolution: '1280x720', fps: 30 },
  { series: 'bitrate', bitrate: '10000k', resolution: '1280x720', fps: 30 },
  { series: 'resolution', bitrate: '2500k', resolution: '854x480', fps: 30 },
  { series: 'resolution', bitrate: '2500k', resolution: '1280x720', fps: 30 },
  { series: 'resolution', bitrate: '2500k', resolution: '1920x1080', fps: 30 },
  { series: 'fps', bitrate: '5000k', resolution: '1280x720', fps: 30 },
  { series: 'fps', bitrate: '5000k', resolution: '1280x720', fps: 60 },
];

/**
 * `ffrtmp test suite`: a baseline (`baselineDuration`, else `duration`), then the reference's nine
 * scenarios: 1/2.5/5/10 Mbps at 720p30; 480p/720p/1080p at 2.5 Mbps; 30 and 60 fps at 5 Mbps.
 * The reference runs 720p30 @ 2.5 Mbps and @ 5 Mbps twice (once per series); the names carry the
 * series (`suite_bitrate_720p30_2500k`, `suite_resolution_720p30_2500k`) so every name is unique.
 */
export function defaultSuite(defaults: Readonly<ScenarioDefaults> = RUNNER_DEFAULTS): Scenario[] {
  const problems: Problems = [];
  const baseline = buildBaseline({}, defaults, 'baseline.', problems);
  const list: Scenario[] = baseline.scenario ? [baseline.scenario] : [];
  for (const s of SUITE) {
    const name = `suite_${s.series}_${shortFormat(s.resolution, s.fps)}_${s.bitrate}`;
    const built = buildSingle(
      { name, bitrate: s.bitrate, resolution: s.resolution, fps: s.fps },
      defaults,
      `${name}.`,
      problems,
    );
    if (built.scenario) list.push(built.scenario);
  }
  throwIf(problems);
  return list;
}

export const MAX_REPEAT = 100;

/**
 * `--repeat N`: the list run N times over, pass after pass (A#1 B#1 A#2 B#2 …), so slow drift in
 * the machine (heat, background load) spreads over every scenario instead of biasing the one run
 * last. Each repetition keeps `group` (the original name) and `repetition` (1..N) for
 * aggregateRepeats. N = 1 returns the list with `group` set and names unchanged.
 */
export function repeatScenarios(list: readonly Scenario[], n: number): Scenario[] {
  const problems: Problems = [];
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPEAT)
    problems.push({ field: 'repeat', message: `expected a whole number 1 to ${MAX_REPEAT}, got ${n}` });
  const names = new Set<string>();
  for (const s of list) {
    const group = s.group ?? s.name;
    if (names.has(group))
      problems.push({
        field: 'scenarios',
        message: `duplicate scenario name ${describe(group)}; names must be unique`,
      });
    names.add(group);
  }
  throwIf(problems);
  const out: Scenario[] = [];
  for (let rep = 1; rep <= n; rep += 1) {
    for (const s of list) {
      const group = s.group ?? s.name;
      out.push({
        name: n === 1 ? s.name : `${group}#${rep}`,
        kind: s.kind,
        parameters: { ...s.parameters },
        group,
        repetition: rep,
      });
    }
  }
  return out;
}
