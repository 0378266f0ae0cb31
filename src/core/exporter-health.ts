import { familiesWithSamples, parsePrometheusText } from './prometheus-text.js';

/**
 * Exporter health (the reference's exporter-health-checker): a scrape target is healthy when it
 * answers 200, its body parses, it has samples, and the metrics its kind must always expose have
 * samples. Pure: the caller fetches, this judges.
 */

export const EXPORTER_KINDS = ['master', 'agent', 'health', 'generic'] as const;
export type ExporterKind = (typeof EXPORTER_KINDS)[number];

/**
 * Per kind, groups of metric families; each group needs a sample in at least one of its names.
 * Only metrics present from the first scrape are listed (a counter that has never been
 * incremented has no sample yet), so a fresh exporter is not reported broken.
 */
export const EXPECTED_METRICS: Record<ExporterKind, readonly (readonly string[])[]> = {
  master: [
    ['ffrtmp_jobs_total'],
    ['ffrtmp_queue_length'],
    ['ffrtmp_nodes'],
    ['ffrtmp_master_uptime_seconds'],
  ],
  agent: [
    ['ffrtmp_agent_running_jobs'],
    ['ffrtmp_agent_spool_results'],
    // Some power figure: measured (RAPL, NVIDIA) or estimated.
    ['rapl_power_watts', 'gpu_power_draw_watts', 'node_estimated_power_watts'],
  ],
  health: [['exporter_health_status']],
  generic: [],
};

export interface ExporterTarget {
  name: string;
  url: string;
  kind: ExporterKind;
}

/** What fetching a target's /metrics gave. */
export type ScrapeOutcome = { status: number; body: string } | { error: string };

export interface ExporterHealth {
  exporter: string;
  url: string;
  kind: ExporterKind;
  reachable: boolean;
  healthy: boolean;
  metricCount: number;
  sampleCount: number;
  /** Expected metric families without samples (a group shown as `a|b`). */
  missing: string[];
  /** Why it is unhealthy, null when healthy. */
  problem: string | null;
}

/** The kind a target name implies: `master`, `agent-2` → agent, `health-check` → health, else generic. */
export function kindOfTarget(name: string): ExporterKind {
  const lower = name.toLowerCase();
  for (const kind of ['master', 'agent', 'health'] as const) if (lower.startsWith(kind)) return kind;
  return 'generic';
}

/**
 * Parses `name=url,name=url` (the --targets flag). A URL without a path gets `/metrics`.
 * Returns the targets, or the problems (all of them) for the user.
 */
export function parseTargets(text: string): { targets: ExporterTarget[] } | { problems: string[] } {
  const targets: ExporterTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    const raw = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (!/^[A-Za-z0-9_.:-]+$/.test(name)) {
      problems.push(`"${part}": expected name=url with a name of letters, digits, _ . : -`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problems.push(`${name}: "${raw}" is not a URL (expected http://host:port/metrics)`);
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`${name}: expected an http or https URL, got ${url.protocol}`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`${name}: named twice`);
      continue;
    }
    seen.add(name);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
    targets.push({ name, url: url.toString(), kind: kindOfTarget(name) });
  }
  if (problems.length === 0 && targets.length === 0) problems.push('expected at least one name=url');
  return problems.length > 0 ? { problems } : { targets };
}

export function checkExporter(target: ExporterTarget, outcome: ScrapeOutcome): ExporterHealth {
  const base = {
    exporter: target.name,
    url: target.url,
    kind: target.kind,
    metricCount: 0,
    sampleCount: 0,
    missing: [] as string[],
  };
  if ('error' in outcome)
    return { ...base, reachable: false, healthy: false, problem: `unreachable: ${outcome.error}` };
  if (outcome.status !== 200)
    return { ...base, reachable: true, healthy: false, problem: `HTTP ${outcome.status}` };
  const exposition = parsePrometheusText(outcome.body);
  const families = familiesWithSamples(exposition);
  const missing = EXPECTED_METRICS[target.kind]
    .filter((group) => !group.some((name) => families.has(name)))
    .map((group) => group.join('|'));
  const counts = { metricCount: families.size, sampleCount: exposition.samples.length, missing };
  const problem =
    exposition.errors.length > 0
      ? `malformed exposition: ${exposition.errors.slice(0, 3).join('; ')}`
      : exposition.samples.length === 0
        ? 'no samples'
        : missing.length > 0
          ? `missing ${missing.join(', ')}`
          : null;
  return { ...base, ...counts, reachable: true, healthy: problem === null, problem };
}
