// One benchmark run: its jobs' progress, the scenario table of its results document, the master's
// efficiency ranking (GET /runs/{id} `analysis`, core's analyzeRecords) or a ranking by a per-job
// figure the agents computed (analyzer_output), power over time and energy vs quality.
import { api } from '../api.js';
import { axes, color, createChart, styleLines } from '../charts.js';
import { badge, fill, fmtNumber, fmtTime, fmtValue, h, link, progressBar, section, table } from '../dom.js';

/** Figures of analyzer_output a run can be ranked by, and which way is better. */
export const RANKINGS = [
  { key: 'efficiency_score', label: 'efficiency score', better: 'higher' },
  { key: 'pixels_per_joule', label: 'pixels per joule', better: 'higher' },
  { key: 'mbps_per_watt', label: 'Mbps per watt', better: 'higher' },
  { key: 'joules_per_frame', label: 'joules per frame', better: 'lower' },
  { key: 'joules_per_output_minute', label: 'joules per output minute', better: 'lower' },
];

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const energyOf = (s) => num(s.energy?.total_joules) ?? num(s.power?.total_energy_joules);
const qualityOf = (s) =>
  num(s.vmaf_score) !== null
    ? { metric: 'VMAF', value: s.vmaf_score }
    : num(s.psnr_score) !== null
      ? { metric: 'PSNR dB', value: s.psnr_score }
      : num(s.ssim_score) !== null
        ? { metric: 'SSIM', value: s.ssim_score }
        : null;
const label = (s) => (s.repetition ? `${s.group ?? s.name} #${s.repetition}` : s.name);

function scenarioRows(scenarios) {
  return scenarios.map((s) => {
    const q = qualityOf(s);
    return [
      label(s),
      s.kind,
      badge(s.status),
      s.encoder ?? '—',
      s.preset ?? '—',
      s.bitrate,
      s.resolution ?? '—',
      fmtValue(s.fps),
      String(s.streams),
      fmtNumber(num(s.power?.mean_watts)),
      fmtNumber(energyOf(s)),
      fmtNumber(num(s.analyzer_output?.joules_per_frame)),
      q ? `${fmtNumber(q.value)} ${q.metric}` : '—',
      link(`#/jobs/${encodeURIComponent(s.job_id)}`, s.job_id.slice(0, 8)),
    ];
  });
}

const SCENARIO_HEADINGS = [
  'scenario',
  'kind',
  'status',
  'encoder',
  'preset',
  'bitrate',
  'resolution',
  'fps',
  'streams',
  'mean W',
  'energy J',
  'J/frame',
  'quality',
  'job',
];

/** Completed, non-baseline records with the figure, best first. */
export function rank(scenarios, ranking) {
  const sign = ranking.better === 'higher' ? -1 : 1;
  return scenarios
    .filter(
      (s) =>
        s.kind !== 'baseline' && s.status === 'completed' && num(s.analyzer_output?.[ranking.key]) !== null,
    )
    .map((s) => ({ s, value: s.analyzer_output[ranking.key] }))
    .sort((a, b) => sign * (a.value - b.value));
}

/** The select value of the master's efficiency ranking (the default when the run has one). */
export const ANALYSIS = 'analysis';

/**
 * The master's efficiency ranking: analysis scenarios with a rank, best first, each with its
 * results record (analysis.scenarios[i] analyses results.scenarios[i]).
 */
export function analysisRanking(run) {
  const records = run.results?.scenarios ?? [];
  return (run.analysis?.scenarios ?? [])
    .map((a, i) => ({ a, s: records[i] ?? { name: a.name } }))
    .filter(({ a }) => num(a.efficiency_rank) !== null)
    .sort((x, y) => x.a.efficiency_rank - y.a.efficiency_rank);
}

/** `throughput_per_watt` (or the algorithms, when auto used several), as the analysis names them. */
function algorithmsOf(ranked) {
  return [...new Set(ranked.map(({ a }) => a.efficiency_algorithm))].join(', ');
}

