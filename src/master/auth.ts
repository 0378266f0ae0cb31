import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access } from '../core/contract/routes.js';
import { FfrtmpError } from '../core/errors.js';

export interface AuthKeys {
  /** Admin key: every route. */
  apiKey?: string | undefined;
  /** Agent key: register, heartbeat, next, progress, results only. */
  agentKey?: string | undefined;
}

// Hash both sides to a fixed length first, so the comparison takes the same time whatever the
// presented key's length.
const digest = (s: string) => createHash('sha256').update(s).digest();
const sameKey = (presented: Buffer, expected: Buffer | undefined) =>
  expected !== undefined && timingSafeEqual(presented, expected);

export type Authorizer = (access: Access, authorization: string | undefined) => void;

/**
 * Checks the bearer token against the route's access level; throws E_UNAUTHORIZED (no or wrong
 * key) or E_FORBIDDEN (the agent key on an admin route). With no keys configured, all routes are
 * open, as in the reference system.
 */
export function createAuthorizer(keys: AuthKeys): Authorizer {
  const admin = keys.apiKey ? digest(keys.apiKey) : undefined;
  const agent = keys.agentKey ? digest(keys.agentKey) : undefined;
  return (access, authorization) => {
    if (access === 'open') return;
    if (access === 'admin' && !admin) return;
    if (access === 'agent' && !admin && !agent) return;
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (!token) {
      throw new FfrtmpError('E_UNAUTHORIZED', 'missing API key: send "Authorization: Bearer <key>"');
    }
    const presented = digest(token);
    if (sameKey(presented, admin)) return;
    if (sameKey(presented, agent)) {
      if (access === 'agent') return;
      throw new FfrtmpError('E_FORBIDDEN', 'the agent key may not use this route; use the admin API key');
    }
    throw new FfrtmpError('E_UNAUTHORIZED', 'wrong API key');
  };
}
