import { toNodeJson } from '../../core/contract/json.js';
import type { NodeRegistrationBody } from '../../core/contract/schemas.js';
import { FFMPEG_ENCODERS, ENCODERS } from '../../core/encoders.js';
import type { NodeRegistration } from '../../core/node.js';
import type { MasterContext } from '../create-master.js';
import { mountRoute } from '../http.js';

// A node that does not list its encoders (the reference agent) is taken to have FFmpeg's
// software encoders, which every stock FFmpeg build ships.
const SOFTWARE_ENCODERS = FFMPEG_ENCODERS.filter((e) =>
  Object.values(ENCODERS).some((spec) => spec.ffmpeg === e && spec.hardware === 'none'),
);

export function toRegistration(body: NodeRegistrationBody): NodeRegistration {
  return {
    address: body.address,
    type: body.type ?? 'desktop',
    cpu_threads: body.cpu_threads ?? 1,
    cpu_model: body.cpu_model ?? 'unknown',
    has_gpu: body.has_gpu ?? false,
    gpu_type: body.gpu_type ?? null,
    ram_bytes: body.ram_bytes ?? 0,
    labels: body.labels ?? {},
    encoders: body.encoders ?? SOFTWARE_ENCODERS,
    power_sources: body.power_sources ?? [],
    max_concurrent_jobs: body.max_concurrent_jobs ?? 1,
    agent_version: body.agent_version ?? null,
    ffmpeg_version: body.ffmpeg_version ?? null,
    node_key: body.node_key ?? null,
  };
}

export function mountNodeRoutes(ctx: MasterContext): void {
  const { app, authorize, store, clock, events, options } = ctx;

  mountRoute(app, authorize, 'registerNode', async ({ body, request }) => {
    const { node, created } = await store.registerNode(toRegistration(body), clock());
    events.emit('node:registered', node, created);
    request.log.info({ node_id: node.id, address: node.address, created }, 'node registered');
    // 201 also when an agent re-registers with its node_key: the reference agent checks for 201.
    return toNodeJson(node);
  });

  mountRoute(app, authorize, 'listNodes', async ({ query }) => {
    const page = await store.listNodes(
      { status: query.status },
      { limit: query.limit === undefined ? undefined : Number(query.limit), cursor: query.cursor },
    );
    return { count: page.items.length, nodes: page.items.map(toNodeJson), next_cursor: page.next_cursor };
  });

  mountRoute(app, authorize, 'getNode', async ({ params }) =>
    toNodeJson(await store.getNode(params.id ?? '')),
  );

  mountRoute(app, authorize, 'removeNode', async ({ params }) => {
    const id = params.id ?? '';
    await store.removeNode(id, clock());
    events.emit('node:removed', id);
    return null;
  });

  mountRoute(app, authorize, 'heartbeat', async ({ params, body }) => {
    const node = await store.heartbeat(params.id ?? '', clock(), {
      leaseMs: options.leaseMs,
      jobIds: body?.job_ids,
    });
    return { status: 'ok', node: toNodeJson(node) };
  });
}
