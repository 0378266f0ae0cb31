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

/** The list's API path (or page hash) for a set of filters; empty ones are left out. */
function filtered(base, filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `${base}?${text}` : base;
}

export function mount(root, { query }) {
  const filters = {
    status: STATUSES.includes(query.get('status') ?? '') ? query.get('status') : '',
    run_id: query.get('run_id') ?? '',
    node_id: query.get('node_id') ?? '',
  };
  const { status } = filters;
  const select = h(
    'select',
    {
      id: 'status-filter',
      onchange: (e) => {
        location.hash = filtered('#/jobs', { ...filters, status: e.target.value });
      },
    },
    h('option', { value: '' }, 'all statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  const scope = (key, what, href) =>
    filters[key]
      ? h(
          'span',
          null,
          ` ${what} `,
          link(href, filters[key]),
          ' (',
          link(filtered('#/jobs', { ...filters, [key]: '' }), 'clear'),
          ')',
        )
      : null;
  const box = h('div', { id: 'jobs' }, h('p', { class: 'muted' }, 'Loading…'));
  const summary = h('p', { class: 'muted' });
  root.append(
    h('h1', null, 'Jobs'),
    h(
      'p',
      { class: 'filter' },
      h('label', null, 'Status ', select),
      scope('run_id', 'of run', `#/runs/${encodeURIComponent(filters.run_id)}`),
      scope('node_id', 'on node', `#/jobs?node_id=${encodeURIComponent(filters.node_id)}`),
    ),
    section('List', summary, box),
  );
  return {
    async refresh() {
      const { items, truncated } = await listAll(filtered('/jobs', filters), 'jobs');
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
