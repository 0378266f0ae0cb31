import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import { FormatRegistry } from '@sinclair/typebox';
import { type FieldProblem, invalid } from '../errors.js';

/**
 * Compiled validators for contract schemas. Errors name the field (`scenario`, `labels.gpu`) and say
 * what was expected and what arrived, all problems at once, as E_INVALID_PARAMETER.
 */
export interface Validator<S extends TSchema> {
  parse(value: unknown, where?: string): Static<S>;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function toField(path: string, where: string | undefined): string {
  const dotted = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  if (where === undefined) return dotted === '' ? '(body)' : dotted;
  return dotted === '' ? where : `${where}.${dotted}`;
}

// RFC 3339 date-time, as the contract's `format: 'date-time'` fields carry (TypeBox ships no formats).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
}

/**
 * A union's own error says only "expected union value". When one member matched the value's shape
 * (its errors all sit below the union's path), that member's errors name the field instead.
 */
function* detailed(errors: Iterable<ValueError>): Generator<ValueError> {
  for (const e of errors) {
    let best: ValueError[] | undefined;
    for (const member of e.errors ?? []) {
      const list = [...member];
      if (list.length === 0 || list.some((x) => x.path === e.path)) continue;
      if (!best || list.length < best.length) best = list;
    }
    if (best) yield* detailed(best);
    else yield e;
  }
}

export function compile<S extends TSchema>(schema: S): Validator<S> {
  const check: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    parse(value, where) {
      if (check.Check(value)) return value;
      const problems: FieldProblem[] = [];
      const seen = new Set<string>();
      for (const e of detailed(check.Errors(value))) {
        const field = toField(e.path, where);
        if (seen.has(field)) continue;
        seen.add(field);
        const message =
          e.message === 'Unexpected property'
            ? 'unknown field'
            : `${e.message.replace(/^Expected/, 'expected')}, got ${describe(e.value)}`;
        problems.push({ field, message });
        if (problems.length >= 20) break;
      }
      throw invalid(problems);
    },
  };
}
