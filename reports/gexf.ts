// The ring graph as GEXF for Gephi: members with their facts as node attributes,
// edges weighted, reasons kept as a readable string.
import Graph from 'graphology';
import { write } from 'graphology-gexf';
import { platformColour } from '../crawlers/platforms/registry';
import type { RingReportData } from './ring-data';
import { circleLayout } from './ring-graph';

/** A platform's colour (its descriptor's "#rrggbb"); grey for import sources. */
function nodeColour(platform: string): string {
  return platformColour(platform) ?? '#5a5a5a';
}

/**
 * Characters XML 1.0 does not allow at all (not even as &#…; references): C0 controls but
 * tab, LF and CR, lone surrogates, U+FFFE/U+FFFF. Handles are attacker-written; a GEXF
 * holding one would not open. They become U+FFFD.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what is replaced
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(s: string): string {
  return s.replace(NOT_XML, '\uFFFD');
}

export function ringGraphology(d: RingReportData): Graph {
  const g = new Graph({ type: 'undirected', multi: false });
  const pos = circleLayout(d.graph.nodes);
  const facts = new Map(d.members.map((m) => [m._id, m]));
  for (const n of d.graph.nodes) {
    const m = facts.get(n.id);
    const p = pos.get(n.id) ?? { x: 0, y: 0 };
    g.addNode(xmlSafe(n.id), {
      label: xmlSafe(n.label),
      platform: xmlSafe(n.platform),
      score: n.score,
      posts: n.posts,
      createdAt: m?.createdAt ? new Date(m.createdAt).toISOString() : '',
      x: p.x * 100,
      y: p.y * 100,
      size: 4 + 10 * n.score,
      color: nodeColour(n.platform),
    });
  }
  for (const e of d.graph.edges) {
    g.addEdge(xmlSafe(e.source), xmlSafe(e.target), {
      weight: e.weight,
      reasons: Object.entries(e.reasons)
        .map(([k, v]) => `${k}:${Math.round(v * 100) / 100}`)
        .join(';'),
    });
  }
  g.setAttribute('ring', xmlSafe(d.ring._id));
  g.setAttribute('score', d.ring.score);
  return g;
}

export function ringGexf(d: RingReportData): string {
  return write(ringGraphology(d), {
    formatNode: (_key: string, attrs: Record<string, unknown>) => {
      // graphology-gexf's viz: a CSS colour string and flat x / y / z (a nested position or an
      // rgb object is written as an empty element, which Gephi reads as black at the origin).
      const { x, y, size, color, label, ...rest } = attrs;
      return { label: label as string, viz: { x: x as number, y: y as number, z: 0, size: size as number, color: color as string }, attributes: rest };
    },
    formatEdge: (_key: string, attrs: Record<string, unknown>) => ({ weight: attrs.weight as number, attributes: { reasons: attrs.reasons } }),
  } as never);
}
