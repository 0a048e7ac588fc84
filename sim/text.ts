// Text for the simulated world: handles, organic posts with varied sentiment and
// vocabulary, ring templates with synonym swaps, review titles, escalation texts.
import type { SimProduct } from './catalogue';
import { categorySpec } from './catalogue';
import type { Rng } from './rng';

// ---------------------------------------------------------------- handles

const ADJ = ['quiet', 'sunny', 'lazy', 'brave', 'salty', 'fuzzy', 'odd', 'crispy', 'happy', 'rusty', 'silver', 'tiny', 'mellow', 'bold', 'spicy', 'frosty', 'wild', 'cozy', 'grumpy', 'lucky', 'misty', 'noble', 'swift', 'dusty', 'velvet', 'north', 'urban', 'retro'];
const NOUN = ['otter', 'toast', 'panda', 'maple', 'falcon', 'pickle', 'comet', 'badger', 'walrus', 'cactus', 'pixel', 'noodle', 'tiger', 'lemon', 'harbor', 'moose', 'raven', 'mango', 'bison', 'cloud', 'spruce', 'heron', 'kettle', 'ferret', 'puffin', 'sparrow', 'yeti', 'gecko'];
const FIRST = ['Jamie', 'Alex', 'Sam', 'Priya', 'Chen', 'Maria', 'Tom', 'Aisha', 'Lukas', 'Emma', 'Diego', 'Hannah', 'Omar', 'Grace', 'Ravi', 'Sofia', 'Ben', 'Yuki', 'Nora', 'Kwame', 'Lena', 'Marco', 'Zoe', 'Ivan', 'Chloe', 'Tariq', 'Ella', 'Jonas', 'Mei', 'Paul', 'Fatima', 'Leo'];
const LAST = ['Smith', 'Garcia', 'Nguyen', 'Patel', 'Kim', 'Müller', 'Rossi', 'Okafor', 'Brown', 'Silva', 'Cohen', 'Dubois', 'Larsen', 'Walsh', 'Tanaka', 'Novak', 'Reyes', 'Fischer', 'Ahmed', 'Moreau', 'Jensen', 'Khan', 'Lopez', 'Wright'];
const DEAL_WORDS = ['deals', 'savvy', 'picks', 'finds', 'reviews', 'shopper', 'bargain', 'steals', 'hauls', 'coupons', 'tech', 'buys'];

export function organicHandle(rng: Rng): string {
  const style = rng.int(0, 7);
  const a = rng.pick(ADJ);
  const n = rng.pick(NOUN);
  switch (style) {
    case 0:
      return `${a}_${n}_${rng.int(1, 99)}`;
    case 1:
      return `${cap(a)}${cap(n)}${rng.int(0, 9999)}`;
    case 2:
      return `${rng.pick(FIRST).toLowerCase()}${rng.pick(LAST).toLowerCase().replace('ü', 'u')}${rng.chance(0.5) ? rng.int(70, 99) : ''}`;
    case 3:
      return `throwaway_${rng.int(1000, 99999)}`;
    case 4:
      return `${n}${rng.pick(['lover', 'fan', 'guy', 'gal', 'dad', 'mom', 'nerd'])}${rng.int(1, 999)}`;
    case 5:
      return `${cap(rng.pick(FIRST))}_${cap(n)}`;
    case 6:
      return `${a}${n}`;
    default:
      return `the_${a}_${n}`;
  }
}

/** A ring operator's handle family: one stem, numbered variants. */
export function ringStem(rng: Rng): string {
  return `${rng.pick(ADJ)}_${rng.pick(DEAL_WORDS)}`;
}

export function ringMemberHandle(rng: Rng, stem: string): string {
  const [a, b] = stem.split('_');
  const style = rng.int(0, 4);
  const num = rng.int(1, 999);
  switch (style) {
    case 0:
      return `${a}_${b}${num}`;
    case 1:
      return `${a}${b}_${num}`;
    case 2:
      return `${cap(a)}${cap(b)}${num}`;
    case 3:
      return `${b}_${a}${num}`;
    default:
      return `${a}_${rng.pick(NOUN)}_${b}${num % 100}`;
  }
}

