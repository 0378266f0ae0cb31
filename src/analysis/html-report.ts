import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { paretoFront } from '../core/analysis/pareto.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-report-client.js';
import type { HtmlReportInput, PowerSourceInfo, ReportScenario } from './report-model.js';

export type { HtmlReportInput, PowerSample, PowerSourceInfo, ReportScenario } from './report-model.js';

/** Okabe–Ito colours: told apart with colour-blindness and in greyscale print. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes
 * (still the same JSON), so no `</script>` or `<!--` can end or bend the block; U+2028/9 too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Code safe inside `<script>`: a `</script` or `<!--` in it (none in Chart.js 4.6) is broken up. */
export function scriptForHtml(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

let chartJs: string | undefined;

/** Chart.js's UMD build from the installed package, read once (the page must work offline). */
function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package's exports map has no entry for the UMD build; it sits beside the main file.
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}

const num = (n: number, digits: number) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const cell = (n: number | null | undefined, digits = 1) =>
  n == null || !Number.isFinite(n) ? '—' : num(n, digits);
/** Dollars: cents from $1 up, three significant digits below (a 2-minute run costs fractions of a cent). */
const money = (n: number | null | undefined) =>
  !has(n) ? '—' : Math.abs(n) >= 1 ? num(n, 2) : n === 0 ? '0' : String(Number(n.toPrecision(3)));
const has = (v: number | null | undefined): v is number => v != null && Number.isFinite(v);

function sourceOf(s: ReportScenario, input: HtmlReportInput): PowerSourceInfo {
  return s.powerSource ?? input.powerSource;
}

/** 'rapl', 'estimated:teads-tdp-100w (±30 %)', 'model-x (estimated, ±10 %)'. */
function describeSource(src: PowerSourceInfo): string {
  const notes = [
    ...(src.estimated && !/estimat/i.test(src.name) ? ['estimated'] : []),
    ...(has(src.uncertainty) ? [`±${num(src.uncertainty * 100, 0)} %`] : []),
  ];
  return notes.length ? `${src.name} (${notes.join(', ')})` : src.name;
}

/** The data each chart draws, or null where the section shows a note instead. */
export function toChartData(input: HtmlReportInput) {
  const colour = (i: number) => PALETTE[i % PALETTE.length] ?? '#000000';
  const indexed = input.scenarios.map((s, i) => ({ s, color: colour(i) }));
  const withSamples = indexed.filter(({ s }) => (s.samples?.length ?? 0) > 0);
  const ranked = indexed
    .filter(({ s }) => has(s.efficiencyScore) && has(s.efficiencyRank))
    .sort((a, b) => (a.s.efficiencyRank ?? 0) - (b.s.efficiencyRank ?? 0));
  const scored = indexed.filter(({ s }) => has(s.vmaf) && has(s.energyJ));
  const points = scored.map(({ s }) => ({ name: s.name, x: s.energyJ as number, y: s.vmaf as number }));
  const front = paretoFront(points.map((p) => ({ ...p, energy: p.x, quality: p.y })));
  const costed = indexed.filter(({ s }) => has(s.costUsd));
  const unit = input.scoreUnit ? ` (${input.scoreUnit})` : '';
  return {
    power:
      withSamples.length === 0
        ? null
        : {
            series: withSamples.map(({ s, color }) => ({
              label: sourceOf(s, input).estimated ? `${s.name} (estimated)` : s.name,
              color,
              points: (s.samples ?? []).map((p) => ({ x: p.t, y: p.w })),
            })),
          },
    ranking:
      ranked.length === 0
        ? null
        : {
            label: `${input.algorithm}${unit}`,
            labels: ranked.map(({ s }) => `#${s.efficiencyRank} ${s.name}`),
            values: ranked.map(({ s }) => s.efficiencyScore as number),
            colors: ranked.map(({ color }) => color),
          },
    quality:
      points.length === 0
        ? null
        : {
            points,
            colors: scored.map(({ color }) => color),
            front: front.map(({ name, x, y }) => ({ name, x, y })),
          },
    cost:
      costed.length === 0
        ? null
        : {
            labels: costed.map(({ s }) => s.name),
            values: costed.map(({ s }) => s.costUsd as number),
            colors: costed.map(({ color }) => color),
          },
  };
}

type ChartKey = keyof ReturnType<typeof toChartData>;

