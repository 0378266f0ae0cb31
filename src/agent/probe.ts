/**
 * The agent's hardware probe (DESIGN §5): CPU, RAM, battery, NVIDIA GPUs, FFmpeg and the encoders a
 * one-frame test encode proves usable. Commands run through execFile (never a shell) with a
 * timeout; a missing program is a problem line in the report, never a throw.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { NodeRegistrationBody } from '../core/contract/schemas.js';
import {
  type GpuInfo,
  hardwareEncodersToTest,
  parseCpuModel,
  parseFfmpegEncoders,
  parseFfmpegVersion,
  parseNvidiaGpuList,
  toTestEncodeArgs,
  usableEncoders,
} from '../core/hardware.js';
import { classifyNodeType, type NodeType, type PowerSource } from '../core/node.js';

export interface ProbeOptions {
  ffmpegPath?: string;
  nvidiaSmi?: string;
  /** Root of sysfs, for /sys/class/power_supply (battery → laptop). */
  sysRoot?: string;
  /** Root of procfs, for /proc/cpuinfo. */
  procRoot?: string;
  /** Prove listed NVENC/QSV/VAAPI encoders with a one-frame encode (default true). */
  testHardwareEncoders?: boolean;
  /** Limit for each command (default 10 s). */
  commandTimeoutMs?: number;
}

export interface HardwareEncoderTest {
  encoder: string;
  ok: boolean;
  error?: string;
}

export interface HardwareReport {
  cpuModel: string;
  cpuThreads: number;
  ramBytes: number;
  hasBattery: boolean;
  nodeType: NodeType;
  gpus: GpuInfo[];
  ffmpegVersion: string | null;
  ffmpegEncodersListed: string[];
  /** Encoders this node can offer: software ones ffmpeg lists, hardware ones that passed a test encode. */
  encoders: string[];
  hardwareEncoderTests: HardwareEncoderTest[];
  hostname: string;
  /** Human-readable lines: what is missing or broken, and what to do. */
  problems: string[];
}

interface CommandOutcome {
  ok: boolean;
  /** The program does not exist (ENOENT). */
  missing: boolean;
  stdout: string;
  /** Why it failed, for a human: exit code and last stderr line, timeout, signal. */
  failure: string;
}

/**
 * The line of a failed command's output that says why. FFmpeg prints the cause first and its
 * consequences after (`[h264_nvenc @ 0x55…] Cannot load libcuda.so.1`, then `Error initializing
 * output stream 0:0 …`), so the first line; the pointer address is noise.
 */
function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line
    .trim()
    .replace(/ @ 0x[0-9a-f]+\]/, ']')
    .slice(0, 300);
}

function runCommand(file: string, args: string[], timeoutMs: number): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    // SIGKILL on timeout: a probe command stuck in a GPU driver call may not answer SIGTERM.
    const options = { timeout: timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: 4 * 1024 * 1024 };
    execFile(file, args, options, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, missing: false, stdout, failure: '' });
      const err = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
      const tail = firstLine(stderr) || firstLine(stdout);
      let failure: string;
      if (err.code === 'ENOENT') failure = 'not found';
      else if (err.killed && err.signal === 'SIGKILL') failure = `timed out after ${timeoutMs / 1000} s`;
      else if (typeof err.code === 'number') failure = `exit code ${err.code}${tail ? `: ${tail}` : ''}`;
      else if (err.signal) failure = `killed by ${err.signal}${tail ? `: ${tail}` : ''}`;
      else failure = err.message;
      resolve({ ok: false, missing: err.code === 'ENOENT', stdout, failure });
    });
  });
}

async function readCpuModel(procRoot: string): Promise<{ cpuModel: string; problems: string[] }> {
  const path = join(procRoot, 'cpuinfo');
  const fallback = os.cpus()[0]?.model?.trim() || 'unknown';
  try {
    return { cpuModel: parseCpuModel(await readFile(path, 'utf8')) ?? fallback, problems: [] };
  } catch (error) {
    return { cpuModel: fallback, problems: [`cannot read ${path}: ${(error as Error).message}`] };
  }
}

async function readTrimmed(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trim();
}

/**
 * A system battery under <sysRoot>/class/power_supply: a `BAT*` supply, or one whose `type` is
 * `Battery` — except `scope` = `Device` (a wireless mouse's battery; kernel ABI sysfs-class-power).
 */
async function detectBattery(sysRoot: string): Promise<boolean> {
  const dir = join(sysRoot, 'class', 'power_supply');
  const supplies = await readdir(dir).catch(() => [] as string[]);
  for (const name of supplies) {
    if ((await readTrimmed(join(dir, name, 'scope'))) === 'Device') continue;
    if (name.startsWith('BAT') || (await readTrimmed(join(dir, name, 'type'))) === 'Battery') return true;
  }
  return false;
}

async function probeGpus(
  nvidiaSmi: string,
  timeoutMs: number,
): Promise<{ gpus: GpuInfo[]; problems: string[] }> {
  const args = ['--query-gpu=index,name,memory.total,uuid', '--format=csv,noheader,nounits'];
  const run = await runCommand(nvidiaSmi, args, timeoutMs);
  if (run.missing) {
    return {
      gpus: [],
      problems: ['nvidia-smi not found: no NVIDIA GPUs detected (normal on machines without one)'],
    };
  }
  if (!run.ok) return { gpus: [], problems: [`nvidia-smi failed (${run.failure}): no NVIDIA GPUs detected`] };
  return { gpus: parseNvidiaGpuList(run.stdout), problems: [] };
}

