import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { describeReply, isOk, request } from './lib/http.js';
import { type BenchMaster, CLI } from './lib/master.js';
import {
  clockTicks,
  cpuTicks,
  loadAvg,
  memStatus,
  reapedChildrenCpuTicks,
  rssByMapping,
  rssSampler,
  smapsRollup,
} from './lib/proc.js';
import { fmt as f } from './lib/stats.js';

/**
 * Agent footprint benchmark: one built agent (`ffrtmp agent --register`) with the default
 * intervals (long-poll 10 s, heartbeat 30 s) against a master child process on loopback.
 *
 * 1. Idle: after registration and a short settle, the agent's CPU (utime + stime from
 *    /proc/<pid>/stat) and RSS (VmRSS sampled, VmHWM) over the window, beside a bare
 *    `node -e "setInterval(()=>{},1000)"` measured the same way over the same window; both
 *    broken down with /proc/<pid>/smaps_rollup and per mapping from /proc/<pid>/smaps.
 * 2. One live job (testsrc → H.264 720p30, null muxer): the agent's own CPU over the job window
 *    beside FFmpeg's (the result's `metrics.cpu_seconds`).
 */

export interface AgentBenchOptions {
  idleSec: number;
  jobDurationSec: number;
  /** Seconds between registration and the start of the idle window (start-up work settles). */
  settleSec: number;
  master: BenchMaster;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => bytes / MiB;

export interface MemoryBreakdown {
  /** From smaps_rollup, MiB. */
  rollup: {
    rss: number;
    pss: number;
    anonymous: number;
    fileBacked: number;
    shared: number;
    private: number;
  };
  /** Resident MiB per mapping (smaps), heaviest first. */
  byMapping: { mapping: string; mib: number }[];
}

export interface IdleProcess {
  cpuSec: number;
  cpuPercentOfOneCore: number;
  rssMiB: { start: number; end: number; peak: number };
  /** VmHWM: the kernel's peak RSS over the whole life of the process (start-up included). */
  lifetimePeakMiB: number;
  memory: MemoryBreakdown;
}

export interface AgentReport {
  node: string;
  /** The commit the built agent came from, and whether src/ had uncommitted changes then. */
  source: { commit: string; dirtySrcFiles: number };
  loadAvg: { start: number[]; end: number[] };
  intervals: { pollSec: number; heartbeatSec: number };
  registerMs: number;
  rssAtRegistrationMiB: number;
  settleSec: number;
  idle: {
    windowSec: number;
    agent: IdleProcess;
    bareNode: IdleProcess;
    /** Seconds since the master last heard a heartbeat, read at the end of the window. */
    lastHeartbeatAgeSec: number;
  };
  job: {
    id: string;
    status: string;
    error: string | null;
    parameters: Record<string, unknown>;
    windowSec: number;
    ffmpegCpuSec: number;
    agentCpuSec: number;
    agentCpuPercentOfFfmpeg: number;
    agentCpuPercentOfOneCore: number;
    /** CPU of children the agent reaped in the window (FFmpeg itself, plus any helper process). */
    agentReapedChildrenCpuSec: number;
    masterCpuSec: number;
    agentRssPeakMiB: number;
    metrics: Record<string, unknown>;
  };
  agentExitCode: number | null;
  /**
   * Idle node processes that only import a module graph, measured the same way (after the agent
   * is gone): what loading the code costs, so that agent − "whole CLI" is the agent's runtime state.
   */
  moduleProbes: ModuleProbe[];
}

export interface ModuleProbe {
  label: string;
  imports: string[];
  rssMiB: number;
  anonymousMiB: number;
  /** The probe's own process.memoryUsage(), MiB. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

export const AIMS = { idleRssBytes: 60e6, idleCpuPercent: 0.5 };

/** How long a module probe idles before it is read: past V8's memory reducer (see runModuleProbes). */
const PROBE_SETTLE_MS = 30_000;
const POLL_SEC = 10;
const HEARTBEAT_SEC = 30;

interface Spawned {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
  /** The process has exited and its stdout/stderr are fully read. */
  closed: Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs: number): Promise<number | null>;
}

function spawnTracked(
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
  cwd?: string,
): Spawned {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    if (out.length > 65_536) out = out.slice(-32_768);
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  return {
    child,
    pid: child.pid,
    output: () => out,
    exited,
    closed,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The environment without FFRTMP_* settings, so the agent runs with its defaults plus our flags. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FFRTMP_')));
}

function startAgent(masterUrl: string, workDir: string): { agent: Spawned; nodeId: Promise<string> } {
  let onRegistered: (id: string) => void = () => undefined;
  const registered = new Promise<string>((resolve) => {
    onRegistered = resolve;
  });
  const agent = spawnTracked(
    [
      CLI,
      'agent',
      '--register',
      '--master',
      masterUrl,
      '--allow-master-as-worker',
      '--metrics-port',
      '0',
      '--work-dir',
      workDir,
      '--media-dir',
      workDir,
      '--poll-interval',
      `${POLL_SEC}s`,
      '--heartbeat-interval',
      `${HEARTBEAT_SEC}s`,
    ],
    cleanEnv(),
    (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === 'registered with the master') onRegistered(String(entry.node_id));
      } catch {
        // not a log line
      }
    },
  );
  const nodeId = whileAlive(registered, agent, 60_000, 'register');
  return { agent, nodeId };
}

