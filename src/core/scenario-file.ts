import { invalid } from './errors.js';
import { isRecord } from './guards.js';
import {
  RUNNER_DEFAULTS,
  type Scenario,
  type ScenarioDefaults,
  type ScenarioKind,
  describe,
  checkName,
  throwIf,
  buildBaseline,
  buildSingle,
  buildMulti,
  type Built,
  type Problems,
} from './scenarios.js';

/** Batch files for `ffrtmp test batch --file` (a list or `{scenarios: [...]}` of entries). */

const ENTRY_KEYS: Record<ScenarioKind, readonly string[]> = {
  baseline: ['type', 'name', 'duration'],
  single: [
    'type',
    'name',
    'bitrate',
    'resolution',
    'fps',
    'duration',
    'encoder',
    'preset',
    'outputs',
    'stabilization',
    'cooldown',
  ],
  multi: [
    'type',
    'name',
    'count',
    'bitrate',
    'bitrates',
    'resolution',
    'fps',
    'duration',
    'encoder',
    'preset',
    'stabilization',
    'cooldown',
  ],
};
const ALL_ENTRY_KEYS = [...new Set(Object.values(ENTRY_KEYS).flat())];
const KINDS: readonly ScenarioKind[] = ['baseline', 'single', 'multi'];
export const MAX_BATCH_SCENARIOS = 1000;

/**
 * `ffrtmp test batch --file`: the reference's batch file, a JSON list of entries or
 * `{"scenarios": [...]}`. Each entry is `{type, name?, bitrate?, bitrates?, count?, resolution?,
 * fps?, duration?, encoder?, preset?, outputs?, stabilization?, cooldown?}`; `type` defaults to
 * `single` as in the reference; omitted values come from `defaults`. Every problem in the file is
 * reported at once in one E_INVALID_PARAMETER, each naming its field (`scenarios[2].bitrate`).
 * Names must be unique; generated names (`single_5000k_1280x720_30fps`, `multi_3x_mixed`) get a
 * `_2`, `_3` suffix when they repeat.
 */
export function parseBatchFile(
  json: unknown,
  defaults: Readonly<ScenarioDefaults> = RUNNER_DEFAULTS,
): Scenario[] {
  const problems: Problems = [];
  let entries: unknown[];
  if (Array.isArray(json)) {
    entries = json;
  } else if (isRecord(json) && Array.isArray(json.scenarios)) {
    entries = json.scenarios;
    for (const key of Object.keys(json)) {
      if (key !== 'scenarios')
        problems.push({ field: key, message: 'unknown key; a batch file object holds only "scenarios"' });
    }
  } else {
    throw invalid([
      {
        field: 'scenarios',
        message: `expected a JSON list of scenarios or an object {"scenarios": [...]}, got ${describe(
          isRecord(json) ? json.scenarios : json,
        )}${isRecord(json) ? ' under "scenarios"' : ''}`,
      },
    ]);
  }
  if (entries.length === 0) problems.push({ field: 'scenarios', message: 'expected at least one scenario' });
  if (entries.length > MAX_BATCH_SCENARIOS) {
    problems.push({
      field: 'scenarios',
      message: `expected at most ${MAX_BATCH_SCENARIOS} scenarios, got ${entries.length}`,
    });
    throw invalid(problems);
  }

  const built: { built: Built; index: number }[] = [];
  entries.forEach((entry, i) => {
    const path = `scenarios[${i}]`;
    if (!isRecord(entry)) {
      problems.push({
        field: path,
        message: `expected an object {type, name, bitrate, …}, got ${describe(entry)}`,
      });
      return;
    }
    const type = entry.type ?? 'single';
    const kind = KINDS.find((k) => k === type);
    if (kind === undefined) {
      problems.push({
        field: `${path}.type`,
        message: `expected one of ${KINDS.join(', ')}, got ${describe(type)}`,
      });
    }
    for (const key of Object.keys(entry)) {
      if (!ALL_ENTRY_KEYS.includes(key)) {
        problems.push({
          field: `${path}.${key}`,
          message: `unknown key; expected one of ${(kind === undefined ? ALL_ENTRY_KEYS : ENTRY_KEYS[kind]).join(', ')}`,
        });
      } else if (kind !== undefined && !ENTRY_KEYS[kind].includes(key)) {
        problems.push({
          field: `${path}.${key}`,
          message: `not used by a ${kind} scenario; it takes ${ENTRY_KEYS[kind].join(', ')}`,
        });
      }
    }
    checkName(entry.name, `${path}.name`, problems);
    if (kind === undefined) return;
    // Only the keys this kind takes reach the builder: the others are reported above, once.
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => ENTRY_KEYS[kind].includes(k)));
    const build = kind === 'baseline' ? buildBaseline : kind === 'single' ? buildSingle : buildMulti;
    built.push({ built: build(own, defaults, `${path}.`, problems), index: i });
  });

  // Unique names: explicit duplicates are an error (repeats and results are grouped by name);
  // generated ones are numbered.
  const firstAt = new Map<string, number>();
  const list: Scenario[] = [];
  for (const { built: b, index } of built) {
    const scenario = b.scenario;
    if (!scenario || b.generatedName) continue;
    const seen = firstAt.get(scenario.name);
    if (seen !== undefined) {
      problems.push({
        field: `scenarios[${index}].name`,
        message: `duplicate of scenarios[${seen}].name ${describe(scenario.name)}; names must be unique`,
      });
    } else {
      firstAt.set(scenario.name, index);
    }
  }
  throwIf(problems);
  const used = new Set(firstAt.keys());
  for (const { built: b } of built) {
    const scenario = b.scenario!;
    if (b.generatedName) {
      let name = scenario.name;
      for (let k = 2; used.has(name); k += 1) name = `${scenario.name}_${k}`;
      scenario.name = name;
      used.add(name);
    }
    list.push(scenario);
  }
  return list;
}
