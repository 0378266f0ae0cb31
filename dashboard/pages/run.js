// One benchmark run.
import { api } from '../api.js';
import { fill, h, kvTable, link, section } from '../dom.js';

export function mount(root, { id }) {
  const box = h('div', { id: 'run' });
  root.append(h('p', null, link('#/runs', '← all runs')), h('h1', null, 'Run'), section('Run', box));
  return {
    async refresh() {
      fill(box, kvTable(await api(`/runs/${encodeURIComponent(id)}`)));
    },
  };
}
