// echarts and sigma, loaded as vendor scripts (window.echarts, window.graphology, window.Sigma).
import { h } from './dom.js';
import { platformColour } from './labels.js';

const live = new Set();

/** Disposes charts and graphs of the previous page. */
export function disposeAll() {
  for (const c of live) c.dispose?.() ?? c.kill?.();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const c of live) c.resize?.();
});

/** Runs `fn` once `el` is in the document and laid out (charts need a size). */
function whenMounted(el, fn, tries = 120) {
  if (el.isConnected && el.clientWidth > 0) fn();
  else if (tries > 0) requestAnimationFrame(() => whenMounted(el, fn, tries - 1));
}

export function lineChart(title, categories, series, opts = {}) {
  const el = h('div', { class: 'chart', 'data-chart': title });
  whenMounted(el, () => {
    // SVG: crisp at any zoom, and the axis values are text a reader (and a test) can find.
    const chart = window.echarts.init(el, null, { renderer: 'svg' });
    live.add(chart);
    const percent = (v) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);
    // `axisLabel: undefined` would wipe echarts' default labels: set it only with a formatter.
    const yAxis = { type: 'value', scale: !!opts.percent, minInterval: opts.percent ? undefined : opts.integer ? 1 : undefined };
    if (opts.percent) yAxis.axisLabel = { formatter: (v) => `${Math.round(v * 100)}%` };
    const tooltip = { trigger: 'axis' };
    if (opts.tooltip) tooltip.formatter = opts.tooltip;
    else if (opts.percent) tooltip.valueFormatter = percent;
    chart.setOption({
      animation: false,
      // An empty chart says so rather than drawing bare axes.
      title: { text: title, subtext: series.every((x) => x.data.every((v) => v == null)) ? 'no data yet' : undefined, left: 'center', textStyle: { fontSize: 13 } },
      tooltip,
      legend: series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
      grid: { left: 48, right: 16, top: 36, bottom: series.length > 1 ? 48 : 28 },
      xAxis: { type: 'category', data: categories },
      yAxis,
      series: series.map((s) => ({ name: s.name, type: opts.bar ? 'bar' : 'line', data: s.data, connectNulls: true, symbolSize: 5 })),
    });
  });
  return el;
}

/** An interactive graph of ring members (drag to pan, scroll to zoom, hover for labels). */
export function ringGraph(graphData, onNode) {
  const el = h('div', { id: 'graph' });
  whenMounted(el, () => {
    try {
      const G = window.graphology.Graph ?? window.graphology;
      const g = new G({ type: 'undirected' });
      const n = graphData.nodes.length;
      graphData.nodes.forEach((node, i) => {
        const a = (2 * Math.PI * i) / Math.max(1, n);
        g.addNode(node.id, { label: node.label, x: Math.cos(a), y: Math.sin(a), size: 5 + 10 * node.score, color: platformColour(node.platform) });
      });
      const maxW = Math.max(1, ...graphData.edges.map((e) => e.weight));
      for (const e of graphData.edges) {
        if (!g.hasEdge(e.source, e.target)) g.addEdge(e.source, e.target, { size: 0.5 + (3 * e.weight) / maxW, color: '#9aa5b5' });
      }
      const sigma = new window.Sigma(g, el, { renderEdgeLabels: false, labelRenderedSizeThreshold: 0 });
      if (onNode) sigma.on('clickNode', ({ node }) => onNode(node));
      live.add(sigma);
      el.dataset.nodes = String(g.order);
      el.dataset.edges = String(g.size);
    } catch (err) {
      el.appendChild(h('p', { class: 'error' }, `The graph needs WebGL, which this browser does not offer (${err.message}). The report's graph picture shows the same links.`));
    }
  });
  return el;
}
