import { fromResultBody, toResultJson } from '../../core/contract/json.js';
import type { MasterContext } from '../create-master.js';
import { mountRoute } from '../http.js';

export function mountResultRoutes(ctx: MasterContext): void {
  const { app, authorize, store, clock, events } = ctx;

  mountRoute(app, authorize, 'submitResult', async ({ body }) => {
    const outcome = await store.submitResult(fromResultBody(body, clock()), clock());
    if (!outcome.duplicate) events.emit('job:finished', outcome.job);
    return { status: 'success', duplicate: outcome.duplicate };
  });

  mountRoute(app, authorize, 'listResults', async ({ query }) => {
    const page = await store.listResults(
      { job_id: query.job_id, node_id: query.node_id, run_id: query.run_id },
      { limit: query.limit === undefined ? undefined : Number(query.limit), cursor: query.cursor },
    );
    return { count: page.items.length, results: page.items.map(toResultJson), next_cursor: page.next_cursor };
  });

  mountRoute(app, authorize, 'getResult', async ({ params }) =>
    toResultJson(await store.getLatestResult(params.id ?? '')),
  );
}