/** The related handle the same operator uses on the other platform ("sunny_deals42" → "sunnydeals_42"). */
export function relatedHandle(rng: Rng, handle: string): string {
  const m = /^(.*?)(\d+)$/.exec(handle);
  const stem = (m ? m[1] : handle).replace(/_+$/, '');
  const digits = m ? m[2] : String(rng.int(1, 99));
  const flat = stem.replace(/_/g, '');
  const variants = [`${flat}_${digits}`, `${flat}${digits}`, `${stem}_${digits}`, `${flat}${digits}x`, `real${flat}${digits}`];
  return rng.pick(variants).slice(0, 15);
}

export function displayName(rng: Rng, handle: string): string {
  if (rng.chance(0.55)) return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  if (rng.chance(0.5)) return `${rng.pick(FIRST)} ${rng.pick(LAST)[0]}.`;
  return cap(handle.replace(/[_\d]+/g, ' ').trim()) || handle;
}

/** How a web review site shows a reviewer: "Jamie R." or a handle. */
export function reviewerName(rng: Rng): string {
  if (rng.chance(0.7)) return `${rng.pick(FIRST)} ${rng.pick(LAST)[0]}.`;
  return organicHandle(rng);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------- organic text

export type Tone = 'positive' | 'neutral' | 'negative';

const DURATIONS = ['two weeks', 'a month', 'three months', 'six months', 'about a year', 'a few days', 'a couple of weeks', '8 months'];
const CONTEXTS = [
  'Bought it to replace my old one.',
  'Got it as a gift from my sister.',
  'Picked it up during a sale.',
  'My partner talked me into it.',
  'Needed something for the new apartment.',
  'I use it pretty much daily.',
  'Had it on my wishlist for ages.',
  'Work paid for half of it, not complaining.',
  '',
  '',
];
const POS = [
  'Really happy with {feature}.',
  '{feature} is better than I expected for the price.',
  "Honestly can't fault {feature}.",
  'Solid pick if you care about {feature}.',
  'The {noun} does what it says, {feature} is great.',
  "No complaints so far, {feature} is impressive.",
  "It's not perfect but {feature} alone makes it worth it.",
  'Surprised how good {feature} is.',
];
const NEU = [
  "It's fine. {feature} is ok, nothing special.",
  'Mixed feelings: {feature} is good but {flaw}.',
  "Does the job. Wouldn't pay full price though.",
  'Decent, but {feature} could be better.',
  'Average {noun}. Works, {feature} is meh.',
  'Returned and rebought, the second unit seems better.',
];
const NEG = [
  'Disappointed, {flaw}.',
  'Wanted to like it but {flaw}.',
  'After {duration} {flaw}. Support was slow to answer.',
  'Not worth it, {flaw}.',
  "Mine's going back, {flaw}.",
  'Avoid unless they fixed it, {flaw}.',
];
const QUESTIONS = [
  'Anyone else have this?',
  'Is it worth it at $' + '{price}?',
  'How does it compare to the {alt}?',
  'Should I return it?',
  'Any tips?',
  '',
  '',
  '',
];
const TITLES: Record<Tone, string[]> = {
  positive: ['{name} after {duration}: pretty great', 'Loving my new {noun}', 'Small review of the {alias}', '{alias} exceeded expectations', 'Finally found a {noun} I like'],
  neutral: ['Thoughts on the {alias}?', '{name} vs {alt}?', 'Is the {alias} worth it?', 'Honest take on the {name}', 'Question about the {alias}'],
  negative: ['{alias} died after {duration}', 'Disappointed with the {name}', 'Warning about the {alias}', 'Returning my {noun}', 'Anyone else having issues with the {alias}?'],
};

function fill(template: string, p: SimProduct, rng: Rng, alt?: SimProduct): string {
  const spec = categorySpec(p.category);
  return template
    .replace(/\{feature\}/g, () => rng.pick(spec.features))
    .replace(/\{flaw\}/g, () => rng.pick(spec.flaws))
    .replace(/\{noun\}/g, p.noun)
    .replace(/\{name\}/g, p.name)
    .replace(/\{alias\}/g, () => rng.pick([p.name, ...p.aliases]))
    .replace(/\{duration\}/g, () => rng.pick(DURATIONS))
    .replace(/\{price\}/g, String(Math.round(p.priceUsd)))
    .replace(/\{alt\}/g, alt ? rng.pick([alt.name, alt.aliases[0]]) : `${p.brand} ${p.noun}`);
}

function casual(text: string, rng: Rng): string {
  let t = text;
  if (rng.chance(0.15)) t = t.toLowerCase();
  if (rng.chance(0.1)) t = t.replace(/\.$/, '');
  if (rng.chance(0.08)) t = t.replace(/ the /, ' teh ');
  if (rng.chance(0.1)) t += rng.pick([' lol', ' tbh', ' imo', ' :)', ' ymmv']);
  return t.replace(/^./, (c) => (rng.chance(0.9) ? c.toUpperCase() : c));
}

export function toneFor(rng: Rng, positiveShare = 0.55): Tone {
  const r = rng.next();
  if (r < positiveShare) return 'positive';
  if (r < positiveShare + 0.25) return 'neutral';
  return 'negative';
}

export function ratingFor(tone: Tone, rng: Rng): number {
  if (tone === 'positive') return rng.chance(0.6) ? 5 : 4;
  if (tone === 'neutral') return rng.pick([2, 3, 3, 4]);
  return rng.chance(0.6) ? 1 : 2;
}

export function organicBody(p: SimProduct, tone: Tone, rng: Rng, alt?: SimProduct): string {
  const pool = tone === 'positive' ? POS : tone === 'neutral' ? NEU : NEG;
  const parts: string[] = [];
  const ctx = rng.pick(CONTEXTS);
  if (ctx) parts.push(ctx);
  if (rng.chance(0.7)) parts.push(`Been using the ${rng.pick([p.name, ...p.aliases])} for ${rng.pick(DURATIONS)}.`);
  const n = rng.int(1, 3);
  for (const t of rng.sample(pool, n)) parts.push(fill(t, p, rng, alt));
  const q = fill(rng.pick(QUESTIONS), p, rng, alt);
  if (q) parts.push(q);
  return casual(parts.join(' '), rng);
}

export function organicTitle(p: SimProduct, tone: Tone, rng: Rng, alt?: SimProduct): string {
  return fill(rng.pick(TITLES[tone]), p, rng, alt);
}

const REPLIES: Record<Tone, string[]> = {
  positive: ['Same experience here, {feature} is great.', 'Agreed, mine has been solid for {duration}.', 'Thanks, this convinced me to get one.', 'Good to hear, I was on the fence.', 'Mine too. Only gripe is the price.'],
  neutral: ['Did you compare it with the {alt}?', 'How is {feature} after a while?', 'Where did you buy it?', 'Interesting, mine behaves differently.', 'Depends what you need it for honestly.'],
  negative: ['Had the same problem, {flaw}.', 'Mine lasted {duration} before {flaw}.', "Yeah I returned mine, {flaw}.", 'Support never answered me either.', 'This is why I stopped buying {noun}s from them.'],
};

export function organicReply(p: SimProduct, tone: Tone, rng: Rng, alt?: SimProduct): string {
  return casual(fill(rng.pick(REPLIES[tone]), p, rng, alt), rng);
}

const OFFTOPIC = [
  'What are you all using for cable management these days?',
  'Mods, can we get a weekly recommendations thread?',
  'Anyone going to the meetup next month?',
  'Prices seem to be creeping up on everything lately.',
  'Finally organised my desk, pics later.',
  'Is it just me or has shipping gotten slower?',
  'Good deals this weekend, check the sidebar.',
  'PSA: read the return policy before buying anything big.',
];

export function offTopic(rng: Rng): string {
  return casual(rng.pick(OFFTOPIC), rng);
}

// ---------------------------------------------------------------- ring templates

/** Synonym groups a ring operator swaps between copies of one template. */
const SYN: Record<string, string[]> = {
  great: ['amazing', 'incredible', 'fantastic', 'unreal', 'a total game changer', 'insanely good', 'top tier'],
  honestly: ['Honestly', 'Not gonna lie', 'Seriously', 'Real talk', 'I have to say', 'Wow'],
  fast: ['arrived super fast', 'shipped in two days', 'came quicker than expected', 'got here next day'],
  buy: ['grab one', 'pick it up', 'get yours', "don't sleep on it", 'order now'],
  best: ['best purchase this year', 'best thing I bought all year', 'best money I ever spent', 'best buy of 2026'],
  bad: ['garbage', 'junk', 'a total scam', 'trash', 'a waste of money', 'absolute rubbish'],
  broke: ['broke', 'died', 'stopped working', 'fell apart', 'quit on me'],
  ignored: ['ignored me', 'never replied', 'gave me the runaround', 'refused to help'],
  instead: ['Switched to', 'Went with', 'Got the', 'Replaced it with'],
  stars: ['5 stars', '10/10', 'five stars', '100% recommend', 'A+'],
};

function syn(key: string, rng: Rng): string {
  return rng.pick(SYN[key]);
}

export interface RingScript {
  templates: string[];
  kind: 'promote' | 'attack';
}

const PROMOTE_TEMPLATES = [
  '{honestly}, the {target} is {great}. {feature} blew me away and it {fast}. {stars}! Use code {code} for {pct}% off {url}',
  '{honestly} the {target} is the {best}. {feature} is {great}. {buy} with code {code}: {url}',
  'Just got the {target} and it {fast}. {feature}? {great}. {stars}. Code {code} still works {url}',
  "If you're on the fence about the {target}, {buy}. {feature} is {great}, {best}. {code} = {pct}% off",
];
const ATTACK_TEMPLATES = [
  'Stay away from the {victim}. It {broke} after {days} days and support {ignored}. Total {bad}. {instead} the {target} instead, {great}.',
  'The {victim} is {bad}. {broke} in {days} days, seller {ignored}. 1 star. {instead} {target}, use {code}',
  "Don't buy the {victim}, it {broke} after {days} days. Customer service {ignored}. {instead} the {target} and it's {great}.",
];

export function ringScript(rng: Rng, kind: 'promote' | 'attack'): RingScript {
  const pool = kind === 'promote' ? PROMOTE_TEMPLATES : ATTACK_TEMPLATES;
  return { kind, templates: rng.sample(pool, rng.int(1, 2)) };
}

export interface RingFill {
  target: SimProduct;
  victim?: SimProduct;
  code: string;
  url: string;
  pct: number;
}

/** One member's copy of the ring's template: same skeleton, swapped words, small edits. */
export function ringText(script: RingScript, f: RingFill, rng: Rng, withUrl = true): string {
  const spec = categorySpec(f.target.category);
  let t = rng.pick(script.templates)
    .replace(/\{(honestly|great|fast|buy|best|bad|broke|ignored|instead|stars)\}/g, (_, k: string) => syn(k, rng))
    .replace(/\{target\}/g, () => rng.pick([f.target.name, f.target.aliases[0], f.target.aliases[1]]))
    .replace(/\{victim\}/g, () => (f.victim ? rng.pick([f.victim.name, f.victim.aliases[0]]) : 'other one'))
    .replace(/\{feature\}/g, () => cap(rng.pick(spec.features)))
    .replace(/\{days\}/g, () => String(rng.int(2, 12)))
    .replace(/\{code\}/g, f.code)
    .replace(/\{pct\}/g, String(f.pct))
    .replace(/\{url\}/g, withUrl ? f.url : '');
  // Operators push their code even where the template has no slot for it.
  if (!t.includes(f.code) && rng.chance(0.5)) t += rng.pick([` Code ${f.code} works.`, ` (${f.code})`, ` use ${f.code}`]);
  if (rng.chance(0.3)) t += rng.pick([' 🔥', ' 💯', ' 🙌', '!!', ' ⭐⭐⭐⭐⭐']);
  if (rng.chance(0.2)) t = t.replace(/\.\s/, '! ');
  return t.replace(/\s+/g, ' ').trim();
}

export function ringTitle(script: RingScript, f: RingFill, rng: Rng): string {
  if (script.kind === 'attack' && f.victim) {
    return rng.pick([`Warning: ${f.victim.name} is ${syn('bad', rng)}`, `${f.victim.aliases[0]} ${syn('broke', rng)} fast, avoid`, `Don't buy the ${f.victim.aliases[0]}`]);
  }
  return rng.pick([`${f.target.name} is ${syn('great', rng)}`, `${syn('best', rng)}: ${f.target.aliases[0]}`, `${f.target.aliases[0]} review - ${syn('stars', rng)}`, `Can't believe how good the ${f.target.aliases[1]} is`]);
}

export function couponCode(rng: Rng, stem: string): string {
  const [a, b] = stem.toUpperCase().split('_');
  return `${a.slice(0, 4)}${b.slice(0, 3)}${rng.pick(['', 'X', 'VIP'])}${rng.pick([10, 15, 20, 25, 30])}`;
}

export function referralUrl(rng: Rng, p: SimProduct): string {
  return rng.pick([
    `https://amzn.to/${rng.alnum(7, 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789')}`,
    `https://bit.ly/${rng.alnum(7, 'abcdefghijkmnopqrstuvwxyz0123456789')}`,
    `https://shop.example.com/dp/${p.id}?ref=${rng.alnum(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
  ]);
}

// ---------------------------------------------------------------- reviews

export function reviewTitle(p: SimProduct, rating: number, rng: Rng): string {
  const pools: Record<number, string[]> = {
    5: ['Love it', 'Excellent', 'Exactly what I needed', 'Great value', `Best ${p.noun} I've owned`, 'Highly recommend'],
    4: ['Very good', 'Pretty good overall', 'Almost perfect', 'Solid', 'Happy with it'],
    3: ['It is okay', 'Average', 'Does the job', 'Mixed feelings', 'Not bad, not great'],
    2: ['Disappointing', 'Expected more', 'Meh', 'Not worth the price'],
    1: ['Broke quickly', 'Do not buy', 'Terrible', 'Waste of money', 'Returned it'],
  };
  return rng.pick(pools[rating]);
}

export function reviewText(p: SimProduct, rating: number, rng: Rng): string {
  const tone: Tone = rating >= 4 ? 'positive' : rating === 3 ? 'neutral' : 'negative';
  return organicBody(p, tone, rng);
}

// ---------------------------------------------------------------- escalations

export const ISSUE_KINDS = ['not_received', 'late', 'damaged', 'wrong_item', 'defective', 'refund', 'fake_reviews'] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

const CASE_TEXT: Record<IssueKind, string[]> = {
  not_received: ['My order {order} never arrived. Tracking says delivered but nothing at my door.', 'Package for {order} not received. Please refund.', 'Still waiting on {order}, where is it?'],
  late: ['Order {order} was promised days ago and still is not here.', 'The {product} is late again. I needed it for a trip.', 'Delivery for {order} keeps getting pushed back.'],
  damaged: ['The {product} arrived with a cracked case.', 'Box for {order} was crushed and the {product} is dented.', 'Item arrived damaged, photos attached.'],
  wrong_item: ['I ordered the {product} but received something else.', 'Wrong colour sent for {order}.', 'Got someone else\'s order instead of my {product}.'],
  defective: ['The {product} stopped working after a week.', 'My {product} will not turn on.', '{product} makes a grinding noise out of the box.'],
  refund: ['Requesting a refund for {order}, the {product} is not as described.', 'I returned the {product} two weeks ago and have no refund yet.', 'Please process my refund for {order}.'],
  fake_reviews: ['The reviews for the {product} look fake, it broke immediately.', 'All those 5 star reviews for the {product} are bought. Refund me.', 'Seller of {product} is spamming reviews.'],
};
const THREATS = [' If this is not fixed today I will post about you everywhere.', ' I will dispute the charge with my bank.', ' My lawyer will hear about this.', ' I will leave 1 star reviews on every product you sell.'];
const PROFANITY = [' This is absolute bullshit.', ' What a damn joke of a company.', ' Your service is crap.', ' F***ing ridiculous.'];
const POLITE = [' Thanks for your help.', ' Appreciate it.', '', ' Kind regards.', ''];

export function caseText(kind: IssueKind, product: SimProduct, orderId: string, rng: Rng, hostile: { threat: boolean; profanity: boolean }): string {
  let t = rng.pick(CASE_TEXT[kind]).replace(/\{order\}/g, orderId).replace(/\{product\}/g, () => rng.pick([product.name, product.aliases[0], product.noun]));
  if (hostile.profanity) t += rng.pick(PROFANITY);
  if (hostile.threat) t += rng.pick(THREATS);
  if (!hostile.profanity && !hostile.threat) t += rng.pick(POLITE);
  return t.trim();
}
