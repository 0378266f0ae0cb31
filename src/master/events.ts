import { EventEmitter } from 'node:events';
import type { Job } from '../core/job.js';
import type { Node } from '../core/node.js';

/** The master's lifecycle events, `noun:verb`, one typed map that logs, metrics and tests all use. */
export interface MasterEventMap {
  'node:registered': [node: Node, created: boolean];
  'node:lost': [node: Node];
  'node:removed': [nodeId: string];
  'job:submitted': [job: Job];
  'job:claimed': [job: Job];
  'job:finished': [job: Job];
  'job:requeued': [job: Job];
  'job:failed': [job: Job];
  'job:canceled': [job: Job];
}

export type MasterEvents = EventEmitter<MasterEventMap>;

export function createMasterEvents(): MasterEvents {
  return new EventEmitter<MasterEventMap>();
}
