export {
  DEFAULT_POWERCAP_ROOT,
  type RaplDiscovery,
  type RaplProblem,
  type RaplZone,
  type ZoneKind,
  discoverRapl,
  readRaplCounters,
} from './rapl.js';
export {
  type GpuSample,
  MAX_RESTART_BACKOFF_MS,
  NVIDIA_QUERY_FIELDS,
  type NvidiaReader,
  type NvidiaReaderOptions,
  nvidiaSmiArgs,
  parseGpuCsvLine,
  restartDelayMs,
  startNvidiaReader,
} from './nvidia.js';
export {
  type ProcStat,
  clockTicksPerSecond,
  parseProcStat,
  readHostCpu,
  readPeakRssBytes,
  readProcStat,
  readTreeCpuSeconds,
} from './procfs.js';
