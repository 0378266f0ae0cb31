import type { OptionSpec, OptionsSpec } from './config.js';
import { formatDuration } from './units.js';

/** The help text of a command, from the same option table its parser reads. */

function typeHint(s: OptionSpec): string {
  switch (s.type) {
    case 'bool':
      return '';
    case 'enum':
      return ` <${(s.choices ?? []).join('|')}>`;
    case 'list':
      return ' <a,b,…>';
    case 'string':
      return ' <value>';
    default:
      return ` <${s.type}>`;
  }
}

function defaultText(s: OptionSpec): string | undefined {
  const d = s.default;
  if (s.secret || d === undefined) return undefined;
  if (s.type === 'duration' && typeof d === 'number') return formatDuration(d);
  if (Array.isArray(d)) return d.length > 0 ? d.join(',') : undefined;
  return String(d);
}

/** Usage, description, then one aligned row per option: flags and type, description, default, env. */
export function formatHelp(usage: string, description: string, spec: OptionsSpec): string {
  const rows: [string, string][] = Object.values(spec).map((s) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.flag}${typeHint(s)}`;
    const notes: string[] = [];
    const d = defaultText(s);
    if (d !== undefined) notes.push(`default: ${d}`);
    if (s.env) notes.push(`env: ${s.env}${s.secret ? `, ${s.env}_FILE` : ''}`);
    if (s.secret) notes.push(`or --${s.flag}-file PATH`);
    return [left, `${s.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`];
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const table = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  return [`Usage: ${usage}`, '', description, '', 'Options:', ...table, ''].join('\n');
}
