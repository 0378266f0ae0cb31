import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/core/errors.js';

/** docs/errors.md, generated from the one error table (src/core/errors.ts); a test keeps them equal. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { status, summary }]) => `| \`${code}\` | ${status} | ${summary} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error the API returns has one shape, `{"error": {"code": "E_…", "message": "…", "details": {…}}}`;',
    'the CLI prints `error: <message> [<code>]`. Codes are stable; messages may improve. `details` is optional',
    'machine-readable context (for `E_INVALID_PARAMETER`, `details.problems` lists every `{field, message}`).',
    '',
    'Generated from `src/core/errors.ts` by `npm run docs:errors`.',
    '',
    '| code | HTTP | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('errors-doc.ts')) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
}
