import { describe, expect, it } from 'vitest';
import { checkExporter, kindOfTarget, parseTargets } from './exporter-health.js';

const MASTER_BODY = [
  '# TYPE ffrtmp_jobs_total gauge',
  'ffrtmp_jobs_total{status="queued"} 1',
  'ffrtmp_jobs_total{status="failed"} 0',
  'ffrtmp_queue_length{priority="high"} 0',
  'ffrtmp_nodes{status="available"} 2',
  'ffrtmp_master_uptime_seconds 12.5',
].join('\n');
const master = { name: 'master', url: 'http://m:8080/metrics', kind: 'master' as const };

describe('parseTargets', () => {
  it('reads name=url pairs, adds /metrics to a bare host, infers the kind from the name', () => {
    expect(parseTargets('master=http://m:8080, agent-2=http://a:9500/metrics,vm=http://v:8428')).toEqual({
      targets: [
        { name: 'master', url: 'http://m:8080/metrics', kind: 'master' },
        { name: 'agent-2', url: 'http://a:9500/metrics', kind: 'agent' },
        { name: 'vm', url: 'http://v:8428/metrics', kind: 'generic' },
      ],
    });
    expect(kindOfTarget('health-check')).toBe('health');
  });

  it('reports every bad entry at once', () => {
    expect(parseTargets('master, a=ftp://x, b=notaurl, a=http://y')).toEqual({
      problems: [
        '"master": expected name=url with a name of letters, digits, _ . : -',
        'a: expected an http or https URL, got ftp:',
        'b: "notaurl" is not a URL (expected http://host:port/metrics)',
      ],
    });
    expect(parseTargets(' , ')).toEqual({ problems: ['expected at least one name=url'] });
  });
});

describe('checkExporter', () => {
  it('a master with its metrics is healthy, with family and sample counts', () => {
    expect(checkExporter(master, { status: 200, body: MASTER_BODY })).toEqual({
      exporter: 'master',
      url: 'http://m:8080/metrics',
      kind: 'master',
      reachable: true,
      healthy: true,
      metricCount: 4,
      sampleCount: 5,
      missing: [],
      problem: null,
    });
  });

  it('unreachable, HTTP errors, empty bodies, missing metrics and garbage are unhealthy, saying why', () => {
    const down = checkExporter(master, { error: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(down).toMatchObject({ reachable: false, healthy: false, sampleCount: 0 });
    expect(down.problem).toBe('unreachable: connect ECONNREFUSED 127.0.0.1:1');
    expect(checkExporter(master, { status: 500, body: '' })).toMatchObject({
      reachable: true,
      healthy: false,
      problem: 'HTTP 500',
    });
    expect(checkExporter(master, { status: 200, body: '# nothing here\n' }).problem).toBe('no samples');
    const partial = checkExporter(master, { status: 200, body: 'ffrtmp_nodes{status="offline"} 0\n' });
    expect(partial.missing).toEqual([
      'ffrtmp_jobs_total',
      'ffrtmp_queue_length',
      'ffrtmp_master_uptime_seconds',
    ]);
    expect(partial.healthy).toBe(false);
    expect(checkExporter(master, { status: 200, body: `${MASTER_BODY}\nbroken{ 1\n` }).problem).toMatch(
      /^malformed exposition: line 7: broken:/,
    );
  });

  it('an agent needs one power figure of any source; a generic target only samples', () => {
    const agent = { name: 'agent', url: 'http://a/metrics', kind: 'agent' as const };
    const body = 'ffrtmp_agent_running_jobs 0\nffrtmp_agent_spool_results 0\n';
    expect(checkExporter(agent, { status: 200, body }).missing).toEqual([
      'rapl_power_watts|gpu_power_draw_watts|node_estimated_power_watts',
    ]);
    expect(
      checkExporter(agent, { status: 200, body: `${body}node_estimated_power_watts{source="x"} 9\n` })
        .healthy,
    ).toBe(true);
    const generic = { name: 'vm', url: 'http://v/metrics', kind: 'generic' as const };
    expect(checkExporter(generic, { status: 200, body: 'anything 1\n' }).healthy).toBe(true);
  });
});
