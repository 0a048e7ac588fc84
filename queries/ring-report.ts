// A ring report's data read from the store: the ring, its members' facts and posts, the
// evidence, the linked cases, the review history and product names. Reports render it
// (reports/ring-html.ts, gexf.ts, pdf.ts); the API and the CLI serve it.
import { platformIds } from '../crawlers/platforms/registry';
import { buildRingGraph } from '../reports/ring-graph';
import { actorLabel, productLabel, reviewChangeText } from '../reports/labels';
import { type PostRef, refsForAccounts } from '../storage/post-refs';
import { everyDay, type MemberFacts, NotFound, type RingReportData, withoutSignatures } from '../reports/ring-data';
import { type RingFormat, ringReportBytes } from '../reports/index';
import type { PdfOptions } from '../reports/pdf';
import type { Store } from '../storage/store';
import { auditFor } from './audit';

const EVIDENCE_LIMIT = 12;

/** Finds the post references of some accounts (the API passes its look-ups: storage/lookups.ts). */
export type PostRefsOf = (accountIds: readonly string[]) => Promise<PostRef[]>;

export async function loadRingReport(store: Store, ringId: string, opts: { postRefs?: PostRefsOf } = {}): Promise<RingReportData> {
  const ring = await store.rings.get(ringId);
  if (!ring) throw new NotFound(`no ring ${ringId}`);
  const accounts = await store.scores.attach(await store.accounts.getMany(ring.members));
  const byId = new Map(accounts.map((a) => [a._id, a]));
  const perMember = new Map<string, { posts: number; products: Set<string>; first?: Date; last?: Date }>();
  const perDay = new Map<string, number>();
  for (const p of await (opts.postRefs ?? ((ids) => refsForAccounts(store, ids)))(ring.members)) {
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
  // Platform ids are lower-case words (crawlers/platforms/registry.ts): safe inside a pattern.
  const accountId = new RegExp(`\\b(?:${platformIds().join('|')}):[^\\s,;()]*[^\\s,;().]`, 'g');
  const named = (text: string) => text.replace(accountId, (id) => handles.get(id) ?? id);
  for (const m of members) for (const i of m.indicators) i.explanation = named(i.explanation);
  for (const i of ring.indicators) i.explanation = named(i.explanation);
  for (const l of ring.links) for (const r of l.reasons) r.detail = named(r.detail);

  const evidenceIds = [...new Set([...ring.evidencePosts, ...ring.strongestEdges.flatMap((e) => e.posts)])].slice(0, EVIDENCE_LIMIT);
  const evidence = (await store.postsById(evidenceIds)).map(withoutSignatures);
  const escalations = await store.escalations.getMany(ring.links.map((l) => l.caseId));
  const history = (await auditFor(store, `ring:${ring._id}`)).map((e) => ({ ...e, who: actorLabel(e.actor), text: reviewChangeText(e) }));
  const productIds = [...new Set([...ring.products, ...members.flatMap((m) => m.products), ...escalations.map((c) => c.product ?? '').filter(Boolean)])];
  const catalogue = new Map((await store.products.getMany(productIds)).map((p) => [p._id, p]));
  const productNames = Object.fromEntries(productIds.map((id) => [id, productLabel(id, catalogue)]));
  const timeline = everyDay(perDay);
  const graph = buildRingGraph({ members, strongestEdges: ring.strongestEdges });
  return { ring, members, evidence, escalations, history, productNames, timeline, graph, generatedAt: new Date() };
}

/** One ring report in one format, as bytes. */
export async function renderRingReport(store: Store, ringId: string, format: RingFormat, opts: { chromiumPath?: string; postRefs?: PostRefsOf; whenBusy?: PdfOptions['whenBusy'] } = {}): Promise<Buffer> {
  return ringReportBytes(await loadRingReport(store, ringId, { postRefs: opts.postRefs }), format, opts);
}
