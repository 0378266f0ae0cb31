import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Agent } from './create-agent.js';
import type { GpuSample } from '../power/nvidia.js';
import type { Sampler } from '../power/sampler.js';
import type { Spool } from './spool.js';

/**
 * The agent's Prometheus endpoint (`--metrics-port`, default 9500). Values come from agent events
 * and are read at scrape time; nothing here samples on its own timer.
 */
export interface AgentMetrics {
  registry: Registry;
  /** Bound port (useful when started on port 0). */
  port(): number;
  close(): Promise<void>;
}

export function createAgentRegistry(agent: Agent, spool: Spool, sampler: Sampler): Registry {
  const registry = new Registry();
  const jobs = new Counter({
    name: 'ffrtmp_agent_jobs_total',
    help: 'Jobs this agent finished, by outcome',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const heartbeats = new Counter({
    name: 'ffrtmp_agent_heartbeats_total',
    help: 'Heartbeats sent, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ffrtmp_agent_running_jobs',
    help: 'Jobs running now',
    registers: [registry],
    collect() {
      this.set(agent.runningJobs().length);
    },
  });
  new Gauge({
    name: 'ffrtmp_agent_spool_results',
    help: 'Results waiting in the spool for upload',
    registers: [registry],
    collect() {
      this.set(spool.size());
    },
  });
  const live = {
    fps: new Gauge({
      name: 'ffmpeg_fps',
      help: 'Encoding frames per second (all streams)',
      labelNames: ['job_id'] as const,
      registers: [registry],
    }),
    speed: new Gauge({
      name: 'ffmpeg_speed',
      help: 'Encode speed (1 = real time)',
      labelNames: ['job_id'] as const,
      registers: [registry],
    }),
    frames: new Gauge({
      name: 'ffmpeg_frames_total',
      help: 'Frames encoded so far',
      labelNames: ['job_id'] as const,
      registers: [registry],
    }),
    dropped: new Gauge({
      name: 'ffmpeg_dropped_frames_total',
      help: 'Frames dropped so far',
      labelNames: ['job_id'] as const,
      registers: [registry],
    }),
    bitrate: new Gauge({
      name: 'ffmpeg_bitrate_kbps',
      help: 'Output bitrate (kbit/s)',
      labelNames: ['job_id'] as const,
      registers: [registry],
    }),
  };
  agent.events.on('job:stats', (jobId, s) => {
    live.fps.set({ job_id: jobId }, s.fps);
    live.speed.set({ job_id: jobId }, s.speed);
    live.frames.set({ job_id: jobId }, s.frames);
    live.dropped.set({ job_id: jobId }, s.droppedFrames);
    live.bitrate.set({ job_id: jobId }, s.bitrateKbps);
  });
  agent.events.on('job:ended', (job, end) => {
    for (const g of Object.values(live)) g.remove({ job_id: job.id });
    jobs.inc({ status: end.kind === 'result' ? end.result.status : 'abandoned' });
  });
  registerPowerMetrics(registry, sampler);
  agent.events.on('heartbeat:sent', () => heartbeats.inc({ outcome: 'ok' }));
  agent.events.on('heartbeat:failed', () => heartbeats.inc({ outcome: 'failed' }));
  return registry;
}

export async function serveMetrics(registry: Registry, host: string, port: number): Promise<AgentMetrics> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('see /metrics\n');
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err: Error) => res.writeHead(500).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    registry,
    port: () => {
      const a = server.address();
      return typeof a === 'object' && a ? a.port : port;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Power metrics, read from the sampler at scrape time (it samples on its own cadence; a scrape
 * never triggers a reading). Zone labels: package_0, dram_0, core_0, psys — so
 * `zone=~"package.*"` sums packages only.
 */
function registerPowerMetrics(registry: Registry, sampler: Sampler): void {
  const zoneLabel = new Map(sampler.zones.map((z) => [z.id, z.label]));
  if (sampler.zones.length > 0) {
    new Gauge({
      name: 'rapl_power_watts',
      help: 'RAPL power over the last sampling interval, per zone',
      labelNames: ['zone'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const iv = sampler.latestInterval();
        if (!iv) return;
        const dt = (iv.t1 - iv.t0) / 1000;
        for (const [id, d] of Object.entries(iv.zones))
          if (d.ok && dt > 0) this.set({ zone: zoneLabel.get(id) ?? id }, d.joules / dt);
      },
    });
    new Counter({
      name: 'rapl_energy_joules_total',
      help: 'RAPL energy since the agent started, per zone (wraparound corrected)',
      labelNames: ['zone'] as const,
      registers: [registry],
      collect() {
        // A counter whose value is the sampler's running total: reset, then add it.
        this.reset();
        for (const [id, j] of sampler.zoneTotals()) this.inc({ zone: zoneLabel.get(id) ?? id }, j);
      },
    });
  }
  new Gauge({
    name: 'node_estimated_power_watts',
    help: 'CPU package power estimated from utilisation (the estimator; labelled with its model)',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const w = sampler.latestInterval()?.estimateWatts;
      if (w !== null && w !== undefined) this.set({ source: sampler.estimatorSource }, w);
    },
  });
  new Counter({
    name: 'node_estimated_energy_joules_total',
    help: 'Estimated CPU package energy since the agent started',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ source: sampler.estimatorSource }, sampler.estimatedTotal());
    },
  });
  new Gauge({
    name: 'node_cpu_utilization_ratio',
    help: 'Host CPU utilisation over the last sampling interval (0–1)',
    registers: [registry],
    collect() {
      this.reset();
      const u = sampler.latestInterval()?.cpuUtil;
      if (u !== null && u !== undefined) this.set(u);
    },
  });
  const gpuGauge = (name: string, help: string, pick: (g: GpuSample) => number | null, scale = 1) =>
    new Gauge({
      name,
      help,
      labelNames: ['gpu', 'name', 'uuid'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const g of sampler.latestGpus()) {
          const v = pick(g);
          if (v !== null)
            this.set({ gpu: String(g.index), name: g.name ?? '', uuid: g.uuid ?? '' }, v * scale);
        }
      },
    });
  gpuGauge('gpu_power_draw_watts', 'GPU board power draw', (g) => g.powerW);
  gpuGauge('gpu_power_limit_watts', 'GPU power limit', (g) => g.powerLimitW);
  gpuGauge('gpu_utilization_percent', 'GPU utilisation', (g) => g.utilGpu);
  gpuGauge('gpu_encoder_utilization_percent', 'NVENC utilisation', (g) => g.utilEncoder);
  gpuGauge('gpu_decoder_utilization_percent', 'NVDEC utilisation', (g) => g.utilDecoder);
  gpuGauge('gpu_clock_sm_hertz', 'SM clock', (g) => g.clockSmMHz, 1e6);
  gpuGauge('gpu_clock_memory_hertz', 'Memory clock', (g) => g.clockMemMHz, 1e6);
  gpuGauge('gpu_memory_used_bytes', 'GPU memory used', (g) => g.memUsedMiB, 1024 * 1024);
  gpuGauge('gpu_memory_total_bytes', 'GPU memory total', (g) => g.memTotalMiB, 1024 * 1024);
  gpuGauge('gpu_temperature_celsius', 'GPU temperature', (g) => g.temperatureC);
}
