// A small, deterministic world for detection unit tests (the full simulator is exercised
// in quality.test.ts): organic background, organic bursts (hard negatives) and planted
// rings that co-review several products with 5 stars, template text, shared codes, new
// accounts created together, some members on both Reddit and X.
import type { DetectAccount, DetectPost } from '../../../analysis/graph/types';

export interface Fixture {
  posts: DetectPost[];
  accounts: DetectAccount[];
  rings: string[][];
  burstAccounts: string[];
  burstProducts: string[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3_600_000;
const D = 24 * H;
const WORDS = 'battery screen sound price delivery case strap charger quality design weight colour fit button app setup warranty box manual cable'.split(' ');

export interface FixtureOptions {
  seed?: number;
  organicAccounts?: number;
  organicPosts?: number;
  products?: number;
  rings?: number;
  ringSize?: number;
  bursts?: number;
  burstSize?: number;
  withText?: boolean;
}

export function makeFixture(o: FixtureOptions = {}): Fixture {
  const r = rng(o.seed ?? 1);
  const nOrg = o.organicAccounts ?? 300;
  const nPosts = o.organicPosts ?? 900;
  const nProducts = o.products ?? 40;
  const withText = o.withText ?? true;
  const start = Date.UTC(2026, 9, 1);
  const span = 30 * D;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const products = Array.from({ length: nProducts }, (_, i) => `B0PROD${String(i).padStart(4, '0')}`);
  const accounts: DetectAccount[] = [];
  const posts: DetectPost[] = [];
  let postSeq = 0;
  const organicRating = () => pick([1, 2, 3, 4, 4, 5, 5, 5]);
  const organicText = () => Array.from({ length: 12 }, () => pick(WORDS)).join(' ');
  const addPost = (acc: DetectAccount, product: string, t: number, rating: number, text: string | undefined, extra: Partial<DetectPost> = {}) => {
    const id = `${acc.platform}:p${postSeq++}`;
    posts.push({ _id: id, platform: acc.platform, accountId: acc._id, author: acc.handle, createdAt: new Date(t), product, rating, text: withText ? text : undefined, ...extra });
  };

  for (let i = 0; i < nOrg; i++) {
    const platform = pick(['reddit', 'twitter', 'web']);
    accounts.push({ _id: `${platform}:org${i}`, platform, handle: `organic_user_${i}`, createdAt: new Date(start - (200 + r() * 2000) * D) });
  }
  for (let k = 0; k < nPosts; k++) {
    addPost(pick(accounts), pick(products), start + r() * span, organicRating(), organicText());
  }

  const burstAccounts: string[] = [];
  const burstProducts: string[] = [];
  for (let b = 0; b < (o.bursts ?? 2); b++) {
    const product = products[b];
    burstProducts.push(product);
    const t0 = start + (5 + b * 7) * D;
    for (let i = 0; i < (o.burstSize ?? 60); i++) {
      const platform = pick(['reddit', 'twitter', 'web']);
      const acc: DetectAccount = { _id: `${platform}:burst${b}_${i}`, platform, handle: `fan_${b}_${i}`, createdAt: new Date(start - (30 + r() * 1500) * D) };
      accounts.push(acc);
      burstAccounts.push(acc._id);
      addPost(acc, product, t0 + r() * 6 * H, organicRating(), organicText());
    }
  }

  const rings: string[][] = [];
  for (let g = 0; g < (o.rings ?? 3); g++) {
    const size = o.ringSize ?? 8;
    const created = start - (10 + g * 3) * D;
    const members: DetectAccount[] = [];
    for (let i = 0; i < size; i++) {
      const platform = i % 2 === 0 ? 'reddit' : 'twitter';
      members.push({ _id: `${platform}:ring${g}_${i}`, platform, handle: `deal${g}hunter${i}`, createdAt: new Date(created + r() * 4 * H) });
    }
    accounts.push(...members);
    rings.push(members.map((m) => m._id).sort());
    const targets = [products[10 + g * 3], products[11 + g * 3], products[12 + g * 3]];
    const template = `absolutely love the ${pick(WORDS)} best purchase ever use code SAVE${g}NOW five stars`;
    targets.forEach((product, w) => {
      const t0 = start + (3 + g * 5 + w * 2) * D;
      for (const m of members) {
        if (r() < 0.15) continue; // not every member posts every wave
        addPost(m, product, t0 + r() * 2 * H, 5, template, { enrichment: { codes: [`SAVE${g}NOW`] } });
      }
    });
  }
  return { posts, accounts, rings, burstAccounts, burstProducts };
}
