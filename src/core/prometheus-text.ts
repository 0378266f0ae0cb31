/**
 * A small parser of the Prometheus text exposition format (version 0.0.4, what prom-client and
 * VictoriaMetrics serve): `# HELP`/`# TYPE` lines and samples `name{label="value",…} value [ts]`.
 * It never throws: malformed lines are reported with their line number, so a health check can say
 * what is wrong with an exporter instead of only that it is wrong.
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Epoch ms when the exporter gave one. */
  timestamp?: number;
}

export interface PromExposition {
  samples: PromSample[];
  /** Metric family → type, from `# TYPE` lines. */
  types: Map<string, string>;
  /** `line N: what is wrong`, one per malformed line. */
  errors: string[];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// Sample-name suffixes that belong to a family of another name (histograms, summaries, counters).
const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created'] as const;

export function parsePrometheusText(text: string): PromExposition {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
      if (m?.[1] && m[2]) {
        if (TYPES.has(m[2])) types.set(m[1], m[2]);
        else errors.push(`line ${i + 1}: unknown metric type "${m[2]}"`);
      }
      continue; // HELP and other comments
    }
    const parsed = parseSampleLine(line);
    if (typeof parsed === 'string') errors.push(`line ${i + 1}: ${parsed}`);
    else samples.push(parsed);
  }
  return { samples, types, errors };
}

/** The family a sample belongs to: `x_bucket` of histogram `x` is `x`; else its own name. */
export function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  if (types.has(name)) return name;
  for (const suffix of FAMILY_SUFFIXES) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.has(base)) return base;
    }
  }
  return name;
}

/** Families that have at least one sample. */
export function familiesWithSamples(exposition: PromExposition): Set<string> {
  return new Set(exposition.samples.map((s) => familyOf(s.name, exposition.types)));
}

function parseSampleLine(line: string): PromSample | string {
  const name = NAME_RE.exec(line)?.[0];
  if (!name) return `expected a metric name, got "${line.slice(0, 40)}"`;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (typeof parsed === 'string') return `${name}: ${parsed}`;
    Object.assign(labels, parsed.labels);
    rest = rest.slice(parsed.length);
  }
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '' || !/^\s/.test(rest))
    return `${name}: expected " value [timestamp]" after the name and labels`;
  const value = parseValue(fields[0] ?? '');
  if (value === undefined) return `${name}: "${fields[0]}" is not a number`;
  const sample: PromSample = { name, labels, value };
  if (fields[1] !== undefined) {
    const ts = Number(fields[1]);
    if (!Number.isInteger(ts)) return `${name}: timestamp "${fields[1]}" is not an integer`;
    sample.timestamp = ts;
  }
  return sample;
}

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Parses `{a="1",b="x\"y"}` at the start of `text`; returns the labels and the characters used. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | string {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const label = LABEL_NAME_RE.exec(text.slice(i))?.[0];
    if (!label) return `expected a label name at column ${i + 1}`;
    i += label.length;
    if (text[i] !== '=' || text[i + 1] !== '"') return `expected ="…" after label ${label}`;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return `unterminated value of label ${label}`;
      i++;
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i++];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else return `bad escape \\${e ?? ''} in label ${label}`;
      } else value += c;
    }
    if (label in labels) return `label ${label} given twice`;
    labels[label] = value;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return `expected , or } after label ${label}`;
  }
}
