// Chart.js (served by the master from the npm package; window.Chart from its UMD build).
// Charts are updated in place on refresh, and only when their data changed.

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export const color = (i) => PALETTE[i % PALETTE.length];

function chartLib() {
  const lib = /** @type {any} */ (window).Chart;
  if (!lib) throw new Error('Chart.js did not load (/dashboard/vendor/…/chart.umd.js)');
  return lib;
}

/**
 * A chart on a canvas inside `box`; `config` is a Chart.js config. Returns a handle whose
 * update(data) redraws only when the data differ from what is drawn.
 */
export function createChart(box, config) {
  const canvas = document.createElement('canvas');
  box.replaceChildren(canvas);
  const Chart = chartLib();
  const chart = new Chart(canvas, {
    ...config,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      ...config.options,
    },
  });
  let drawn = JSON.stringify(config.data);
  return {
    chart,
    canvas,
    update(data) {
      const next = JSON.stringify(data);
      if (next === drawn) return;
      drawn = next;
      chart.data = data;
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}

/** Axis options with titles. */
export function axes(xTitle, yTitle, extra = {}) {
  return {
    x: { type: 'linear', title: { display: true, text: xTitle }, ...extra.x },
    y: { title: { display: true, text: yTitle }, beginAtZero: true, ...extra.y },
  };
}

/**
 * Power series of a result (`samples`: [{t (epoch ms), package_watts, gpu_watts?}]) as datasets
 * against seconds since the window opened.
 */
export function powerDatasets(samples, label = '') {
  const points = (samples ?? []).filter((s) => s && typeof s.t === 'number');
  if (points.length === 0) return [];
  const t0 = points[0].t;
  const x = (s) => Math.round((s.t - t0) / 10) / 100;
  const sets = [
    {
      label: `${label}package W`.trim(),
      data: points
        .filter((s) => typeof s.package_watts === 'number')
        .map((s) => ({ x: x(s), y: s.package_watts })),
    },
  ];
  const gpu = points.filter((s) => typeof s.gpu_watts === 'number');
  if (gpu.length > 0)
    sets.push({ label: `${label}GPU W`.trim(), data: gpu.map((s) => ({ x: x(s), y: s.gpu_watts })) });
  return sets;
}

/** Line styling for datasets, coloured in order. */
export function styleLines(sets, offset = 0) {
  return sets.map((s, i) => ({
    borderColor: color(i + offset),
    backgroundColor: color(i + offset),
    pointRadius: 0,
    borderWidth: 2,
    tension: 0.2,
    ...s,
  }));
}