interface FfmpegProbe {
  version: string | null;
  listed: string[];
  tests: HardwareEncoderTest[];
  problems: string[];
}

async function probeFfmpeg(ffmpeg: string, testHardware: boolean, timeoutMs: number): Promise<FfmpegProbe> {
  const version = await runCommand(ffmpeg, ['-version'], timeoutMs);
  if (version.missing) {
    return {
      version: null,
      listed: [],
      tests: [],
      problems: ['ffmpeg not found: install it with apt-get install ffmpeg'],
    };
  }
  const problems = version.ok ? [] : [`ffmpeg -version failed (${version.failure})`];
  const listing = await runCommand(ffmpeg, ['-hide_banner', '-encoders'], timeoutMs);
  if (!listing.ok) problems.push(`ffmpeg -encoders failed (${listing.failure}): no encoders known`);
  const listed = listing.ok ? parseFfmpegEncoders(listing.stdout) : [];
  const tests: HardwareEncoderTest[] = [];
  // One at a time: consumer NVIDIA cards limit concurrent NVENC sessions.
  for (const encoder of testHardware ? hardwareEncodersToTest(listed) : []) {
    const run = await runCommand(ffmpeg, toTestEncodeArgs(encoder), timeoutMs);
    tests.push(run.ok ? { encoder, ok: true } : { encoder, ok: false, error: run.failure });
  }
  const failed = tests.filter((t) => !t.ok).map((t) => t.encoder);
  if (failed.length > 0) {
    problems.push(
      `hardware encoders listed by ffmpeg but failing a test encode (not offered): ${failed.join(', ')}`,
    );
  }
  return { version: parseFfmpegVersion(version.stdout), listed, tests, problems };
}

/** Probes this machine. Never throws for missing programs or files; see `problems`. */
export async function probeHardware(options: ProbeOptions = {}): Promise<HardwareReport> {
  const timeoutMs = options.commandTimeoutMs ?? 10_000;
  const [cpu, hasBattery, nvidia, ffmpeg] = await Promise.all([
    readCpuModel(options.procRoot ?? '/proc'),
    detectBattery(options.sysRoot ?? '/sys'),
    probeGpus(options.nvidiaSmi ?? 'nvidia-smi', timeoutMs),
    probeFfmpeg(options.ffmpegPath ?? 'ffmpeg', options.testHardwareEncoders ?? true, timeoutMs),
  ]);
  const cpuThreads = os.availableParallelism();
  const ramBytes = os.totalmem();
  const passed = new Set(ffmpeg.tests.filter((t) => t.ok).map((t) => t.encoder));
  return {
    cpuModel: cpu.cpuModel,
    cpuThreads,
    ramBytes,
    hasBattery,
    nodeType: classifyNodeType({ hasBattery, cpuThreads, ramBytes }),
    gpus: nvidia.gpus,
    ffmpegVersion: ffmpeg.version,
    ffmpegEncodersListed: ffmpeg.listed,
    encoders: usableEncoders(ffmpeg.listed, passed),
    hardwareEncoderTests: ffmpeg.tests,
    hostname: os.hostname(),
    problems: [...cpu.problems, ...nvidia.problems, ...ffmpeg.problems],
  };
}

export interface RegistrationExtra {
  address: string;
  maxConcurrentJobs: number;
  nodeKey: string;
  agentVersion: string;
  powerSources: PowerSource[];
  labels?: Record<string, string>;
}

/** The `POST /nodes/register` body for this machine. */
export function toRegistration(report: HardwareReport, extra: RegistrationExtra): NodeRegistrationBody {
  return {
    address: extra.address,
    type: report.nodeType,
    cpu_threads: report.cpuThreads,
    cpu_model: report.cpuModel.slice(0, 255),
    has_gpu: report.gpus.length > 0,
    gpu_type: report.gpus[0]?.name ?? null,
    ram_bytes: report.ramBytes,
    labels: extra.labels ?? {},
    encoders: report.encoders,
    power_sources: extra.powerSources,
    max_concurrent_jobs: extra.maxConcurrentJobs,
    agent_version: extra.agentVersion,
    ffmpeg_version: report.ffmpegVersion,
    node_key: extra.nodeKey,
  };
}

const GiB = 1024 ** 3;

/** A readable summary, as `ffrtmp agent` prints it without --register. */
export function formatHardwareReport(report: HardwareReport): string {
  const gpus = report.gpus.map(
    (g) => `  GPU ${g.index}: ${g.name}${g.memoryMiB === null ? '' : `, ${g.memoryMiB} MiB`} (${g.uuid})`,
  );
  const tests = report.hardwareEncoderTests.map(
    (t) => `  test encode ${t.encoder}: ${t.ok ? 'ok' : `failed (${t.error ?? 'unknown error'})`}`,
  );
  return [
    `Host:     ${report.hostname}`,
    `CPU:      ${report.cpuModel}`,
    `Threads:  ${report.cpuThreads}`,
    `RAM:      ${(report.ramBytes / GiB).toFixed(1)} GiB`,
    `Type:     ${report.nodeType}${report.hasBattery ? ' (battery found)' : ''}`,
    `GPUs:     ${report.gpus.length === 0 ? 'none' : report.gpus.length}`,
    ...gpus,
    `FFmpeg:   ${report.ffmpegVersion ?? 'not found'}`,
    `Encoders: ${report.encoders.length === 0 ? 'none usable' : report.encoders.join(', ')}`,
    ...tests,
    ...(report.problems.length === 0 ? [] : ['Problems:', ...report.problems.map((p) => `  - ${p}`)]),
  ].join('\n');
}
