// Fleet overview: every node with its status, hardware, power source and current job; the queue
// by status and priority.
import { api, listAll } from '../api.js';
import { badge, fill, fmtAgo, fmtBytes, h, link, section, shortId, table } from '../dom.js';

const ACTIVE = ['queued', 'assigned', 'running'];
const FINISHED = ['completed', 'failed', 'canceled'];
const PRIORITIES = ['high', 'medium', 'low'];

function hardware(n) {
  const parts = [n.cpu_model || 'unknown CPU', `${n.cpu_threads} threads`, fmtBytes(n.ram_bytes)];
  if (n.has_gpu) parts.push(n.gpu_type || 'GPU');
  return parts.join(' · ');
}

function nameCell(n) {
  const labels = Object.entries(n.labels ?? {});
  return h(
    'div',
    { class: 'node-name' },
    h('strong', null, n.address),
    labels.length > 0
      ? h(
          'div',
          { class: 'labels' },
          labels.map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`)),
        )
      : null,
  );
}

function nodeRows(nodes) {
  return nodes.map((n) => [
    nameCell(n),
    link(`#/jobs?node_id=${encodeURIComponent(n.id)}`, shortId(n.id)),
    badge(n.status),
    n.type,
    hardware(n),
    (n.power_sources ?? []).join(', ') || '—',
    h('span', { title: (n.encoders ?? []).join(', ') }, String((n.encoders ?? []).length)),
    n.current_job_id
      ? link(`#/jobs/${encodeURIComponent(n.current_job_id)}`, n.current_job_id.slice(0, 8))
      : '—',
    fmtAgo(n.last_heartbeat),
    n.agent_version ?? '—',
  ]);
}

/** Jobs per status × priority; finished statuses are counted up to one page (1000). */
async function queueCounts() {
  const counts = {};
  await Promise.all([
    ...ACTIVE.map(async (status) => {
      const { items, truncated } = await listAll(`/jobs?status=${status}`, 'jobs');
      counts[status] = { items, truncated };
    }),
    ...FINISHED.map(async (status) => {
      const page = await api(`/jobs?status=${status}&limit=1000`);
      counts[status] = { items: page.jobs, truncated: page.next_cursor !== null };
    }),
  ]);
  return counts;
}

function queueTable(counts) {
  const n = (status, priority) => {
    const c = counts[status];
    const k = c.items.filter((j) => priority === undefined || j.priority === priority).length;
    return c.truncated ? `${k}+` : String(k);
  };
  const rows = PRIORITIES.map((p) => [p, ...ACTIVE.map((s) => n(s, p))]);
  rows.push(['all', ...ACTIVE.map((s) => n(s))]);
  return h(
    'div',
    { class: 'row' },
    table(['priority', ...ACTIVE], rows),
    table(FINISHED, [FINISHED.map((s) => link(`#/jobs?status=${s}`, n(s)))]),
  );
}

export function mount(root) {
  const nodesBox = h('div', { id: 'nodes' }, h('p', { class: 'muted' }, 'Loading…'));
  const queueBox = h('div', { id: 'queue' });
  root.append(h('h1', null, 'Fleet'), section('Nodes', nodesBox), section('Queue', queueBox));
  return {
    async refresh() {
      const [{ items: nodes }, counts] = await Promise.all([listAll('/nodes', 'nodes'), queueCounts()]);
      fill(
        nodesBox,
        table(
          [
            'name',
            'id',
            'status',
            'type',
            'hardware',
            'power',
            'encoders',
            'current job',
            'heartbeat',
            'agent',
          ],
          nodeRows(nodes),
          'No nodes yet: start one with "ffrtmp agent --register --master URL".',
        ),
      );
      fill(queueBox, queueTable(counts));
    },
  };
}
