// Benchmark runs, newest first.
import { listAll } from '../api.js';
import { badge, fill, fmtAgo, h, link, section, table } from '../dom.js';

export function mount(root) {
  const box = h('div', { id: 'runs' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(h('h1', null, 'Runs'), section('List', box));
  return {
    async refresh() {
      const { items } = await listAll('/runs', 'runs');
      const rows = items
        .slice()
        .reverse()
        .map((r) => [
          link(`#/runs/${encodeURIComponent(r.id)}`, String(r.id).slice(0, 8)),
          r.name ?? '—',
          r.status ? badge(r.status) : '—',
          fmtAgo(r.created_at),
        ]);
      fill(
        box,
        table(['id', 'name', 'status', 'created'], rows, 'No runs yet: "ffrtmp test …" creates one.'),
      );
    },
  };
}
