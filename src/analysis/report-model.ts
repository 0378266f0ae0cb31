/**
 * What the HTML report shows: a self-contained snapshot of what `ffrtmp analyze` computed.
 * Plain data only (no class instances, no functions), so it can also be written as JSON.
 * A value that was not measured is `null` or left out; the report then says so instead of
 * drawing an empty chart.
 */

/** One power sample of a scenario: seconds since the scenario started, and watts. */
export interface PowerSample {
  /** Seconds since the scenario's start (not epoch, not milliseconds). */
  t: number;
  /** Watts at that moment. */
  w: number;
}

/** Where the watts came from. An estimated figure is labelled as such on the page. */
export interface PowerSourceInfo {
  /** `rapl`, `nvidia`, `estimated:<model>`, `prometheus`, … */
  name: string;
  /** True when the watts are modelled, not measured by a counter. */
  estimated: boolean;
  /** Relative uncertainty of the figures, when known (0.3 = ±30 %). */
  uncertainty?: number | null;
}

export interface ReportScenario {
  name: string;
  /** True for the scenario the net values are measured against (its own net values are 0). */
  baseline?: boolean;
  encoder?: string | null;
  preset?: string | null;
  /** As written in the scenario, e.g. '2500k', '5M'. */
  bitrate?: string | null;
  /** 'WxH', e.g. '1920x1080'. */
  resolution?: string | null;
  fps?: number | null;
  streams?: number | null;
  durationS?: number | null;
  meanWatts: number | null;
  peakWatts: number | null;
  energyJ: number | null;
  /** Energy minus the baseline's over the same duration (J); null without a baseline. */
  netEnergyJ?: number | null;
  /** The efficiency score of `HtmlReportInput.algorithm`; null when unscored. */
  efficiencyScore: number | null;
  /** 1 = best; null when unscored. */
  efficiencyRank: number | null;
  /** VMAF 0–100, when measured. */
  vmaf?: number | null;
  /** PSNR in dB, when measured. */
  psnr?: number | null;
  /** Total cost in US dollars (energy + compute), when pricing was given. */
  costUsd?: number | null;
  /** CO2 in grams, when a grid intensity was known. */
  co2G?: number | null;
  /** This scenario's own power source, when it differs from the run's. */
  powerSource?: PowerSourceInfo | null;
  /** Power over time; empty or left out when no samples were kept. */
  samples?: readonly PowerSample[];
}

export interface HtmlReportInput {
  /** Page title, e.g. 'ffrtmp analysis — test_results_20261127_003000.json'. */
  title: string;
  /** When the measured run took place (ISO 8601 or a readable date). */
  testDate: string;
  /** When the report was generated (ISO 8601), passed in by the caller. */
  generatedAt?: string | null;
  /** The run's power source; per-scenario `powerSource` overrides it. */
  powerSource: PowerSourceInfo;
  /** Scoring algorithm, e.g. 'qoe_efficiency_score', 'throughput_per_watt'. */
  algorithm: string;
  /** Unit of the efficiency score, e.g. 'Mbps/W', 'pixels/J'. */
  scoreUnit?: string | null;
  /** The one-line recommendation naming the best scenario. */
  recommendation: string;
  /** Pricing region used for cost and CO2, when any. */
  region?: string | null;
  scenarios: readonly ReportScenario[];
}
