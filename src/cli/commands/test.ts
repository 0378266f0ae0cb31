import { parseBatchFile } from '../../core/scenario-file.js';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { connectMasters } from '../../agent/transport.js';
import { parseMasterUrls } from '../../core/failover.js';
import { type ConfigValues, defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { type ScenarioRecord, resultsFileName } from '../../core/run-stats.js';
import {
  RUNNER_DEFAULTS,
  type Scenario,
  type ScenarioDefaults,
  baselineScenario,
  defaultSuite,
  multiScenario,
  repeatScenarios,
  singleScenario,
} from '../../core/scenarios.js';
import { startEmbedded } from '../../runner/embedded.js';
import { readUpState } from '../../stack/up.js';
import { type RunOutcome, type RunProgress, runScenarios } from '../../runner/run-scenarios.js';
import { connectionOptions, formatTable } from '../client-options.js';
import { type CliIo, type Command, group, leaf } from '../command.js';

/** Options every `ffrtmp test` subcommand takes (the reference runner's globals plus ours). */
const common = defineOptions({
  ...connectionOptions,
  master: {
    flag: 'master',
    type: 'string',
    env: 'FFRTMP_MASTER',
    description:
      'Run on this master (a fleet; several comma-separated fail over); without it, a master and agent are started for the run',
  },
  node: { flag: 'node', type: 'string', description: 'Pin every scenario to this node id (with --master)' },
  outputDir: {
    flag: 'output-dir',
    type: 'string',
    default: './test_results',
    description: 'Where the results file goes',
  },
  duration: {
    flag: 'duration',
    type: 'number',
    default: RUNNER_DEFAULTS.duration,
    min: 1,
    max: 86_400,
    description: 'Seconds of encode per scenario',
  },
  resolution: {
    flag: 'resolution',
    type: 'string',
    default: RUNNER_DEFAULTS.resolution,
    description: 'WIDTHxHEIGHT',
  },
  fps: {
    flag: 'fps',
    type: 'number',
    default: RUNNER_DEFAULTS.fps,
    min: 1,
    max: 240,
    description: 'Frame rate',
  },
  encoder: {
    flag: 'encoder',
    type: 'string',
    default: RUNNER_DEFAULTS.encoder,
    description: 'h264, h265, vp9, av1, h264_nvenc, …',
  },
  preset: { flag: 'preset', type: 'string', description: "Encoder preset (default: the encoder family's)" },
  stabilization: {
    flag: 'stabilization',
    type: 'number',
    default: RUNNER_DEFAULTS.stabilization,
    min: 0,
    max: 3600,
    description: 'Idle seconds before each measurement window',
  },
  cooldown: {
    flag: 'cooldown',
    type: 'number',
    default: RUNNER_DEFAULTS.cooldown,
    min: 0,
    max: 3600,
    description: 'Idle seconds after each scenario',
  },
  computeQuality: {
    flag: 'compute-quality',
    type: 'bool',
    default: false,
    description:
      'Also compute PSNR and SSIM (VMAF where FFmpeg has libvmaf) of every output, after its window',
  },
  repeat: {
    flag: 'repeat',
    type: 'int',
    default: 1,
    min: 1,
    max: 100,
    description: 'Run every scenario N times (reported as mean ± 95 % CI)',
  },
  dataDir: {
    flag: 'data-dir',
    type: 'string',
    default: './data',
    description: 'Database and agent work dir of the embedded master',
  },
});

type Common = ConfigValues<typeof common>;

/** What a run needs of the options (the demo passes its own). */
export type TestRunOptions = Pick<
  Common,
  'master' | 'node' | 'outputDir' | 'repeat' | 'dataDir' | 'apiKey' | 'tlsCa' | 'tlsCert' | 'tlsKey'
>;

function defaultsOf(o: Common): ScenarioDefaults {
  return {
    duration: o.duration,
    resolution: o.resolution,
    fps: o.fps,
    encoder: o.encoder,
    ...(o.preset ? { preset: o.preset } : {}),
    stabilization: o.stabilization,
    cooldown: o.cooldown,
    quality: o.computeQuality,
  };
}

const fmt = (v: unknown, digits = 1) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
const get = (r: ScenarioRecord, section: 'power' | 'energy' | 'metrics', key: string): unknown =>
  (r[section] as Record<string, unknown> | undefined)?.[key];

function summary(records: readonly ScenarioRecord[]): string {
  return formatTable(
    [
      'SCENARIO',
      'STATUS',
      'RES',
      'FPS',
      'KBPS',
      'STREAMS',
      'MEAN W',
      'ENERGY J',
      'NET J',
      'J/FRAME',
      'SOURCE',
    ],
    records.map((r) => [
      r.name,
      r.status,
      r.resolution ?? '-',
      fmt(r.fps, 0),
      String(r.bitrate),
      String(r.streams),
      fmt(get(r, 'power', 'mean_watts')),
      fmt(get(r, 'energy', 'total_joules')),
      fmt(get(r, 'energy', 'net_joules')),
      fmt((r.analyzer_output as Record<string, unknown> | undefined)?.joules_per_frame, 3),
      fmt(r.psnr_score, 2),
      fmt(r.ssim_score, 4),
      String(get(r, 'energy', 'total_source') ?? '-'),
    ]),
  );
}

function progressLine(p: RunProgress): string {
  const left = p.remainingSec === null ? '' : `, ~${Math.ceil(p.remainingSec)} s left`;
  const watts = p.watts === null ? '' : `, ${p.watts.toFixed(1)} W`;
  return `[${p.index + 1}/${p.total}] ${p.scenario}: ${p.phase} (${Math.floor(p.elapsedSec)} s${left}${watts})`;
}

/** Runs the scenarios on the given master or an embedded one, writing the results file as it goes. */
export async function runTest(
  o: TestRunOptions,
  scenarios: Scenario[],
  io: CliIo,
  /** Called with the finished run before the exit code is decided (the demo prints its analysis). */
  after?: (outcome: RunOutcome, masterUrl: string) => void | Promise<void>,
): Promise<number> {
  const list = repeatScenarios(scenarios, o.repeat);
  const outputFile = resolve(o.outputDir, resultsFileName(Date.now()));
  let stopEmbedded: (() => Promise<void>) | undefined;
  let baseUrl = o.master ?? readUpState(resolve(o.dataDir))?.master_url;
  if (baseUrl && !o.master) io.err(`using the master of "ffrtmp up": ${baseUrl}`);
  if (!baseUrl) {
    if (o.node)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        '--node needs --master (the embedded run has one local node)',
      );
    io.err(
      `starting a local master and agent (data in ${resolve(o.dataDir)}; use --master URL for a fleet)…`,
    );
    const embedded = await startEmbedded({
      dataDir: resolve(o.dataDir),
      port: 0,
      log: (level, msg) => {
        if (level !== 'info') io.err(`${level}: ${msg}`);
      },
    });
    baseUrl = embedded.master.url;
    stopEmbedded = () => embedded.stop({ force: true });
  }
  const { client, transport } = connectMasters({
    masters: parseMasterUrls(baseUrl),
    apiKey: o.apiKey,
    caFile: o.tlsCa,
    certFile: o.tlsCert,
    keyFile: o.tlsKey,
    connections: 4,
  });
  let lastLine = 0;
  try {
    io.err(`running ${list.length} scenario(s) on ${baseUrl}; results: ${outputFile}`);
    const outcome = await runScenarios({
      client,
      scenarios: list,
      outputFile,
      name: basename(outputFile, '.json'),
      options: {
        repeat: o.repeat,
        baseline: scenarios.some((s) => s.kind === 'baseline'),
        ...(o.node ? { node: o.node } : {}),
      },
      targetNodeId: o.node,
      signal: io.signal,
      onRunCreated: (run) => io.err(`run ${run.id} created with ${run.entries.length} job(s)`),
      onProgress: (p) => {
        if (Date.now() - lastLine >= 5000) {
          lastLine = Date.now();
          io.err(progressLine(p));
        }
      },
      onScenarioDone: (r, i) => {
        lastLine = 0;
        io.err(`[${i + 1}/${list.length}] ${r.name}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
      },
    });
    io.out(outcome.records.length > 0 ? summary(outcome.records) : 'no scenario finished');
    io.out(`\nresults: ${outcome.outputFile}`);
    // The embedded master stops with the run; its database stays in --data-dir for `ffrtmp master`.
    const where = stopEmbedded ? `URL of a master on --data-dir ${resolve(o.dataDir)}` : baseUrl;
    io.out(`run: ${outcome.runId} (re-read it: ffrtmp analyze --run ${outcome.runId} --master ${where})`);
    io.out(
      `master: ${baseUrl}${stopEmbedded ? ' (stopped with this run; `ffrtmp master` keeps one running)' : ''}`,
    );
    await after?.(outcome, baseUrl);
    if (outcome.interrupted) {
      io.err(`interrupted: ${outcome.records.length} of ${list.length} scenario(s) finished and are saved`);
      return 130;
    }
    return outcome.records.every((r) => r.status === 'completed') ? 0 : 1;
  } finally {
    await transport.close();
    await stopEmbedded?.();
  }
}

const single = leaf({
  name: 'single',
  summary: 'One encode at one bitrate',
  usage:
    'ffrtmp test single --bitrate 2500k [--name N] [--resolution 1280x720 --fps 30 --duration 60] [--with-baseline]',
  options: defineOptions({
    ...common,
    name: { flag: 'name', type: 'string', description: 'Scenario name' },
    bitrate: { flag: 'bitrate', type: 'string', description: 'Target bitrate, e.g. 2500k or 5M (required)' },
    withBaseline: {
      flag: 'with-baseline',
      type: 'bool',
      default: false,
      description: 'Measure the idle node first',
    },
    baselineDuration: {
      flag: 'baseline-duration',
      type: 'number',
      min: 1,
      max: 3600,
      description: 'Baseline seconds (default: --duration)',
    },
  }),
  async run(o, _p, io) {
    if (!o.bitrate) throw new FfrtmpError('E_INVALID_CONFIG', '--bitrate: required, e.g. --bitrate 2500k');
    const scenarios = [
      singleScenario({ bitrate: o.bitrate, ...(o.name ? { name: o.name } : {}) }, defaultsOf(o)),
    ];
    if (o.withBaseline) scenarios.unshift(baselineScenario(o.baselineDuration ?? o.duration));
    return runTest(o, scenarios, io);
  },
});

const multi = leaf({
  name: 'multi',
  summary: 'Several concurrent encodes (one bitrate, or mixed with --bitrates)',
  usage: 'ffrtmp test multi --count 3 [--bitrate 2500k | --bitrates 1000k,2500k,5000k]',
  options: defineOptions({
    ...common,
    name: { flag: 'name', type: 'string', description: 'Scenario name' },
    count: { flag: 'count', type: 'int', min: 1, max: 64, description: 'Concurrent streams (required)' },
    bitrate: { flag: 'bitrate', type: 'string', description: 'Bitrate of every stream (default 2500k)' },
    bitrates: { flag: 'bitrates', type: 'list', default: [], description: 'One bitrate per stream' },
  }),
  async run(o, _p, io) {
    const count = o.count ?? (o.bitrates.length > 0 ? o.bitrates.length : undefined);
    if (count === undefined) throw new FfrtmpError('E_INVALID_CONFIG', '--count: required, e.g. --count 3');
    const scenario = multiScenario(
      {
        count,
        ...(o.name ? { name: o.name } : {}),
        ...(o.bitrates.length > 0 ? { bitrates: o.bitrates } : o.bitrate ? { bitrate: o.bitrate } : {}),
      },
      defaultsOf(o),
    );
    return runTest(o, [scenario], io);
  },
});

const batch = leaf({
  name: 'batch',
  summary: 'Scenarios from a JSON file (a list, or {scenarios: […]}, of baseline/single/multi entries)',
  usage: 'ffrtmp test batch --file scenarios.json',
  options: defineOptions({
    ...common,
    file: { flag: 'file', type: 'string', description: 'Scenario file (required)' },
  }),
  async run(o, _p, io) {
    if (!o.file) throw new FfrtmpError('E_INVALID_CONFIG', '--file: required, e.g. --file scenarios.json');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(o.file, 'utf8'));
    } catch (cause) {
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--file: cannot read ${o.file} as JSON: ${(cause as Error).message}`,
        { cause },
      );
    }
    return runTest(o, parseBatchFile(json, defaultsOf(o)), io);
  },
});

const suite = leaf({
  name: 'suite',
  summary: "A baseline, then the reference's nine scenarios (bitrates, resolutions, frame rates)",
  usage: 'ffrtmp test suite [--duration 60]',
  options: common,
  async run(o, _p, io) {
    return runTest(o, defaultSuite(defaultsOf(o)), io);
  },
});

export const testCommand: Command = group(
  'test',
  'Run benchmark scenarios and write test_results/test_results_*.json',
  [single, multi, batch, suite],
);
