import { FfrtmpError } from '../core/errors.js';
import type { Page } from './port.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** Cursors are the opaque form of the last row's sequence number. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString();
  const seq = /^s(\d{1,15})$/.exec(text)?.[1];
  if (seq === undefined) {
    throw new FfrtmpError(
      'E_INVALID_PARAMETER',
      `cursor: expected a next_cursor from a previous page, got "${cursor}"`,
    );
  }
  return Number(seq);
}

export function pageLimit(page: Page): number {
  return Math.min(Math.max(1, Math.trunc(page.limit ?? DEFAULT_PAGE_LIMIT)), MAX_PAGE_LIMIT);
}
