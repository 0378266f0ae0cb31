// Benchmark runs, newest first, with how far each has got.
import { listAll } from '../api.js';
import { badge, fill, fmtAgo, fmtTime, h, link, progressBar, section, table } from '../dom.js';

const SHOWN = 200;

function runRow(r) {
  const counts = r.job_counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0);
  return [
    link(`#/runs/${encodeURIComponent(r.id)}`, r.name),
    badge(r.status),
    h('span', null, progressBar(total ? done / total : 0), ` ${done}/${total}`),
    counts.failed ? String(counts.failed) : '0',
    h('span', { title: fmtTime(r.created_at) }, fmtAgo(r.created_at)),
    h('span', { class: 'id', title: r.id }, r.id.slice(0, 8)),
  ];
}

export function mount(root) {
  const box = h('div', { id: 'runs' }, h('p', { class: 'muted' }, 'Loading…'));
  const summary = h('p', { class: 'muted' });
  root.append(h('h1', null, 'Runs'), section('List', summary, box));
  return {
    async refresh() {
      const { items, truncated } = await listAll('/runs', 'runs');
      const newest = items.slice().reverse();
      fill(
        summary,
        `${items.length}${truncated ? '+' : ''} run(s)`,
        newest.length > SHOWN ? `; the newest ${SHOWN} shown` : '',
      );
      fill(
        box,
        table(
          ['name', 'status', 'jobs finished', 'failed', 'created', 'id'],
          newest.slice(0, SHOWN).map(runRow),
          'No runs yet: "ffrtmp test …" creates one.',
        ),
      );
    },
  };
}
