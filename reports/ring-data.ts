// Everything a ring report shows, read from the store in one place so that the API,
// the dashboard and every report format agree.
import { auditFor } from '../queries/audit';
import type { Store } from '../storage/store';
import type { AuditEntry, Escalation, Post, Ring } from '../storage/types';
import { actorLabel, productLabel, reviewChangeText } from './labels';
import { type PostIndex, refsForAccounts } from './posts';
import { buildRingGraph, type RingGraph } from './ring-graph';

export interface MemberFacts {
  _id: string;
  platform: string;
  handle: string;
  displayName?: string;
  createdAt?: Date;
  firstSeenAt?: Date;
  karma?: number;
  followers?: number;
  score: number;
  posts: number;
  products: string[];
  firstPostAt?: Date;
  lastPostAt?: Date;
  /** The account's own strongest indicators. */
  indicators: { name: string; value: number; score: number; explanation: string }[];
}

export interface RingReportData {
  ring: Ring;
  members: MemberFacts[];
  /** Strongest evidence posts first (the ring's evidence, then the posts behind its strongest edges). */
  evidence: Post[];
  escalations: Escalation[];
  /** Review actions, each with who did it and what changed in words. */
  history: (AuditEntry & { who: string; text: string })[];
  /** Product id → the name people know it by (catalogue name, or a readable candidate). */
  productNames: Record<string, string>;
  /** Member posts per day. */
  timeline: { day: string; posts: number }[];
  graph: RingGraph;
  generatedAt: Date;
}

export class NotFound extends Error {
  readonly statusCode = 404;
}

const EVIDENCE_LIMIT = 12;

/** Posts per day from the first to the last day with posts, quiet days as 0 (a chart must show the gaps). */
export function everyDay(perDay: Map<string, number>): { day: string; posts: number }[] {
  const days = [...perDay.keys()].sort();
  if (days.length === 0) return [];
  const out: { day: string; posts: number }[] = [];
  const last = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
  // Bounded: a ring is active for weeks, not decades.
  for (let t = Date.parse(`${days[0]}T00:00:00Z`); t <= last && out.length < 3660; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, posts: perDay.get(day) ?? 0 });
  }
  return out;
}

export async function loadRingReport(store: Store, ringId: string, opts: { index?: PostIndex } = {}): Promise<RingReportData> {
  const ring = await store.rings.get(ringId);
  if (!ring) throw new NotFound(`no ring ${ringId}`);
  const accounts = await store.accounts.getMany(ring.members);
  const byId = new Map(accounts.map((a) => [a._id, a]));
  const perMember = new Map<string, { posts: number; products: Set<string>; first?: Date; last?: Date }>();
  const perDay = new Map<string, number>();
  for (const p of await refsForAccounts(store, ring.members, opts.index)) {
    const m = perMember.get(p.accountId) ?? { posts: 0, products: new Set<string>() };
    m.posts++;
    for (const product of p.products) m.products.add(product);
    if (!m.first || p.createdAt < m.first) m.first = p.createdAt;
    if (!m.last || p.createdAt > m.last) m.last = p.createdAt;
    perMember.set(p.accountId, m);
    const day = p.createdAt.toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const members: MemberFacts[] = ring.members.map((id) => {
    const a = byId.get(id);
    const m = perMember.get(id);
    return {
      _id: id,
      platform: a?.platform ?? id.split(':')[0],
      handle: a?.handle ?? id,
      displayName: a?.displayName,
      createdAt: a?.createdAt,
      firstSeenAt: a?.firstSeenAt,
      karma: a?.karma,
      followers: a?.followers,
      score: a?.suspicion?.score ?? 0,
      posts: m?.posts ?? 0,
      products: [...(m?.products ?? [])].sort(),
      firstPostAt: m?.first,
      lastPostAt: m?.last,
      indicators: [...(a?.suspicion?.indicators ?? [])].sort((x, y) => y.score - x.score).slice(0, 3),
    };
  });
  members.sort((x, y) => y.score - x.score || (x._id < y._id ? -1 : 1));
  // Explanations name accounts by handle, not by "twitter:2066213549990954049".
  const handles = new Map(members.map((m) => [m._id, m.handle]));
  const named = (text: string) => text.replace(/\b(?:reddit|twitter|web):[^\s,;()]*[^\s,;().]/g, (id) => handles.get(id) ?? id);
  for (const m of members) for (const i of m.indicators) i.explanation = named(i.explanation);
  for (const i of ring.indicators) i.explanation = named(i.explanation);
  for (const l of ring.links) for (const r of l.reasons) r.detail = named(r.detail);

  const evidenceIds = [...new Set([...ring.evidencePosts, ...ring.strongestEdges.flatMap((e) => e.posts)])].slice(0, EVIDENCE_LIMIT);
  const evidence = (await store.posts.getMany(evidenceIds)).map(withoutSignatures);
  const escalations = await store.escalations.getMany(ring.links.map((l) => l.caseId));
  const history = (await auditFor(store, `ring:${ring._id}`)).map((e) => ({ ...e, who: actorLabel(e.actor), text: reviewChangeText(e) }));
  const productIds = [...new Set([...ring.products, ...members.flatMap((m) => m.products), ...escalations.map((c) => c.product ?? '').filter(Boolean)])];
  const catalogue = new Map((await store.products.getMany(productIds)).map((p) => [p._id, p]));
  const productNames = Object.fromEntries(productIds.map((id) => [id, productLabel(id, catalogue)]));
  const timeline = everyDay(perDay);
  const graph = buildRingGraph({ members, strongestEdges: ring.strongestEdges });
  return { ring, members, evidence, escalations, history, productNames, timeline, graph, generatedAt: new Date() };
}

/** A post without its MinHash signature and band keys (internal, bulky). */
export function withoutSignatures(p: Post): Post {
  if (!p.enrichment) return p;
  const { minhash: _m, lshBands: _l, ...rest } = p.enrichment;
  return { ...p, enrichment: rest as Post['enrichment'] };
}
