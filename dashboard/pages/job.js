// One job: live progress and FFmpeg stats while it runs; its result's power chart, power and
// energy ledger, FFmpeg metrics, quality and derived figures once it has one; cancel and retry.
import { api } from '../api.js';
import { axes, createChart, powerDatasets, styleLines } from '../charts.js';
import {
  badge,
  fill,
  fmtDuration,
  fmtNumber,
  fmtTime,
  fmtValue,
  h,
  kvTable,
  link,
  progressBar,
  section,
  table,
} from '../dom.js';

const CANCELABLE = ['queued', 'assigned', 'running'];
const RETRYABLE = ['failed', 'canceled'];

function summary(job) {
  const rows = [
    ['id', job.id],
    ['status', badge(job.status)],
    ['priority', job.priority],
    ['node', job.node_id ?? '—'],
    ['run', job.run_id ? link(`#/runs/${encodeURIComponent(job.run_id)}`, job.run_id) : '—'],
    ['attempt', `${job.attempt} (retries ${job.retry_count} of ${job.max_retries})`],
    ['created', fmtTime(job.created_at)],
    ['started', fmtTime(job.started_at)],
    ['completed', fmtTime(job.completed_at)],
    ['ran', fmtDuration(job.started_at, job.completed_at)],
    ['requires', (job.requires ?? []).join(', ') || '—'],
    ['parameters', h('code', null, JSON.stringify(job.parameters))],
  ];
  if (job.error) rows.push(['error', h('pre', { class: 'error-text' }, job.error)]);
  return table(['field', 'value'], rows);
}

const POWER_COLUMNS = [
  'mean_watts',
  'median_watts',
  'min_watts',
  'max_watts',
  'stdev_watts',
  'total_energy_joules',
];

function powerTable(power) {
  if (!power) return h('p', { class: 'muted' }, 'No power measured for this attempt.');
  const domains = [
    ['package', power],
    ['dram', power.dram_power],
    ['gpu', power.gpu_power],
    ['psys', power.psys_power],
  ];
  const rows = domains
    .filter(([, d]) => d && typeof d === 'object')
    .map(([name, d]) => [
      name,
      ...POWER_COLUMNS.map((c) => fmtNumber(d[c])),
      fmtValue(d.source),
      fmtValue(d.uncertainty),
    ]);
  return table(
    ['domain', 'mean W', 'median W', 'min W', 'max W', 'stdev W', 'energy J', 'source', 'uncertainty'],
    rows,
  );
}

function ledger(energy) {
  if (!energy) return h('p', { class: 'muted' }, 'No energy ledger for this attempt.');
  const { domains, window: win, ...rest } = energy;
  const domainRows = Object.entries(domains ?? {})
    .filter(([, d]) => d)
    .map(([name, d]) => [
      name,
      fmtNumber(d.joules),
      fmtValue(d.source),
      fmtValue(d.uncertainty),
      (d.gaps ?? []).join('; ') || '—',
    ]);
  return h(
    'div',
    null,
    table(['domain', 'joules', 'source', 'uncertainty', 'gaps'], domainRows),
    kvTable({ ...rest, window: win }),
  );
}

export function mount(root, { id }, ctx) {
  const title = h('h1', null, 'Job');
  const actions = h('div', { class: 'actions' });
  const summaryBox = h('div', { id: 'job-summary' });
  const progressBox = h('div', { id: 'job-progress' });
  const chartBox = h('div', { id: 'power-chart', class: 'chart' });
  const chartNote = h('p', { class: 'muted' });
  const resultBox = h('div', { id: 'job-result' });
  root.append(
    h('p', null, link('#/jobs', '← all jobs')),
    title,
    actions,
    section('Summary', summaryBox),
    section('Progress and FFmpeg stats', progressBox),
    section('Power over time', chartNote, chartBox),
    resultBox,
  );
  const path = `/jobs/${encodeURIComponent(id)}`;
  let chart = null;
  let resultFor = null; // "<status>/<attempt>" of the job when its result was fetched
  let result = null;

  async function act(verb) {
    try {
      await api(`${path}/${verb}`, { method: 'POST' });
    } catch (error) {
      ctx.report(error);
      return;
    }
    await ctx.refreshNow();
  }

  const cancelButton = h('button', { id: 'cancel-job', class: 'danger', type: 'button' }, 'Cancel job');
  cancelButton.addEventListener('click', () => {
    if (confirm('Cancel this job? Its FFmpeg is stopped.')) void act('cancel');
  });
  const retryButton = h('button', { id: 'retry-job', type: 'button' }, 'Retry');
  retryButton.addEventListener('click', () => void act('retry'));
  actions.append(cancelButton, retryButton);

  async function loadResult(job) {
    const key = `${job.status}/${job.attempt}`;
    if (key === resultFor) return;
    // The list answers 200 with no items before the first result (GET /results/{id} would 404).
    const { results } = await api(`/results?job_id=${encodeURIComponent(job.id)}&limit=1000`);
    result = results.reduce(
      (latest, r) => (latest === null || r.attempt > latest.attempt ? r : latest),
      null,
    );
    resultFor = key;
    renderResult(job);
  }

  function renderResult(job) {
    const sets = styleLines(powerDatasets(result?.samples));
    chartBox.hidden = sets.length === 0;
    if (sets.length === 0) {
      chart?.destroy();
      chart = null;
      chartBox.replaceChildren();
      fill(
        chartNote,
        result
          ? 'This result has no power samples.'
          : job.status === 'canceled'
            ? 'No result: the job was canceled before it finished.'
            : 'Power samples arrive with the result.',
      );
    } else {
      const src = result.power?.source ?? result.energy?.total_source;
      fill(chartNote, `${sets[0].data.length} samples`, src ? `, source ${src}` : '');
      if (chart) chart.update({ datasets: sets });
      else
        chart = createChart(chartBox, {
          type: 'line',
          data: { datasets: sets },
          options: { scales: axes('seconds', 'watts') },
        });
    }
    if (!result) {
      fill(resultBox);
      return;
    }
    fill(
      resultBox,
      section(
        'Result',
        h(
          'p',
          null,
          `Attempt ${result.attempt} ${result.status} at ${fmtTime(result.completed_at)} on node `,
          h('code', null, result.node_id),
        ),
        result.error ? h('pre', { class: 'error-text' }, result.error) : null,
      ),
      section('Power', powerTable(result.power)),
      section('Energy ledger', ledger(result.energy)),
      section('FFmpeg metrics', kvTable(result.metrics)),
      section('Quality', kvTable(result.quality, 'Not computed (parameters.quality).')),
      section('Derived figures', kvTable(result.analyzer_output)),
    );
  }

  return {
    async refresh() {
      const job = await api(path);
      fill(title, job.scenario, ' ', badge(job.status));
      cancelButton.hidden = !CANCELABLE.includes(job.status);
      retryButton.hidden = !RETRYABLE.includes(job.status);
      fill(summaryBox, summary(job));
      fill(
        progressBox,
        progressBar(job.progress),
        job.stats ? kvTable(job.stats) : h('p', { class: 'muted' }, 'No live stats reported.'),
      );
      await loadResult(job);
    },
    destroy() {
      chart?.destroy();
    },
  };
}
