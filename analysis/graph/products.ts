// Which products a post is about: the source's own attribution (review pages, imports)
// plus the products NLP resolved in its text. Candidate products count too: two ring
// accounts praising the same unknown gadget is still a co-action.
import type { DetectPost } from './types';

export function postProducts(post: DetectPost): string[] {
  // Zero or one product without a Set: asked three times per post by detection.
  const matched = post.enrichment?.products;
  if (!matched || matched.length === 0) return post.product ? [post.product] : [];
  if (!post.product && matched.length === 1) return [matched[0].productId];
  // A handful at most: distinct by includes, in first-seen order, as a Set would give them.
  const out: string[] = post.product ? [post.product] : [];
  for (const m of matched) if (!out.includes(m.productId)) out.push(m.productId);
  return out;
}

/** Normalised outbound URLs: no scheme, no "www.", no tracking parameters, no trailing slash. */
export function postUrls(post: DetectPost): string[] {
  if (!post.links?.length && !post.enrichment?.urls?.length) return [];
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

/**
 * Referral/coupon codes: those enrichment found, plus code-shaped tokens in the text
 * (capitals and digits, 6–20 characters, e.g. "RETRFINVIP15"), because codes are often
 * posted without a cue word ("RETRFINVIP15 = 20% off"). ASIN-like product ids are
 * products, not codes.
 */
export function postCodes(post: DetectPost): string[] {
  const codes = post.enrichment?.codes;
  // A token lies within the title or within the text: most have no run of six capitals or digits at all.
  const inTitle = post.title ? CODE_RUN.test(post.title) : false;
  const inText = post.text ? CODE_RUN.test(post.text) : false;
  if (!codes?.length && !inTitle && !inText) return [];
  const out = new Set((codes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean));
  if (inTitle || inText) {
    const text = `${post.title ?? ''} ${post.text ?? ''}`;
    for (const m of text.matchAll(CODE_TOKEN)) {
      const tok = m[0];
      if (/\d/.test(tok) && /[A-Z].*[A-Z]/.test(tok) && !ASIN.test(tok)) out.add(tok);
    }
  }
  return [...out];
}

const CODE_TOKEN = /(?<![A-Za-z0-9])[A-Z][A-Z0-9]{5,19}(?![A-Za-z0-9])/g;
/** What every CODE_TOKEN match contains (a quick test before the scan). */
const CODE_RUN = /[A-Z][A-Z0-9]{5}/;
const ASIN = /^B0[0-9A-Z]{8}$/;
