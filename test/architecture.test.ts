import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/errors.js';
import { renderErrorsDoc } from '../scripts/errors-doc.js';

// DESIGN §2: arrows point one way. Each folder may import only these folders of ours.
const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  store: ['core', 'store'],
  power: ['core', 'power'],
  master: ['core', 'store', 'master'],
  agent: ['core', 'power', 'agent'],
  runner: ['*'],
  analysis: ['*'],
  stack: ['*'],
  cli: ['*'],
};

const SRC = resolve(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('every folder of src/ is a known layer', () => {
    const folders = new Set(files.map((f) => relative(SRC, f).split('/')[0]));
    for (const folder of folders) expect(Object.keys(ALLOWED)).toContain(folder);
  });

  it('imports point one way (core ← store/power ← master/agent ← cli)', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = relative(SRC, file).split('/')[0] ?? '';
      const allowed = ALLOWED[layer] ?? [];
      if (allowed.includes('*')) continue;
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0] ?? '';
        if (!allowed.includes(target))
          violations.push(`${relative(SRC, file)} imports ${spec} (${layer} → ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('core does no I/O and reads no clock or environment', () => {
    const impure: string[] = [];
    for (const file of files.filter((f) => relative(SRC, f).startsWith('core/'))) {
      const text = readFileSync(file, 'utf8');
      if (/from ['"](node:|fs|child_process|http|net|os)/.test(text))
        impure.push(`${relative(SRC, file)}: node import`);
      if (/process\.env|Date\.now\(\)|new Date\(\)|setTimeout|setInterval/.test(text)) {
        impure.push(`${relative(SRC, file)}: clock, timer or env`);
      }
    }
    expect(impure).toEqual([]);
  });

  it('docs/errors.md lists every error code (regenerate with npm run docs:errors)', () => {
    const doc = readFileSync(resolve(SRC, '..', 'docs', 'errors.md'), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toContain(`\`${code}\``);
  });
});
