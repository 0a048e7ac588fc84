// Which products a post is about: the source's own attribution (review pages, imports)
// plus the products NLP resolved in its text. Candidate products count too: two ring
// accounts praising the same unknown gadget is still a co-action.
import type { DetectPost } from './types';

export function postProducts(post: DetectPost): string[] {
  const out = new Set<string>();
  if (post.product) out.add(post.product);
  for (const m of post.enrichment?.products ?? []) out.add(m.productId);
  return [...out];
}

/** Normalised outbound URLs: no scheme, no "www.", no tracking parameters, no trailing slash. */
export function postUrls(post: DetectPost): string[] {
  const out = new Set<string>();
  for (const raw of [...(post.links ?? []), ...(post.enrichment?.urls ?? [])]) {
    const u = normaliseUrl(raw);
    if (u) out.add(u);
  }
  return [...out];
}

export function normaliseUrl(raw: string): string {
  let u = raw.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/^www\./, '');
  u = u.replace(/[?&](utm_[a-z]+|ref_src|fbclid|gclid)=[^&#]*/g, '').replace(/[?&]$/, '');
  return u.replace(/#.*$/, '').replace(/\/+$/, '');
}

export function postCodes(post: DetectPost): string[] {
  return [...new Set((post.enrichment?.codes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))];
}
