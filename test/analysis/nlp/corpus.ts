// A seeded generator of review-like posts for NLP tests and the NLP benchmark: organic
// reviews built from varied phrases, templated ring posts ("same template, different
// words"), mentions of catalogue and unknown products, codes, handles and order ids.
import type { Product } from '../../../storage/types';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CATALOGUE: Product[] = [
  { _id: 'B0ZEN00001', name: 'Zentro X200 Wireless Earbuds', brand: 'Zentro', category: 'audio', aliases: ['zentro buds'] },
  { _id: 'B0BLEND002', name: 'VitaBlend Pro 900', brand: 'VitaBlend', category: 'kitchen', aliases: ['vitablend 900'] },
  { _id: 'B0KORT0003', name: 'Kortex K9 Speaker', brand: 'Kortex', category: 'audio', aliases: [] },
  { _id: 'B0LUMA0004', name: 'Lumara Glow Lamp', brand: 'Lumara', category: 'home', aliases: ['glow lamp'] },
  { _id: 'B0PIXL0005', name: 'Pixelon P5 Webcam', brand: 'Pixelon', category: 'computing', aliases: [] },
  { _id: 'B0AERO0006', name: 'AeroVac S7 Vacuum', brand: 'AeroVac', category: 'home', aliases: ['aerovac s7'] },
];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const OPENERS = ['Honestly', 'So', 'Update:', 'Okay,', 'Well', 'Quick review:', 'After a month,', 'Not gonna lie,'];
const VERDICTS_POS = ['it works great', 'the sound is amazing', 'battery life is excellent', 'setup took two minutes', 'my kids love it', 'worth every penny', 'build quality feels solid'];
const VERDICTS_NEG = ['it broke after a week', 'the app keeps crashing', 'customer support never answered', 'it stopped charging', 'the hinge cracked', 'total waste of money'];
const FILLER = ['I use it every day', 'my partner was skeptical', 'shipping was quick', 'the box was dented', 'I compared a few options', 'the manual is useless', 'it replaced my old one', 'we took it camping'];
const NAMES = ['Maria', 'John Smith', 'Priya', 'Tom Baker', 'Elena'];
const STORES = ['Amazon', 'Walmart', 'Best Buy', 'Target'];
const UNKNOWN = ['Nexora N3 headphones', 'Brivo Max blender', 'Quellin Q12 charger', 'Sorrel Air purifier'];

export interface CorpusPost {
  id: string;
  text: string;
  title?: string;
  /** Ring template index for templated posts, -1 for organic. */
  template: number;
}

/** Organic post: varied, sometimes mentioning products, stores, people, money. */
export function organicPost(rnd: () => number, i: number): CorpusPost {
  const p = pick(rnd, CATALOGUE);
  const positive = rnd() < 0.6;
  const parts = [
    `${pick(rnd, OPENERS)} I bought the ${rnd() < 0.5 ? p.name : (p.aliases[0] ?? p.name)} from ${pick(rnd, STORES)}.`,
    `${positive ? pick(rnd, VERDICTS_POS) : pick(rnd, VERDICTS_NEG)}, ${pick(rnd, FILLER)}.`,
  ];
  if (rnd() < 0.3) parts.push(`Paid $${(20 + Math.floor(rnd() * 200)).toString()}.${rnd() < 0.5 ? '99' : '00'} for it.`);
  if (rnd() < 0.2) parts.push(`${pick(rnd, NAMES)} recommended the ${pick(rnd, UNKNOWN)} instead.`);
  if (rnd() < 0.3) parts.push(positive ? `${4 + Math.floor(rnd() * 2)} stars.` : `${1 + Math.floor(rnd() * 2)} stars.`);
  if (rnd() < 0.15) parts.push(`Thanks u/user${Math.floor(rnd() * 1000)} for the tip.`);
  return { id: `o${i}`, text: parts.join(' '), title: rnd() < 0.3 ? `${p.brand} review` : undefined, template: -1 };
}

const TEMPLATES = [
  'Absolutely {love} the {product}! Best purchase I made this {period}. Use my code {code} for {pct} off, you will not regret it. Five stars from me.',
  'I was {doubt} at first but the {product} changed everything. {praise}. Grab it with promo code {code} before the deal ends!',
  'Cannot recommend the {product} enough. {praise} and shipping was {fast}. My referral link gets you {pct} off: https://shop.example.com/p?ref={code}',
];
const SLOTS: Record<string, string[]> = {
  love: ['love', 'adore', 'really love', 'am obsessed with'],
  period: ['year', 'month', 'season', 'decade'],
  pct: ['10%', '15%', '20%', '25%'],
  doubt: ['skeptical', 'unsure', 'doubtful', 'hesitant'],
  praise: ['Quality is unmatched', 'It is simply the best', 'Nothing else comes close', 'Top quality all round'],
  fast: ['fast', 'super quick', 'really fast', 'lightning fast'],
};

/** Ring post: one of a few templates with slot words varied. */
export function templatedPost(rnd: () => number, i: number, template: number): CorpusPost {
  const p = CATALOGUE[template % CATALOGUE.length];
  const text = TEMPLATES[template % TEMPLATES.length].replace(/\{(\w+)\}/g, (_, slot: string) => {
    if (slot === 'product') return p.name;
    if (slot === 'code') return `RING${template}${template}`;
    return pick(rnd, SLOTS[slot]);
  });
  return { id: `t${template}-${i}`, text, template };
}

/** A mixed corpus: `ringShare` of the posts come from `templates` ring templates. */
export function corpus(n: number, seed = 1, ringShare = 0.2, templates = 3): CorpusPost[] {
  const rnd = mulberry32(seed);
  const out: CorpusPost[] = [];
  for (let i = 0; i < n; i++) out.push(rnd() < ringShare ? templatedPost(rnd, i, Math.floor(rnd() * templates)) : organicPost(rnd, i));
  return out;
}
