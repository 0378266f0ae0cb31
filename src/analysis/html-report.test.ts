import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderHtmlReport, scriptForHtml, toChartData } from './html-report.js';
import type { HtmlReportInput, ReportScenario } from './report-model.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

function scenario(name: string, over: Partial<ReportScenario> = {}): ReportScenario {
  return {
    name,
    meanWatts: 50,
    peakWatts: 60,
    energyJ: 6000,
    efficiencyScore: null,
    efficiencyRank: null,
    ...over,
  };
}

function input(scenarios: ReportScenario[], over: Partial<HtmlReportInput> = {}): HtmlReportInput {
  return {
    title: 'Report <test>',
    testDate: '2026-11-27T00:30:00Z',
    powerSource: { name: 'rapl', estimated: false },
    algorithm: 'throughput_per_watt',
    scoreUnit: 'Mbps/W',
    recommendation: 'Use "5M" & friends',
    scenarios,
    ...over,
  };
}

describe('escaping', () => {
  it('escapeHtml escapes the five HTML metacharacters and nothing else', () => {
    expect(escapeHtml(`a&b<c>d"e'f é`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f é');
    expect(escapeHtml(HOSTILE)).toBe('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('jsonForScript hides </script> and <!-- yet parses back to the same value', () => {
    const value = { name: HOSTILE, note: '<!-- x -->', amp: 'a&b', ls: 'x\u2028y' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('scriptForHtml breaks up </script and <!-- in inlined code', () => {
    expect(scriptForHtml('var s = "</SCRIPT>"; var c = "<!--";')).toBe(
      'var s = "<\\/SCRIPT>"; var c = "<\\!--";',
    );
  });
});

describe('renderHtmlReport', () => {
  it('puts a hostile scenario name into the page only as escaped text', () => {
    const html = renderHtmlReport(input([scenario(HOSTILE, { samples: [{ t: 0, w: 1 }] })]));
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<title>Report &lt;test&gt;</title>');
    expect(html).toContain('Use &quot;5M&quot; &amp; friends');
    // Exactly our three script blocks close: nothing in the data ended one early.
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
  });

  it('loads nothing from the network: no external src or href', () => {
    const html = renderHtmlReport(input([scenario('a')]));
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).toContain('Chart.js v4');
  });

  it('shows notes instead of empty charts when data is missing', () => {
    const html = renderHtmlReport(input([scenario('a'), scenario('b')]));
    expect(html).not.toContain('<canvas');
    expect(html).toContain('No VMAF measured — run the test with <code>--compute-quality</code>');
    expect(html).toContain('data-missing="power"');
    expect(html).toContain('data-missing="ranking"');
    expect(html).toContain('data-missing="cost"');
    expect(html).not.toContain('data-note="estimated-power"');
    // Columns nobody measured are left out of the table.
    expect(html).not.toContain('<th scope="col">VMAF</th>');
  });

  it('renders a page with no scenarios at all, saying so', () => {
    const html = renderHtmlReport(input([]));
    expect(html).toContain('No scenarios in these results.');
    expect(html).not.toContain('<table');
    expect(html).toContain('0 scenarios');
  });

  it('labels estimated power visibly, with its uncertainty', () => {
    const estimated = { name: 'estimated:teads-tdp-100w', estimated: true, uncertainty: 0.3 };
    const all = renderHtmlReport(input([scenario('a')], { powerSource: estimated }));
    expect(all).toMatch(
      /data-note="estimated-power">Estimated power:[^<]*estimated:teads-tdp-100w \(±30 %\)/,
    );
    expect(all).not.toContain('<span class="tag">estimated</span>'); // the banner covers every row
    // A measured run with one estimated scenario: the banner names its model, its row is tagged.
    const model = { name: 'cpu-model', estimated: true, uncertainty: 0.1 };
    const one = renderHtmlReport(input([scenario('a'), scenario('b', { powerSource: model })]));
    expect(one).toMatch(/data-note="estimated-power">[^<]*\(cpu-model \(estimated, ±10 %\)\)/);
    expect(one).toContain('Power source: rapl<');
    expect(one).toContain('<td class="name">b<span class="tag">estimated</span></td>');
    expect(one).toContain('<td class="name">a</td>');
  });

  it('formats costs: cents from $1, three significant digits below', () => {
    const html = renderHtmlReport(
      input([scenario('a', { costUsd: 0.000123456 }), scenario('b', { costUsd: 1234.5678 }), scenario('c')]),
    );
    expect(html).toMatch(/<td>0\.000123<\/td><td>—<\/td><\/tr>/);
    expect(html).toContain('<td>1,234.57</td>');
  });

  it('chart data: ranking in rank order, the Pareto front among VMAF scenarios only', () => {
    const data = toChartData(
      input([
        scenario('base', { baseline: true, energyJ: 3000 }),
        scenario('slow', {
          energyJ: 9000,
          vmaf: 96,
          efficiencyScore: 0.05,
          efficiencyRank: 2,
          costUsd: 0.02,
        }),
        scenario('fast', { energyJ: 5000, vmaf: 90, efficiencyScore: 0.08, efficiencyRank: 1 }),
        scenario('worse', { energyJ: 9500, vmaf: 92, efficiencyScore: 0.01, efficiencyRank: 3 }),
      ]),
    );
    expect(data.ranking?.labels).toEqual(['#1 fast', '#2 slow', '#3 worse']);
    expect(data.ranking?.values).toEqual([0.08, 0.05, 0.01]);
    expect(data.quality?.points.map((p) => p.name)).toEqual(['slow', 'fast', 'worse']);
    expect(data.quality?.front).toEqual([
      { name: 'fast', x: 5000, y: 90 },
      { name: 'slow', x: 9000, y: 96 },
    ]);
    expect(data.cost?.labels).toEqual(['slow']);
    expect(data.power).toBeNull();
  });
});
