// Structured tokens found by pattern rather than by language: URLs, account references,
// order ids, referral/coupon codes. Regexes on the raw text are faster and more exact
// than word tagging for these (compromise splits "#ORD-123" and "u/x/y" in its own ways).

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|to|ly|me|shop|store|uk|de)\/[^\s<>"'`]*/gi;
const TRAILING_PUNCT = /[.,;:!?)\]}>'"]+$/;

/** URLs as written, trailing punctuation removed, scheme added, host lower-cased. */
export function extractUrls(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    let raw = m[0].replace(TRAILING_PUNCT, '');
    if (!/^https?:\/\//i.test(raw)) raw = `https://${raw}`;
    try {
      const u = new URL(raw);
      u.hostname = u.hostname.toLowerCase();
      out.push(u.href);
    } catch {
      // Not a URL after all ("www." followed by junk).
    }
  }
  return out;
}

// Reddit usernames: 3–20 of [A-Za-z0-9_-]; "u/" or "/u/", not inside a path or word.
const REDDIT_RE = /(?<![\w/.])\/?u\/([A-Za-z0-9_-]{3,20})\b/g;
// X handles: 1–15 of [A-Za-z0-9_]; not preceded by a word char (that would be an e-mail).
const TWITTER_RE = /(?<![\w@.])@([A-Za-z0-9_]{1,15})\b(?![@.][A-Za-z])/g;

/**
 * Account references: "reddit:u/name", "twitter:@handle". X accounts are stored by user id,
 * which text does not carry, so handles stay handles; case is kept as written.
 */
export function extractAccountRefs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(REDDIT_RE)) out.push(`reddit:u/${m[1]}`);
  for (const m of text.matchAll(TWITTER_RE)) out.push(`twitter:@${m[1]}`);
  return out;
}

// Amazon-style "123-1234567-1234567"; our own "ORD-…"/"#ORD…" ids; "order #12345678".
const AMAZON_ORDER_RE = /(?<![\d-])\d{3}-\d{7}-\d{7}(?![\d-])/g;
const ORD_RE = /(?<![A-Za-z0-9])#?ORD[-_]?([A-Z0-9]{4,20})\b/gi;
const ORDER_NO_RE = /\border\s*(?:#|no\.?|number|num|id)\s*:?\s*#?(\d{6,20})\b/gi;

export function extractOrderIds(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(AMAZON_ORDER_RE)) out.push(m[0]);
  for (const m of text.matchAll(ORD_RE)) out.push(`ORD-${m[1].toUpperCase()}`);
  for (const m of text.matchAll(ORDER_NO_RE)) out.push(m[1]);
  return out;
}

// "promo code", "coupon code" are one cue, so the word after "code" is the candidate.
const CODE_CUE_RE = /\b(?:(?:promo|coupon|discount|referral|voucher|ref)\s+)?(?:code|coupon|promo|promocode|voucher|referral|ref|discount)s?\b[\s:"'“”-]*(?:(?:is|of|here|use|with|at|for|:)\s+){0,2}["'“]?([A-Za-z0-9][A-Za-z0-9_-]{2,24})/gi;
const CODE_PARAMS = new Set(['ref', 'referral', 'refcode', 'ref_code', 'ref_', 'coupon', 'promo', 'promocode', 'code', 'discount', 'tag', 'affiliate', 'aff', 'invite']);
const NAV_REF_RE = /^(?:sr|pd|nav|cm|as|dp|ox|ppx|olp|sxts|psdc)_[a-z0-9_]*$/;
const STOP_CODES = new Set(['THE', 'THIS', 'THAT', 'AND', 'FOR', 'YOUR', 'WORKS', 'BELOW', 'ABOVE', 'LINK', 'HERE', 'CHECKOUT', 'WORKED', 'EXPIRED']);

/**
 * Referral and coupon codes, upper-cased (codes are case-insensitive at checkout, and
 * equality is what detection needs). A word after "code"/"coupon"/"promo"/… counts when it
 * looks like a code (has a digit, or is written in capitals); URL parameters such as
 * `?ref=`, `?coupon=`, `?tag=` count always.
 */
export function extractCodes(text: string, urls: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CODE_CUE_RE)) {
    const raw = m[1];
    const looksLikeCode = (/\d/.test(raw) && /[A-Za-z]/.test(raw)) || (/^[A-Z0-9_-]{4,}$/.test(raw) && /[A-Z]/.test(raw));
    const code = raw.toUpperCase();
    if (looksLikeCode && !STOP_CODES.has(code)) out.push(code);
  }
  for (const url of urls) {
    try {
      const u = new URL(url);
      for (const [k, v] of u.searchParams) {
        // Amazon's own navigation refs ("ref=sr_1_1", "ref=pd_sbs") say nothing about who sent the link.
        if (!CODE_PARAMS.has(k.toLowerCase()) || !/^[\w-]{3,40}$/.test(v) || NAV_REF_RE.test(v)) continue;
        out.push(v.toUpperCase());
      }
    } catch {
      // extractUrls only returns parseable URLs; nothing to do.
    }
  }
  return out;
}

/** Order-preserving de-duplication. */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
