// Charts for reports: echarts rendered to an SVG string on the server (no browser, no
// script in the output). The same option objects drive the dashboard's charts.
// echarts is required at the first chart, synchronously (its CommonJS build): imported here
// it cost every command that can render a report ≈ 0.8 s at start, `rings list` included.
import { createRequire } from 'node:module';
import type * as echarts from 'echarts';
import { platformColour } from '../crawlers/platforms/registry';
import type { RingGraph } from './ring-graph';
import { circleLayout } from './ring-graph';

const require = createRequire(import.meta.url);
let library: typeof echarts | undefined;

export function svgChart(option: echarts.EChartsCoreOption, width = 720, height = 280): string {
  library ??= require('echarts') as typeof echarts;
  const chart = library.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function lineOption(title: string, categories: string[], series: { name: string; data: (number | null)[] }[], opts: { percent?: boolean } = {}) {
  return {
    // An empty chart says so rather than drawing bare axes (as on the dashboard).
    title: { text: title, subtext: series.every((x) => x.data.every((v) => v === null)) ? 'no data yet' : undefined, left: 'center', textStyle: { fontSize: 13 } },
    legend: series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
    grid: { left: 50, right: 20, top: 36, bottom: series.length > 1 ? 50 : 30 },
    xAxis: { type: 'category', data: categories },
    // Set axisLabel only with a formatter: `axisLabel: undefined` wipes echarts' default values.
    yAxis: opts.percent ? { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` }, scale: true } : { type: 'value' },
    series: series.map((s) => ({ name: s.name, type: 'line', data: s.data, connectNulls: true, symbolSize: 5 })),
  };
}

export function barOption(title: string, categories: string[], data: number[]) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    grid: { left: 50, right: 20, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data, itemStyle: { color: '#b4432f' } }],
  };
}

/** The ring graph drawn with a fixed circular layout (stable pictures between runs). */
export function graphOption(graph: RingGraph, title = 'Members and their links') {
  const pos = circleLayout(graph.nodes);
  const maxW = Math.max(1, ...graph.edges.map((e) => e.weight));
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: false,
        label: { show: graph.nodes.length <= 40, position: 'right', fontSize: 9 },
        data: graph.nodes.map((n) => ({
          name: n.id,
          value: n.score,
          x: (pos.get(n.id)?.x ?? 0) * 300,
          y: (pos.get(n.id)?.y ?? 0) * 300,
          symbolSize: 8 + 14 * n.score,
          label: { formatter: n.label },
          itemStyle: { color: platformColour(n.platform) ?? '#555' },
        })),
        links: graph.edges.map((e) => ({ source: e.source, target: e.target, lineStyle: { width: 0.5 + (3 * e.weight) / maxW, opacity: 0.6 } })),
      },
    ],
  };
}
