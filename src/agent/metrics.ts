import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Agent } from './create-agent.js';
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

export function createAgentRegistry(agent: Agent, spool: Spool): Registry {
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
