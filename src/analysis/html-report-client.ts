/**
 * The page's own style and script, inlined into every report. The script is plain ES2017 kept
 * as text (not a compiled function's `toString()`, which tsx/esbuild may decorate with helpers
 * that do not exist in the page). It reads the JSON block `#report-data` and draws one Chart.js
 * chart per `<canvas data-chart="…">`.
 */

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6372; --line: #d9dde5; --warn-bg: #fff4d6; --warn: #7a5300; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 48px; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.meta span + span::before { content: " · "; }
.recommendation { font-size: 1.05rem; background: #eef6ee; border-left: 4px solid #2e7d32; padding: 10px 14px; margin: 12px 0; }
.note { background: #f3f5f9; border-left: 4px solid #8a94a6; padding: 8px 12px; margin: 8px 0; color: var(--muted); }
.note.estimated { background: var(--warn-bg); border-left-color: #d9a400; color: var(--warn); font-weight: 600; }
.chart-box { position: relative; height: 340px; margin: 8px 0 4px; }
.caption { color: var(--muted); font-size: 0.85rem; margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 6px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th { background: #f3f5f9; font-weight: 600; vertical-align: bottom; }
th:nth-child(2), td:nth-child(2), th:nth-child(3), td:nth-child(3) { text-align: left; }
td.name { font-weight: 600; min-width: 10em; overflow-wrap: anywhere; }
td.config { color: var(--muted); min-width: 12em; }
.table-wrap { overflow-x: auto; }
.tag { display: inline-block; font-size: 0.72rem; font-weight: 600; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; margin-left: 4px; }
footer { margin-top: 36px; color: var(--muted); font-size: 0.8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-inside: avoid; }
  .chart-box { height: 260px; }
  table { font-size: 7.5pt; }
  .table-wrap { overflow: visible; }
  .note, .recommendation, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var Chart = window.Chart;
  // Static charts: drawn once, at once (a screenshot or print never catches a half-drawn one).
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1d2330';

  function axis(text, extra) {
    var a = { title: { display: true, text: text } };
    for (var k in extra) a[k] = extra[k];
    return a;
  }

  var pointLabels = {
    id: 'pointLabels',
    afterDatasetsDraw: function (chart) {
      var ds = chart.data.datasets[0];
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = '11px ' + Chart.defaults.font.family;
      ctx.fillStyle = '#1d2330';
      chart.getDatasetMeta(0).data.forEach(function (el, i) {
        ctx.fillText(ds.data[i].name, el.x + 7, el.y - 7);
      });
      ctx.restore();
    }
  };

  var builders = {
    power: function (d) {
      return {
        type: 'line',
        data: { datasets: d.series.map(function (s) {
          return { label: s.label, data: s.points, borderColor: s.color, backgroundColor: s.color,
            pointRadius: 0, borderWidth: 1.6, tension: 0 };
        }) },
        options: { interaction: { mode: 'nearest', intersect: false },
          scales: { x: axis('seconds since scenario start', { type: 'linear' }), y: axis('watts', { beginAtZero: true }) } }
      };
    },
    ranking: function (d) {
      return {
        type: 'bar',
        data: { labels: d.labels, datasets: [{ label: d.label, data: d.values, backgroundColor: d.colors }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } },
          scales: { x: axis(d.label, { beginAtZero: true }) } }
      };
    },
    quality: function (d) {
      return {
        type: 'scatter',
        data: { datasets: [
          { label: 'scenarios', data: d.points, backgroundColor: d.colors, pointRadius: 6, pointHoverRadius: 8 },
          { label: 'Pareto front (least energy, highest VMAF)', data: d.front, showLine: true,
            borderColor: '#2e7d32', backgroundColor: '#2e7d32', borderDash: [6, 4], pointRadius: 3 }
        ] },
        options: {
          plugins: { tooltip: { callbacks: { label: function (c) {
            return c.raw.name + ': ' + c.raw.x.toLocaleString() + ' J, VMAF ' + c.raw.y; } } } },
          layout: { padding: { right: 24 } },
          // Room around the extreme points for their name labels.
          scales: { x: axis('energy (J)', { grace: '8%' }), y: axis('VMAF', { grace: '5%' }) }
        },
        plugins: [pointLabels]
      };
    },
    cost: function (d) {
      return {
        type: 'bar',
        data: { labels: d.labels, datasets: [{ label: 'cost (USD)', data: d.values, backgroundColor: d.colors }] },
        options: { plugins: { legend: { display: false } }, scales: { y: axis('USD', { beginAtZero: true }) } }
      };
    }
  };

  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var key = canvas.getAttribute('data-chart');
    if (data.charts[key]) new Chart(canvas, builders[key](data.charts[key]));
  });
  window.addEventListener('beforeprint', function () {
    Object.keys(Chart.instances).forEach(function (id) { Chart.instances[id].resize(); });
  });
})();
`;