function chartSection(
  key: ChartKey,
  title: string,
  caption: string,
  present: boolean,
  missing: string,
): string {
  const body = present
    ? `<div class="chart-box"><canvas id="chart-${key}" data-chart="${key}" role="img" aria-label="${escapeHtml(title)}"></canvas></div>\n<p class="caption">${caption}</p>`
    : `<p class="note" data-missing="${key}">${missing}</p>`;
  return `<section id="section-${key}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** 'libx264 veryfast · 1000k · 1280x720@30 · 4 streams': one column instead of five. */
function configuration(s: ReportScenario): string {
  const parts = [
    [s.encoder, s.preset].filter(Boolean).join(' '),
    s.bitrate ?? '',
    (s.resolution ?? '') + (has(s.fps) ? `@${num(s.fps, 2)}` : ''),
    has(s.streams) && s.streams !== 1 ? `${num(s.streams, 0)} streams` : '',
  ];
  return parts.filter(Boolean).join(' · ') || '—';
}

function summaryTable(input: HtmlReportInput): string {
  const any = (f: (s: ReportScenario) => number | null | undefined) => input.scenarios.some((s) => has(f(s)));
  const optional: [string, (s: ReportScenario) => string, boolean][] = [
    ['Net energy (J)', (s) => cell(s.netEnergyJ, 0), any((s) => s.netEnergyJ)],
    ['VMAF', (s) => cell(s.vmaf, 2), any((s) => s.vmaf)],
    ['PSNR (dB)', (s) => cell(s.psnr, 2), any((s) => s.psnr)],
    ['Cost (USD)', (s) => money(s.costUsd), any((s) => s.costUsd)],
    ['CO2 (g)', (s) => cell(s.co2G, 2), any((s) => s.co2G)],
  ];
  const columns: [string, (s: ReportScenario) => string][] = [
    ['Rank', (s) => (has(s.efficiencyRank) ? String(s.efficiencyRank) : '—')],
    [
      'Scenario',
      (s) =>
        escapeHtml(s.name) +
        (s.baseline ? '<span class="tag">baseline</span>' : '') +
        // The banner speaks for an all-estimated run; a tag marks an estimated row in a measured one.
        (sourceOf(s, input).estimated && !input.powerSource.estimated
          ? '<span class="tag">estimated</span>'
          : ''),
    ],
    ['Configuration', (s) => escapeHtml(configuration(s))],
    ['Mean / peak W', (s) => `${cell(s.meanWatts)} / ${cell(s.peakWatts)}`],
    ['Energy (J)', (s) => cell(s.energyJ, 0)],
    ...optional
      .filter(([, , shown]) => shown)
      .map(([h, f]) => [h, f] as [string, (s: ReportScenario) => string]),
    [`Score${input.scoreUnit ? ` (${escapeHtml(input.scoreUnit)})` : ''}`, (s) => cell(s.efficiencyScore, 4)],
  ];
  const head = columns.map(([h]) => `<th scope="col">${h}</th>`).join('');
  const rows = input.scenarios.map(
    (s) =>
      `<tr>${columns.map(([, f], i) => (i === 1 ? `<td class="name">${f(s)}</td>` : i === 2 ? `<td class="config">${f(s)}</td>` : `<td>${f(s)}</td>`)).join('')}</tr>`,
  );
  return `<div class="table-wrap"><table id="summary">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

function estimatedNote(input: HtmlReportInput): string {
  const sources = new Map<string, PowerSourceInfo>();
  for (const s of input.scenarios) {
    const src = sourceOf(s, input);
    if (src.estimated) sources.set(describeSource(src), src);
  }
  if (input.powerSource.estimated) sources.set(describeSource(input.powerSource), input.powerSource);
  if (sources.size === 0) return '';
  const list = [...sources.keys()].map(escapeHtml).join('; ');
  return `<p class="note estimated" data-note="estimated-power">Estimated power: the watts and joules marked “estimated” come from a model (${list}), not from a hardware counter. Compare them with care.</p>`;
}

/** One self-contained HTML page (Chart.js and the data inlined): opens with no network. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const charts = toChartData(input);
  const unscored = input.scenarios.filter((s) => !has(s.efficiencyScore)).map((s) => escapeHtml(s.name));
  const noSamples = input.scenarios
    .filter((s) => (s.samples?.length ?? 0) === 0)
    .map((s) => escapeHtml(s.name));
  const noVmaf = input.scenarios.filter((s) => !has(s.vmaf)).map((s) => escapeHtml(s.name));
  const meta = [
    `Test date: ${escapeHtml(input.testDate)}`,
    `Power source: ${escapeHtml(describeSource(input.powerSource))}`,
    `Scoring: ${escapeHtml(input.algorithm)}`,
    ...(input.region ? [`Pricing region: ${escapeHtml(input.region)}`] : []),
    `${input.scenarios.length} scenario${input.scenarios.length === 1 ? '' : 's'}`,
  ];
  const sections = [
    chartSection(
      'power',
      'Power over time',
      `Sampled watts per scenario.${noSamples.length && charts.power ? ` No samples kept for: ${noSamples.join(', ')}.` : ''}`,
      charts.power !== null,
      'No power samples in these results — nothing to plot over time.',
    ),
    chartSection(
      'ranking',
      'Efficiency ranking',
      `Score by ${escapeHtml(input.algorithm)}, best first.${unscored.length ? ` Unscored: ${unscored.join(', ')}.` : ''}`,
      charts.ranking !== null,
      `No scenario could be scored with ${escapeHtml(input.algorithm)} (missing power, bitrate or quality).`,
    ),
    chartSection(
      'quality',
      'Energy vs quality',
      `Each point is a scenario; the dashed line joins the Pareto front (no other scenario uses less energy for at least its VMAF).${noVmaf.length && charts.quality ? ` No VMAF for: ${noVmaf.join(', ')}.` : ''}`,
      charts.quality !== null,
      'No VMAF measured — run the test with <code>--compute-quality</code> (FFmpeg with libvmaf) to plot energy against quality.',
    ),
    chartSection(
      'cost',
      'Cost',
      `Energy and compute cost per scenario${input.region ? ` (region ${escapeHtml(input.region)})` : ''}.`,
      charts.cost !== null,
      'No cost computed — give <code>--pricing FILE --region R</code> to <code>ffrtmp analyze</code>.',
    ),
  ];
  const generated = input.generatedAt ? ` on ${escapeHtml(input.generatedAt)}` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">${meta.map((m) => `<span>${m}</span>`).join('')}</p>
${estimatedNote(input)}
<p class="recommendation" id="recommendation">${escapeHtml(input.recommendation)}</p>
</header>
<section id="section-summary">
<h2>Scenarios</h2>
${input.scenarios.length ? summaryTable(input) : '<p class="note">No scenarios in these results.</p>'}
</section>
${sections.join('\n')}
<footer>Generated by ffrtmp${generated}. Self-contained: charts drawn with Chart.js, inlined.</footer>
<script type="application/json" id="report-data">${jsonForScript({ charts })}</script>
<script>${scriptForHtml(chartJsSource())}</script>
<script>${scriptForHtml(REPORT_SCRIPT)}</script>
</body>
</html>
`;
}
