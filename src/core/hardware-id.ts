/**
 * The hardware id models are kept under (`models/<hardware_id>/`, DESIGN §8): the CPU model and the
 * OS, sanitized to a file-name-safe, stable string. Trademark marks, "CPU" and the nominal clock
 * are dropped because they vary between tools reading the same chip (/proc/cpuinfo vs os.cpus()),
 * not between chips. Example: `Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz` on linux →
 * `intel_xeon_e5_2680_v4_linux`.
 */
import { FfrtmpError } from './errors.js';
import { fnv1a32 } from './ml/random.js';

const MAX_LENGTH = 96;
const ID_RE = /^[a-z0-9][a-z0-9_.-]{0,127}$/;

function sanitize(text: string): string {
  return text
    .toLowerCase()
    .replace(/\((r|tm|c)\)|®|™/g, ' ')
    .replace(/@\s*[\d.]+\s*[gm]hz/g, ' ')
    .replace(/\b(cpu|processor)\b/g, ' ')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** `<cpu>_<os>` from a CPU model string and an OS name (`process.platform`). */
export function toHardwareId(cpuModel: string, platform: string): string {
  const cpu = sanitize(cpuModel) || 'unknown_cpu';
  const os = sanitize(platform) || 'unknown_os';
  return `${cpu.slice(0, MAX_LENGTH - os.length - 1).replace(/_+$/, '')}_${os}`;
}

/** A user-given `--hardware-id`: safe as one path segment (no `/`, no `..`), else E_INVALID_CONFIG. */
export function parseHardwareId(text: string): string {
  if (!ID_RE.test(text) || text.includes('..'))
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--hardware-id: expected lowercase letters, digits, '_', '-', '.' (as \`ffrtmp models train\` prints), got "${text}"`,
    );
  return text;
}

/** A deterministic number in [0, 1) for a hardware id: the multivariate models' hardware feature. */
export function hardwareHash(hardwareId: string): number {
  return fnv1a32(hardwareId) / 2 ** 32;
}
