import type { NodeJson } from '../../core/contract/schemas.js';
import { NODE_STATUSES } from '../../core/node.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { group, leaf } from '../command.js';
import { clientOptions, formatTable, withClient } from '../client-options.js';

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

function nodeRows(nodes: readonly NodeJson[]): string {
  return formatTable(
    ['ID', 'ADDRESS', 'TYPE', 'STATUS', 'CPU', 'RAM', 'GPU', 'JOB', 'LAST HEARTBEAT'],
    nodes.map((n) => [
      n.id,
      n.address,
      n.type,
      n.status,
      `${n.cpu_threads}× ${n.cpu_model}`,
      gib(n.ram_bytes),
      n.has_gpu ? (n.gpu_type ?? 'yes') : '-',
      n.current_job_id ?? '-',
      n.last_heartbeat,
    ]),
  );
}

function oneId(positionals: string[]): string {
  const id = positionals[0];
  if (!id || positionals.length > 1)
    throw new FfrtmpError('E_INVALID_CONFIG', `expected one NODE_ID, got ${positionals.length}`);
  return id;
}

export const nodesCommand = group('nodes', 'List, inspect and remove compute nodes', [
  leaf({
    name: 'list',
    summary: 'List nodes',
    usage: 'ffrtmp nodes list [--status S]',
    options: defineOptions({
      ...clientOptions,
      status: {
        flag: 'status',
        type: 'enum',
        choices: NODE_STATUSES,
        description: 'Only nodes in this status',
      },
      limit: { flag: 'limit', type: 'int', default: 100, min: 1, max: 1000, description: 'Page size' },
      cursor: { flag: 'cursor', type: 'string', description: 'next_cursor of a previous page' },
    }),
    async run(o, _p, io) {
      const page = await withClient(o, (c) =>
        c.listNodes({ status: o.status, limit: o.limit, cursor: o.cursor }),
      );
      if (o.json) io.out(JSON.stringify(page, null, 2));
      else io.out(page.count === 0 ? 'no nodes' : nodeRows(page.nodes));
      return 0;
    },
  }),
  leaf({
    name: 'show',
    summary: 'Show one node',
    usage: 'ffrtmp nodes show NODE_ID',
    options: clientOptions,
    async run(o, positionals, io) {
      const node = await withClient(o, (c) => c.getNode(oneId(positionals)));
      io.out(JSON.stringify(node, null, 2));
      return 0;
    },
  }),
  leaf({
    name: 'remove',
    summary: 'Remove a node (its active jobs are requeued)',
    usage: 'ffrtmp nodes remove NODE_ID',
    options: clientOptions,
    async run(o, positionals, io) {
      const id = oneId(positionals);
      await withClient(o, (c) => c.removeNode(id));
      io.out(o.json ? JSON.stringify({ removed: id }) : `removed node ${id}`);
      return 0;
    },
  }),
]);