/** One line per scenario on the run's clock (seconds since its first sample). */
function powerSets(scenarios) {
  const withSamples = scenarios.filter((s) => Array.isArray(s.samples) && s.samples.length > 0);
  const t0 = Math.min(...withSamples.map((s) => s.samples[0].t));
  return styleLines(
    withSamples.map((s) => ({
      label: label(s),
      data: s.samples.map((p) => ({ x: Math.round((p.t - t0) / 10) / 100, y: p.package_watts })),
    })),
  );
}

function qualitySets(scenarios) {
  const points = scenarios
    .filter((s) => s.kind !== 'baseline')
    .map((s) => ({ s, energy: energyOf(s), q: qualityOf(s) }))
    .filter((p) => p.energy !== null && p.q !== null);
  const metrics = [...new Set(points.map((p) => p.q.metric))];
  return metrics.map((metric, i) => ({
    label: metric,
    backgroundColor: color(i),
    borderColor: color(i),
    pointRadius: 5,
    data: points
      .filter((p) => p.q.metric === metric)
      .map((p) => ({ x: p.energy, y: p.q.value, name: label(p.s) })),
  }));
}

export function mount(root, { id }) {
  const title = h('h1', null, 'Run');
  const summaryBox = h('div', { id: 'run-summary' });
  const scenariosBox = h('div', { id: 'run-scenarios' });
  const analysisOption = h('option', { value: ANALYSIS }, 'efficiency score (analysis)');
  const rankingSelect = h('select', { id: 'ranking-metric' }, [
    analysisOption,
    ...RANKINGS.map((r) => h('option', { value: r.key }, `per-job ${r.label} (${r.better} is better)`)),
  ]);
  const rankingNote = h('p', { id: 'run-ranking-note', class: 'muted' });
  const rankingBox = h('div', { id: 'run-ranking' });
  const powerBox = h('div', { id: 'run-power-chart', class: 'chart' });
  const powerNote = h('p', { class: 'muted' });
  const qualityBox = h('div', { id: 'run-quality-chart', class: 'chart' });
  const qualityNote = h('p', { class: 'muted' });
  root.append(
    h('p', null, link('#/runs', '← all runs')),
    title,
    section('Summary', summaryBox),
    section('Scenarios', scenariosBox),
    section('Ranking', h('label', { class: 'filter' }, 'Rank by ', rankingSelect), rankingNote, rankingBox),
    h(
      'div',
      { class: 'charts' },
      section('Power over time', powerNote, powerBox),
      section('Energy vs quality', qualityNote, qualityBox),
    ),
  );
  const charts = {};
  let scenarios = [];
  let run = {};

  /** Draws, updates or removes a chart depending on whether there is data. */
  function draw(name, box, note, sets, config, emptyText) {
    if (sets.length === 0) {
      charts[name]?.destroy();
      delete charts[name];
      box.replaceChildren();
      box.hidden = true;
      fill(note, emptyText);
      return;
    }
    box.hidden = false;
    fill(note);
    if (charts[name]) charts[name].update({ datasets: sets });
    else charts[name] = createChart(box, { ...config, data: { datasets: sets } });
  }

  function renderAnalysis() {
    const ranked = analysisRanking(run);
    const analysis = run.analysis ?? {};
    const algorithms = algorithmsOf(ranked);
    fill(
      rankingNote,
      ranked.length > 0
        ? `Efficiency score by ${algorithms}${analysis.algorithm === 'auto' ? ' (auto)' : ''}; ${
            analysis.baseline
              ? `net power above ${analysis.baseline}`
              : 'no baseline in this run, so no net power'
          }${analysis.pricing ? `; cost and CO2 at ${analysis.pricing.region} prices` : ''}.`
        : '',
      ...(analysis.recommendation ? [h('br'), analysis.recommendation.text] : []),
      ...(analysis.notes ?? []).flatMap((n) => [h('br'), `Note: ${n}`]),
    );
    fill(
      rankingBox,
      table(
        ['#', 'scenario', 'efficiency score', 'net W', 'cost', 'CO2 g', 'encoder', 'bitrate', 'resolution'],
        ranked.map(({ a, s }) => [
          String(a.efficiency_rank),
          label(s),
          `${fmtNumber(a.efficiency_score)} ${a.efficiency_unit}`,
          fmtNumber(num(a.net?.power_w)),
          a.cost ? `${fmtNumber(a.cost.total_cost)} ${a.cost.currency}` : '—',
          a.cost ? fmtNumber(a.cost.co2_kg * 1000) : '—',
          s.encoder ?? '—',
          s.bitrate ?? '—',
          s.resolution ?? '—',
        ]),
        'No completed scenario has an efficiency score yet.',
      ),
    );
  }

  let picked = false; // until the user picks, the analysis ranking, else the first figure the run has
  function renderRanking() {
    if (!picked) {
      const first = RANKINGS.find((r) => rank(scenarios, r).length > 0);
      rankingSelect.value = analysisRanking(run).length > 0 || !first ? ANALYSIS : first.key;
    }
    if (rankingSelect.value === ANALYSIS) return renderAnalysis();
    fill(rankingNote);
    const ranking = RANKINGS.find((r) => r.key === rankingSelect.value) ?? RANKINGS[0];
    const ranked = rank(scenarios, ranking);
    fill(
      rankingBox,
      table(
        ['#', 'scenario', ranking.label, 'encoder', 'bitrate', 'resolution'],
        ranked.map(({ s, value }, i) => [
          String(i + 1),
          label(s),
          fmtNumber(value),
          s.encoder ?? '—',
          s.bitrate,
          s.resolution ?? '—',
        ]),
        `No completed scenario has ${ranking.label} yet.`,
      ),
    );
  }
  rankingSelect.addEventListener('change', () => {
    picked = true;
    renderRanking();
  });

  return {
    async refresh() {
      run = await api(`/runs/${encodeURIComponent(id)}`);
      scenarios = run.results?.scenarios ?? [];
      const algorithms = algorithmsOf(analysisRanking(run));
      fill(analysisOption, `efficiency score${algorithms ? ` — ${algorithms}` : ''} (analysis)`);
      const counts = run.job_counts ?? {};
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const done = (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0);
      fill(title, run.name, ' ', badge(run.status));
      fill(
        summaryBox,
        table(
          ['field', 'value'],
          [
            ['id', run.id],
            ['created', fmtTime(run.created_at)],
            ['jobs', h('span', null, progressBar(total ? done / total : 0), ` ${done} of ${total} finished`)],
            [
              'by status',
              Object.entries(counts)
                .filter(([, n]) => n > 0)
                .map(([s, n]) => h('span', { class: 'chip' }, `${s} ${n}`)),
            ],
            ['options', h('code', null, JSON.stringify(run.options ?? {}))],
            ['job list', link(`#/jobs?run_id=${encodeURIComponent(run.id)}`, 'all jobs of this run')],
          ],
        ),
      );
      fill(scenariosBox, table(SCENARIO_HEADINGS, scenarioRows(scenarios), 'No scenario has finished yet.'));
      renderRanking();
      draw(
        'power',
        powerBox,
        powerNote,
        powerSets(scenarios),
        { type: 'line', options: { scales: axes('seconds since the run’s first sample', 'package watts') } },
        'No power samples yet.',
      );
      draw(
        'quality',
        qualityBox,
        qualityNote,
        qualitySets(scenarios),
        {
          type: 'scatter',
          options: {
            scales: axes('energy (J)', 'quality', { y: { beginAtZero: false } }),
            plugins: {
              tooltip: {
                callbacks: { label: (c) => `${c.raw.name}: ${fmtNumber(c.raw.x)} J, ${fmtNumber(c.raw.y)}` },
              },
            },
          },
        },
        'No scenario has both energy and quality figures (run with --compute-quality).',
      );
    },
    destroy() {
      for (const c of Object.values(charts)) c.destroy();
    },
  };
}
