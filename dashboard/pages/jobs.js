// Jobs, newest first, filtered by status (kept in the URL: #/jobs?status=running).
import { listAll } from '../api.js';
import { badge, fill, fmtAgo, fmtDuration, h, link, progressBar, section, shortId, table } from '../dom.js';

export const STATUSES = ['queued', 'assigned', 'running', 'completed', 'failed', 'canceled'];
const SHOWN = 200;

export function jobRows(jobs) {
  return jobs.map((j) => [
    link(`#/jobs/${encodeURIComponent(j.id)}`, j.id.slice(0, 8)),
    j.scenario,
    badge(j.status),
    j.priority,
    j.node_id ? shortId(j.node_id) : '—',
    progressBar(j.progress),
    `${j.attempt}/${j.max_retries + 1}`,
    fmtAgo(j.created_at),
    fmtDuration(j.started_at, j.completed_at),
  ]);
}

export const JOB_HEADINGS = [
  'id',
  'scenario',
  'status',
  'priority',
  'node',
  'progress',
  'attempt',
  'created',
  'ran',
];

/** The list's API path and hash for a status and run filter. */
function filtered(base, status, runId) {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (runId) q.set('run_id', runId);
  const text = q.toString();
  return text ? `${base}?${text}` : base;
}

export function mount(root, { query }) {
  const status = STATUSES.includes(query.get('status') ?? '') ? query.get('status') : '';
  const runId = query.get('run_id') ?? '';
  const select = h(
    'select',
    {
      id: 'status-filter',
      onchange: (e) => {
        location.hash = filtered('#/jobs', e.target.value, runId);
      },
    },
    h('option', { value: '' }, 'all statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  const box = h('div', { id: 'jobs' }, h('p', { class: 'muted' }, 'Loading…'));
  const summary = h('p', { class: 'muted' });
  root.append(
    h('h1', null, 'Jobs'),
    h(
      'p',
      { class: 'filter' },
      h('label', null, 'Status ', select),
      runId
        ? h(
            'span',
            null,
            ' of run ',
            link(`#/runs/${encodeURIComponent(runId)}`, runId),
            ' (',
            link(filtered('#/jobs', status, ''), 'all runs'),
            ')',
          )
        : null,
    ),
    section('List', summary, box),
  );
  return {
    async refresh() {
      const { items, truncated } = await listAll(filtered('/jobs', status, runId), 'jobs');
      const newest = items.slice().reverse();
      fill(
        summary,
        `${items.length}${truncated ? '+' : ''} job(s)${status ? ` ${status}` : ''}`,
        newest.length > SHOWN ? `; the newest ${SHOWN} shown` : '',
      );
      fill(box, table(JOB_HEADINGS, jobRows(newest.slice(0, SHOWN)), 'No jobs.'));
    },
  };
}
