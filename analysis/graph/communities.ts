// Communities: Louvain with a seeded rng (same graph + seed → same partition), then every
// community split into its connected components, because Louvain can return badly
// connected or even disconnected communities (Traag et al. 2019). A ring is therefore
// always connected through edges of its own members.
import louvain from 'graphology-communities-louvain';
import type { AccountGraph } from './build';

export interface CommunityOptions {
  resolution: number;
  seed: number;
}

export const DEFAULT_COMMUNITY_OPTIONS: CommunityOptions = { resolution: 1, seed: 42 };

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export function seededRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CommunityResult {
  /** Member account ids of each connected community, sorted; communities sorted by size desc then first id. */
  communities: string[][];
  modularity: number;
}

export function detectCommunities(graph: AccountGraph, options: Partial<CommunityOptions> = {}): CommunityResult {
  const opts = { ...DEFAULT_COMMUNITY_OPTIONS, ...options };
  if (graph.order === 0) return { communities: [], modularity: 0 };
  let mapping: Record<string, number>;
  let modularity = 0;
  if (graph.size === 0) {
    mapping = {};
    let next = 0;
    graph.forEachNode((n) => {
      mapping[n] = next++;
    });
  } else {
    const res = louvain.detailed(graph, { getEdgeWeight: 'weight', resolution: opts.resolution, rng: seededRng(opts.seed) });
    mapping = res.communities;
    modularity = res.modularity;
  }
  const communities = connectedPartition(graph, mapping);
  return { communities, modularity };
}

/**
 * Refines a partition (node → community) into connected communities: each community is
 * split into the connected components of its induced subgraph. Sorted members; communities
 * sorted by size desc, then first member.
 */
export function connectedPartition(graph: AccountGraph, mapping: Readonly<Record<string, number>>): string[][] {
  const groups = new Map<number, string[]>();
  graph.forEachNode((n) => {
    const c = mapping[n];
    const list = groups.get(c);
    if (list) list.push(n);
    else groups.set(c, [n]);
  });
  const communities: string[][] = [];
  for (const members of groups.values()) {
    for (const component of splitConnected(graph, members)) communities.push(component.sort());
  }
  return communities.sort((x, y) => y.length - x.length || (x[0] < y[0] ? -1 : 1));
}

/** Connected components of the subgraph induced by `members` (BFS over member-only edges). */
export function splitConnected(graph: AccountGraph, members: readonly string[]): string[][] {
  const inside = new Set(members);
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of members) {
    if (seen.has(start)) continue;
    seen.add(start);
    const component = [start];
    for (let i = 0; i < component.length; i++) {
      graph.forEachNeighbor(component[i], (nb: string) => {
        if (inside.has(nb) && !seen.has(nb)) {
          seen.add(nb);
          component.push(nb);
        }
      });
    }
    out.push(component);
  }
  return out;
}