/**
 * Resolves with `p`, or rejects if the process exits first or `ms` pass; leaves no timer or
 * listener behind either way.
 */
function whileAlive<T>(p: Promise<T>, proc: Spawned, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) =>
      done(new Error(`agent exited with ${code} (${what}):\n${proc.output()}`));
    const timer = setTimeout(
      () => done(new Error(`agent: ${what} took over ${ms} ms:\n${proc.output()}`)),
      ms,
    );
    const done = (err: Error | null, value?: T) => {
      clearTimeout(timer);
      proc.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    };
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return onExit(proc.child.exitCode);
    proc.child.once('exit', onExit);
    p.then(
      (v) => done(null, v),
      (e) => done(e as Error),
    );
  });
}

const PROBE_SCRIPT = `
for (const s of JSON.parse(process.argv[1])) await import(s);
process.on('SIGTERM', () => {
  process.stdout.write(JSON.stringify(process.memoryUsage()) + '\\n', () => process.exit(0));
});
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

const REPO = resolve(dirname(CLI), '..', '..');

/** What the agent process loads: the modules `dist/cli/main.js` imports statically. */
function cliImports(): string[] {
  const main = readFileSync(CLI, 'utf8');
  return [...main.matchAll(/^import .* from '(\.[^']+)';$/gm)].map(
    (m) => pathToFileURL(resolve(dirname(CLI), m[1] as string)).href,
  );
}

/** Starts an idle node that imports `imports`, waits `settleMs`, reads its memory, stops it. */
async function probeModules(label: string, imports: string[], settleMs: number): Promise<ModuleProbe> {
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const proc = spawnTracked(
    ['--input-type=module', '-e', PROBE_SCRIPT, JSON.stringify(imports)],
    { ...cleanEnv() },
    (line) => {
      if (line === 'ready') ready();
    },
    REPO,
  );
  try {
    await whileAlive(isReady, proc, 30_000, `probe ${label}`);
    await sleep(settleMs);
    const r = smapsRollup(proc.pid);
    const code = await proc.stop(5_000);
    await proc.closed;
    const usage = JSON.parse(
      proc
        .output()
        .split('\n')
        .find((l) => l.startsWith('{')) ?? 'null',
    );
    if (code !== 0 || !usage) throw new Error(`probe ${label} exited with ${code}:\n${proc.output()}`);
    return {
      label,
      imports: imports.map((i) => i.replace(pathToFileURL(REPO).href + '/', '')),
      rssMiB: mib(r.Rss ?? 0),
      anonymousMiB: mib(r.Anonymous ?? 0),
      heapUsedMiB: mib(usage.heapUsed),
      heapTotalMiB: mib(usage.heapTotal),
      externalMiB: mib(usage.external),
    };
  } finally {
    await proc.stop(2_000);
  }
}

async function runModuleProbes(settleMs: number): Promise<ModuleProbe[]> {
  const dist = (p: string) => pathToFileURL(join(REPO, 'dist', p)).href;
  const deps = Object.keys(
    (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies?: object })
      .dependencies ?? {},
  );
  const probes: [string, string[]][] = [
    ['bare node', []],
    ["the agent command's graph", [dist('cli/commands/agent.js')]],
    ['the whole CLI (as main.js loads it)', cliImports()],
    ...deps.map((d): [string, string[]] => [`package ${d} alone`, [d]]),
  ];
  // All at once: each must sit idle long enough for V8's memory reducer (it shrinks the heap some
  // 15–20 s after a process goes quiet), as the agent has by the end of its idle window.
  const settled = await Promise.allSettled(
    probes.map(([label, imports]) => probeModules(label, imports, settleMs)),
  );
  const failed = settled.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((p) => (p as PromiseFulfilledResult<ModuleProbe>).value);
}

function sourceState(): { commit: string; dirtySrcFiles: number } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src');
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirtySrcFiles: dirty ? dirty.split('\n').length : 0,
    };
  } catch {
    return { commit: 'unknown', dirtySrcFiles: 0 };
  }
}

function breakdown(pid: number): MemoryBreakdown {
  const r = smapsRollup(pid);
  const get = (k: string) => r[k] ?? 0;
  return {
    rollup: {
      rss: mib(get('Rss')),
      pss: mib(get('Pss')),
      anonymous: mib(get('Anonymous')),
      fileBacked: mib(get('Rss') - get('Anonymous')),
      shared: mib(get('Shared_Clean') + get('Shared_Dirty')),
      private: mib(get('Private_Clean') + get('Private_Dirty')),
    },
    byMapping: rssByMapping(pid)
      .slice(0, 8)
      .map((g) => ({ mapping: g.mapping, mib: mib(g.bytes) })),
  };
}

/** Measures one process over a window that the caller closes with `end()`. */
function idleWindow(pid: number, ticks: number) {
  const rssStart = memStatus(pid).rss;
  const sampler = rssSampler(pid, 200);
  const cpu0 = cpuTicks(pid);
  const t0 = performance.now();
  return (): IdleProcess => {
    const cpu1 = cpuTicks(pid);
    const windowSec = (performance.now() - t0) / 1000;
    const peak = sampler.stop();
    const { rss, hwm } = memStatus(pid);
    const cpuSec = (cpu1 - cpu0) / ticks;
    return {
      cpuSec,
      cpuPercentOfOneCore: (100 * cpuSec) / windowSec,
      rssMiB: { start: mib(rssStart), end: mib(rss), peak: mib(Math.max(peak, rss)) },
      lifetimePeakMiB: mib(hwm),
      memory: breakdown(pid),
    };
  };
}

export async function runAgentBench(opts: AgentBenchOptions): Promise<AgentReport> {
  const { master } = opts;
  const ticks = clockTicks();
  const loadStart = loadAvg();
  const source = sourceState();
  const workDir = mkdtempSync(join(tmpdir(), 'ffrtmp-bench-agent-'));
  const client = new Client(master.url, { pipelining: 1 });
  let agent: Spawned | undefined;
  let bare: Spawned | undefined;
  try {
    const t0 = performance.now();
    const started = startAgent(master.url, workDir);
    agent = started.agent;
    const nodeId = await started.nodeId;
    const registerMs = performance.now() - t0;
    const rssAtRegistration = memStatus(agent.pid).rss;

    // The baseline boots during the settle, so both are past start-up when the window opens.
    bare = spawnTracked(['-e', 'setInterval(()=>{},1000)'], cleanEnv());
    await sleep(opts.settleSec * 1000);

    // --- idle window ---
    const w0 = performance.now();
    const endAgent = idleWindow(agent.pid, ticks);
    const endBare = idleWindow(bare.pid, ticks);
    await whileAlive(sleep(opts.idleSec * 1000), agent, opts.idleSec * 1000 + 10_000, 'the idle window');
    const agentIdle = endAgent();
    const bareIdle = endBare();
    const windowSec = (performance.now() - w0) / 1000;
    await bare.stop(2_000);

    const node = await request(client, 'GET', `/nodes/${encodeURIComponent(nodeId)}`);
    if (!isOk(node)) throw new Error(`GET /nodes/${nodeId}: ${describeReply(node)}`);
    const lastHeartbeatAgeSec = (Date.now() - Date.parse(node.json.last_heartbeat)) / 1000;

    // --- one live job ---
    const parameters = {
      duration: opts.jobDurationSec,
      resolution: '1280x720',
      fps: 30,
      bitrate: '2500k',
      encoder: 'h264',
      preset: 'veryfast',
    };
    const jobSampler = rssSampler(agent.pid, 200);
    const agentCpu0 = cpuTicks(agent.pid);
    const reaped0 = reapedChildrenCpuTicks(agent.pid);
    const masterCpu0 = cpuTicks(master.pid);
    const j0 = performance.now();
    const submitted = await request(client, 'POST', '/jobs', { scenario: 'bench-agent', parameters });
    if (!isOk(submitted)) throw new Error(`POST /jobs: ${describeReply(submitted)}`);
    const jobId = submitted.json.id as string;
    const deadline = Date.now() + (opts.jobDurationSec * 3 + 60) * 1000;
    let job: any;
    for (;;) {
      const r = await request(client, 'GET', `/jobs/${encodeURIComponent(jobId)}`);
      if (!isOk(r)) throw new Error(`GET /jobs/${jobId}: ${describeReply(r)}`);
      job = r.json;
      if (['completed', 'failed', 'canceled'].includes(job.status)) break;
      if (agent.child.exitCode !== null) throw new Error(`agent exited during the job:\n${agent.output()}`);
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after the deadline`);
      await sleep(250);
    }
    const agentCpu1 = cpuTicks(agent.pid);
    const reaped1 = reapedChildrenCpuTicks(agent.pid);
    const masterCpu1 = cpuTicks(master.pid);
    const jobWindowSec = (performance.now() - j0) / 1000;
    const agentRssPeak = jobSampler.stop();

    const res = await request(client, 'GET', `/results/${encodeURIComponent(jobId)}`);
    if (!isOk(res)) throw new Error(`GET /results/${jobId}: ${describeReply(res)}`);
    const metrics = (res.json.metrics ?? {}) as Record<string, unknown>;
    const ffmpegCpuSec = Number(metrics.cpu_seconds ?? Number.NaN);
    const agentCpuSec = (agentCpu1 - agentCpu0) / ticks;

    const agentExitCode = await agent.stop(15_000);
    const moduleProbes = await runModuleProbes(PROBE_SETTLE_MS);
    return {
      node: process.version,
      source,
      loadAvg: { start: loadStart, end: loadAvg() },
      intervals: { pollSec: POLL_SEC, heartbeatSec: HEARTBEAT_SEC },
      registerMs,
      rssAtRegistrationMiB: mib(rssAtRegistration),
      settleSec: opts.settleSec,
      idle: { windowSec, agent: agentIdle, bareNode: bareIdle, lastHeartbeatAgeSec },
      job: {
        id: jobId,
        status: job.status,
        error: res.json.error ?? job.error ?? null,
        parameters,
        windowSec: jobWindowSec,
        ffmpegCpuSec,
        agentCpuSec,
        agentCpuPercentOfFfmpeg: (100 * agentCpuSec) / ffmpegCpuSec,
        agentCpuPercentOfOneCore: (100 * agentCpuSec) / jobWindowSec,
        agentReapedChildrenCpuSec: (reaped1 - reaped0) / ticks,
        masterCpuSec: (masterCpu1 - masterCpu0) / ticks,
        agentRssPeakMiB: mib(agentRssPeak),
        metrics,
      },
      agentExitCode,
      moduleProbes,
    };
  } finally {
    await Promise.allSettled([agent?.stop(5_000), bare?.stop(2_000)]);
    await client.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

export interface BarCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export function checkAgentAims(r: AgentReport): BarCheck[] {
  const { start, end, peak } = r.idle.agent.rssMiB;
  const endBytes = end * MiB;
  return [
    {
      name: `idle RSS <= 60 MB (${f(mib(AIMS.idleRssBytes), 1)} MiB)`,
      pass: endBytes <= AIMS.idleRssBytes,
      detail: `${f(end, 1)} MiB = ${f(endBytes / 1e6, 1)} MB at the window's end (start ${f(start, 1)}, peak ${f(peak, 1)} MiB)`,
    },
    {
      name: `idle CPU < ${AIMS.idleCpuPercent}% of one core`,
      pass: r.idle.agent.cpuPercentOfOneCore < AIMS.idleCpuPercent,
      detail: `${f(r.idle.agent.cpuPercentOfOneCore, 3)}% (${f(r.idle.agent.cpuSec * 1000, 0)} ms CPU in ${f(r.idle.windowSec, 1)} s)`,
    },
  ];
}

/** Splits the agent's idle RSS into bare node / the code the agent command loads / runtime state. */
function restLines(r: AgentReport): string[] {
  const by = (prefix: string) => r.moduleProbes.find((p) => p.label.startsWith(prefix))?.rssMiB;
  const bare = by('bare node');
  const own = by("the agent command's");
  if (bare === undefined || own === undefined) return [];
  const agent = r.idle.agent.rssMiB.end;
  return [
    `    => agent ${f(agent, 1)} MiB ≈ bare node ${f(bare, 1)} + the code the agent command loads ${f(own - bare, 1)} + runtime state ${f(agent - own, 1)} (main.js loads each command on demand)`,
  ];
}

export function formatAgent(r: AgentReport): string {
  const a = r.idle.agent;
  const b = r.idle.bareNode;
  const row = (label: string, x: string, y: string, d = '') =>
    `  ${label.padEnd(30)} ${x.padStart(10)} ${y.padStart(10)} ${d.padStart(10)}`;
  const diff = (x: number, y: number) => (x - y >= 0 ? '+' : '') + f(x - y, 1);
  const mem = (label: string, key: keyof MemoryBreakdown['rollup']) =>
    row(
      label,
      f(a.memory.rollup[key], 1),
      f(b.memory.rollup[key], 1),
      diff(a.memory.rollup[key], b.memory.rollup[key]),
    );
  const mappings = (m: MemoryBreakdown) => m.byMapping.map((g) => `${g.mapping} ${f(g.mib, 1)}`).join(', ');
  const j = r.job;
  const jm = j.metrics;
  const lines = [
    `agent: node ${r.node}, poll ${r.intervals.pollSec} s, heartbeat ${r.intervals.heartbeatSec} s, metrics port off; built from ${r.source.commit}${r.source.dirtySrcFiles ? ` + ${r.source.dirtySrcFiles} uncommitted src/ changes` : ''}`,
    `  load average (1/5/15 min)    start ${r.loadAvg.start.map((x) => f(x, 2)).join(' ')}, end ${r.loadAvg.end.map((x) => f(x, 2)).join(' ')}`,
    `  registered in                ${f(r.registerMs, 0)} ms after spawn (all start-up work before registering included), RSS then ${f(r.rssAtRegistrationMiB, 1)} MiB`,
    `  idle window                  ${f(r.idle.windowSec, 1)} s, opened ${r.settleSec} s after registration; last heartbeat seen by the master ${f(r.idle.lastHeartbeatAgeSec, 1)} s before its end`,
    '',
    row('idle (MiB unless noted)', 'agent', 'bare node', 'agent−bare'),
    row('CPU % of one core', f(a.cpuPercentOfOneCore, 3), f(b.cpuPercentOfOneCore, 3)),
    row('CPU ms in window', f(a.cpuSec * 1000, 0), f(b.cpuSec * 1000, 0)),
    row('RSS start', f(a.rssMiB.start, 1), f(b.rssMiB.start, 1), diff(a.rssMiB.start, b.rssMiB.start)),
    row('RSS end', f(a.rssMiB.end, 1), f(b.rssMiB.end, 1), diff(a.rssMiB.end, b.rssMiB.end)),
    row(
      'RSS peak (sampled 5/s)',
      f(a.rssMiB.peak, 1),
      f(b.rssMiB.peak, 1),
      diff(a.rssMiB.peak, b.rssMiB.peak),
    ),
    row(
      'VmHWM (lifetime peak)',
      f(a.lifetimePeakMiB, 1),
      f(b.lifetimePeakMiB, 1),
      diff(a.lifetimePeakMiB, b.lifetimePeakMiB),
    ),
    '  smaps_rollup at window end:',
    mem('  Rss', 'rss'),
    mem('  Pss', 'pss'),
    mem('  Anonymous', 'anonymous'),
    mem('  file-backed (Rss − Anon)', 'fileBacked'),
    mem('  Shared (clean + dirty)', 'shared'),
    mem('  Private (clean + dirty)', 'private'),
    '  (V8 shrinks an idle heap some 15–20 s after start-up, so RSS falls during the window; the aim is judged on its end)',
    `  agent RSS by mapping, MiB:     ${mappings(a.memory)}`,
    `  bare node RSS by mapping, MiB: ${mappings(b.memory)}`,
    '',
    `  live job ${j.id}: ${j.status}${j.error ? ` (${j.error})` : ''}, ${j.parameters.duration} s ${j.parameters.resolution}@${j.parameters.fps} ${j.parameters.encoder} ${j.parameters.preset} ${j.parameters.bitrate}`,
    `    window (submit → completed seen)  ${f(j.windowSec, 2)} s; FFmpeg speed ${f(Number(jm.speed), 2)}×, ${f(Number(jm.encoding_fps), 1)} fps, transcode ${f(Number(jm.transcode_duration_sec), 2)} s`,
    `    FFmpeg CPU (result cpu_seconds)   ${f(j.ffmpegCpuSec, 2)} s`,
    `    agent's own CPU                   ${f(j.agentCpuSec, 2)} s = ${f(j.agentCpuPercentOfFfmpeg, 2)}% of FFmpeg's, ${f(j.agentCpuPercentOfOneCore, 2)}% of one core`,
    `    agent's reaped children CPU       ${f(j.agentReapedChildrenCpuSec, 2)} s (FFmpeg + any helper; − FFmpeg = ${f(j.agentReapedChildrenCpuSec - j.ffmpegCpuSec, 2)} s)`,
    `    master CPU (same machine)         ${f(j.masterCpuSec, 2)} s`,
    `    agent RSS peak during the job     ${f(j.agentRssPeakMiB, 1)} MiB`,
    `  agent exit code after SIGTERM       ${r.agentExitCode}`,
    '',
    `  where the agent's idle RSS goes: idle node processes that only import code, read ${PROBE_SETTLE_MS / 1000} s after loading (MiB)`,
    `    ${'process'.padEnd(38)} ${'RSS'.padStart(6)} ${'anon'.padStart(6)} ${'heapUsed'.padStart(9)} ${'heapTotal'.padStart(9)} ${'external'.padStart(9)}`,
    ...r.moduleProbes.map(
      (p) =>
        `    ${p.label.padEnd(38)} ${f(p.rssMiB, 1).padStart(6)} ${f(p.anonymousMiB, 1).padStart(6)} ${f(p.heapUsedMiB, 1).padStart(9)} ${f(p.heapTotalMiB, 1).padStart(9)} ${f(p.externalMiB, 1).padStart(9)}`,
    ),
    `    ${'the running agent (idle window end)'.padEnd(38)} ${f(a.rssMiB.end, 1).padStart(6)} ${f(a.memory.rollup.anonymous, 1).padStart(6)}`,
    ...restLines(r),
    '',
    ...checkAgentAims(r).map((c) => `  ${c.pass ? 'PASS' : 'MISS'}  ${c.name.padEnd(34)} ${c.detail}`),
  ];
  return lines.join('\n');
}
