import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every PromQL expression the shipped dashboards run, with where it comes from. */
export interface DashboardQuery {
  where: string;
  expr: string;
}

/** Panel targets, and the variables' `label_values(metric, label)` queries, of every dashboard. */
export function dashboardQueries(dir: string): { panels: DashboardQuery[]; variables: DashboardQuery[] } {
  const panels: DashboardQuery[] = [];
  const variables: DashboardQuery[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const p of d.panels)
      for (const t of p.targets) panels.push({ where: `${d.uid} / ${p.title} / ${t.refId}`, expr: t.expr });
    for (const v of d.templating.list)
      variables.push({ where: `${d.uid} / $${v.name}`, expr: v.query?.query ?? v.definition });
  }
  return { panels, variables };
}

/**
 * Grafana's variables replaced as Grafana would with this test's scrape interval (1 s):
 * $__rate_interval is at least four scrapes, $__interval the step, a template variable set to All
 * is its allValue `.*` (the dashboards only use them in `=~` matchers).
 */
export function substituteGrafanaVariables(expr: string): string {
  const out = expr
    .replaceAll('$__rate_interval', '10s')
    .replaceAll('$__interval', '1s')
    .replaceAll('$__range', '5m')
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, '.*');
  if (out.includes('$')) throw new Error(`unreplaced variable in ${expr}`);
  return out;
}

/**
 * The expression with every comparison turned into a `bool` comparison, so it returns a series
 * whenever its operands have data, whether or not the alert would fire: how the test proves an
 * alert rule's query sees data without having to make every alert fire.
 */
export function withBoolComparisons(expr: string): string {
  let out = '';
  let depthBraces = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] ?? '';
    if (quote) {
      out += c;
      if (c === '\\') out += expr[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    if (c === '{') depthBraces++;
    if (c === '}') depthBraces--;
    const two = expr.slice(i, i + 2);
    const op = ['==', '!=', '>=', '<='].includes(two) ? two : c === '>' || c === '<' ? c : null;
    if (op && depthBraces === 0) {
      out += op;
      i += op.length - 1;
      if (!/^\s*bool\b/.test(expr.slice(i + 1))) out += ' bool';
      continue;
    }
    out += c;
  }
  return out;
}

/** `label_values(metric{…}, label)` → the metric selector and the label. */
export function parseLabelValues(query: string): { match: string; label: string } {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
  if (!m?.[1] || !m[2]) throw new Error(`not a label_values() query: ${query}`);
  return { match: m[1], label: m[2] };
}
