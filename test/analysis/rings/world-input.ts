// Turns a simulator world into what detection reads from the store after crawling and
// enrichment: posts with platform ids, authors and the NLP enrichment (products resolved
// from text, mentions, urls, codes, sentiment, MinHash + LSH bands), accounts with their
// platform creation dates, and escalation cases. The ground truth stays separate.
import type { DetectAccount, DetectPost } from '../../../analysis/graph/types';
import type { LinkableEscalation } from '../../../analysis/rings/links';
import { createEnricher } from '../../../analysis/nlp/enrich';
import type { Product } from '../../../storage/types';
import { redditAccountId, twitterAccountId, webAccountId } from '../../../sim/ids';
import type { World } from '../../../sim/world';

export interface WorldInput {
  posts: DetectPost[];
  accounts: DetectAccount[];
  escalations: LinkableEscalation[];
}

export function worldCatalogue(world: World): Product[] {
  return world.products.map((p) => ({ _id: p.id, name: p.name, brand: p.brand, category: p.category, aliases: p.aliases }));
}

export function worldInput(world: World, opts: { text?: boolean } = {}): WorldInput {
  const withText = opts.text ?? true;
  const enricher = createEnricher(worldCatalogue(world));
  const enrich = (text: string, title?: string) => {
    const e = enricher.enrich(text, title);
    return { products: e.products, mentions: e.mentions, urls: e.urls, codes: e.codes, sentiment: e.sentiment, minhash: Int32Array.from(e.minhash), lsh: e.lsh }; // as detect reads it from the store
  };
  const posts: DetectPost[] = [];
  const accounts: DetectAccount[] = [];
  const redditByName = new Map(world.reddit.users.map((u) => [u.name, u]));
  for (const u of world.reddit.users) accounts.push({ _id: redditAccountId(u.name), platform: 'reddit', handle: u.name, createdAt: new Date(u.createdUtc * 1000) });
  const twitterById = new Map(world.twitter.users.map((u) => [u.id, u]));
  for (const u of world.twitter.users) accounts.push({ _id: twitterAccountId(u.id), platform: 'twitter', handle: u.username, createdAt: new Date(u.createdAt) });
  const webReviewers = new Set<string>();

  if (withText) {
    for (const s of world.reddit.submissions) {
      if (s.deleted || !redditByName.has(s.author)) continue;
      posts.push({
        _id: `reddit:t3_${s.id}`,
        platform: 'reddit',
        accountId: redditAccountId(s.author),
        author: s.author,
        createdAt: new Date(s.createdUtc * 1000),
        title: s.title,
        text: s.selftext,
        links: s.linkUrl ? [s.linkUrl] : undefined,
        enrichment: enrich(s.selftext, s.title),
      });
    }
    const commentAuthor = new Map<string, string>();
    for (const c of world.reddit.comments) commentAuthor.set(`t1_${c.id}`, c.author);
    const subAuthor = new Map(world.reddit.submissions.map((s) => [`t3_${s.id}`, s.author]));
    for (const c of world.reddit.comments) {
      if (c.deleted || !redditByName.has(c.author)) continue;
      const parentAuthor = commentAuthor.get(c.parentId) ?? subAuthor.get(c.parentId);
      posts.push({
        _id: `reddit:t1_${c.id}`,
        platform: 'reddit',
        accountId: redditAccountId(c.author),
        author: c.author,
        createdAt: new Date(c.createdUtc * 1000),
        text: c.body,
        parentId: `reddit:${c.parentId}`,
        replyToAccountId: parentAuthor && redditByName.has(parentAuthor) ? redditAccountId(parentAuthor) : undefined,
        enrichment: enrich(c.body),
      });
    }
    for (const t of world.twitter.tweets) {
      if (t.deleted || !twitterById.has(t.authorId)) continue;
      const parent = t.referenced?.find((r) => r.type === 'replied_to');
      posts.push({
        _id: `twitter:${t.id}`,
        platform: 'twitter',
        accountId: twitterAccountId(t.authorId),
        author: twitterById.get(t.authorId)?.username,
        createdAt: new Date(t.createdAt),
        text: t.text,
        parentId: parent ? `twitter:${parent.id}` : undefined,
        replyToAccountId: t.inReplyToUserId ? twitterAccountId(t.inReplyToUserId) : undefined,
        enrichment: enrich(t.text),
      });
    }
  }
  for (const r of world.web.reviews) {
    const accountId = webAccountId(world.webDomain, r.reviewer);
    if (!webReviewers.has(accountId)) {
      webReviewers.add(accountId);
      accounts.push({ _id: accountId, platform: 'web', handle: r.reviewer });
    }
    posts.push({
      _id: `web:${r.id}`,
      platform: 'web',
      accountId,
      author: r.reviewer,
      createdAt: new Date(r.createdAt),
      product: r.productId,
      rating: r.rating,
      ...(withText ? { title: r.title, text: r.text, enrichment: enrich(r.text, r.title) } : {}),
    });
  }
  const escalations: LinkableEscalation[] = world.escalations.map((e) => ({
    _id: e.case_id,
    openedAt: new Date(e.opened_at),
    customerHandle: e.customer_handle || undefined,
    product: e.product || undefined,
    text: e.text,
  }));
  // Only accounts that posted are in a detection window.
  const posted = new Set(posts.map((p) => p.accountId));
  return { posts, accounts: accounts.filter((a) => posted.has(a._id)), escalations };
}
