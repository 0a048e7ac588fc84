// Text signals of an escalation case for the model and for the policy team: profanity
// (word list with leet/obfuscation folding), threats (intimidation, harm), pressure
// (legal action, chargebacks, public shaming: legitimate rights or coercion, but not
// threats), "item not received" claims, and sentiment/entities from analysis/nlp.

// ---------------------------------------------------------------- normalisation

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };

/**
 * Folds text the way people dodge word filters: lower case, diacritics stripped, leet
 * digits/symbols to letters inside words, separators inside a word dropped ("f.u.c.k",
 * "s h i t" only when single letters are spaced), letters repeated 3+ times squeezed.
 */
export function foldObfuscation(text: string): string {
  let t = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  // Leet only between letters or at a word edge next to a letter, so "24/7" and prices stay numbers.
  t = t.replace(/(?<=[a-z*])[013457@$!|+8]|[013457@$!|+8](?=[a-z*])/g, (c) => LEET[c] ?? c);
  // "f.u.c.k", "f-u-c-k", "f u c k": single letters joined by one separator.
  t = t.replace(/\b(?:[a-z][.\-_ ]){2,}[a-z]\b/g, (m) => m.replace(/[.\-_ ]/g, ''));
  return t.replace(/([a-z])\1{2,}/g, '$1$1');
}

// ---------------------------------------------------------------- profanity

// Roots matched at word start; "*" in the source text stands for masked letters ("f***ing").
const PROFANE_ROOTS = [
  'fuck', 'fck', 'fuk', 'fucc', 'shit', 'sh1t', 'bullshit', 'crap', 'damn', 'dammit', 'bitch', 'bastard', 'asshole', 'arsehole',
  'dick', 'dickhead', 'piss', 'pissed', 'wtf', 'stfu', 'motherfuck', 'goddamn', 'screw you', 'scumbag', 'douche', 'jackass',
  'cunt', 'twat', 'wanker', 'bollocks', 'prick', 'idiot', 'moron', 'imbecile', 'thieves', 'scammers', 'scam artists',
];
// Words that contain a root but are clean (the Scunthorpe problem).
const CLEAN_WORDS = new Set(['dickens', 'dickinson', 'scrap', 'scrappy', 'crapper', 'shitake', 'shiitake', 'pissarro', 'cockpit', 'damnation', 'assholder', 'prickly']);
const MASKED = /\b[fs]\*+[a-z]*\b|\b[fs][-*#@$%!]{2,}[a-z]*\b/g;

function squeeze(w: string): string {
  return w.replace(/([a-z])\1+/g, '$1');
}

function startsWithRoot(word: string, root: string): boolean {
  return word.startsWith(root) && word.length <= root.length + 4;
}

export interface Hit {
  kind: string;
  phrase: string;
}

/** Profane words and masked swearing ("f***ing", "s#!t") after obfuscation folding. */
export function profanityHits(text: string): Hit[] {
  const raw = text.toLowerCase();
  const hits: Hit[] = [];
  for (const m of raw.matchAll(MASKED)) hits.push({ kind: 'masked', phrase: m[0] });
  const folded = foldObfuscation(text);
  for (const m of folded.matchAll(/[a-z]+(?: you)?/g)) {
    const word = m[0];
    if (CLEAN_WORDS.has(word)) continue;
    const single = squeeze(word);
    for (const root of PROFANE_ROOTS) {
      if (root.includes(' ') ? word === root : startsWithRoot(word, root) || startsWithRoot(single, squeeze(root))) {
        hits.push({ kind: 'word', phrase: word });
        break;
      }
    }
  }
  return hits;
}

// ---------------------------------------------------------------- threats and pressure

const THREAT_PATTERNS: [RegExp, string][] = [
  [/\bi(?:'ll| will| am going to|'m going to|'m gonna| gonna)\s+(?:find|hunt (?:you )?down|come (?:for|after|to))\s+(?:you|u|your|ur)\b/, 'find you'],
  [/\bi know where (?:you|u|your \w+) (?:live|work|are)\b/, 'knows where you live'],
  [/\b(?:you|u|you guys|your staff|ur)(?:'ll| will| are going to| gonna)\s+(?:regret|pay for) (?:this|it)\b/, "you'll regret"],
  [/\b(?:watch|better watch) (?:your|ur) back\b/, 'watch your back'],
  [/\b(?:kill|hurt|shoot|stab|beat up|burn down|bomb|smash|break (?:your|ur) (?:face|neck|legs))\b(?:[^.!?]{0,30})\b(?:you|u|your|ur|them|him|her|the (?:store|office|warehouse|driver|agent))\b/, 'violence'],
  [/\b(?:you|u)(?:'re| are) (?:dead|finished|going to get hurt)\b/, "you're dead"],
  [/\bsomething (?:bad )?(?:will|is going to) happen to (?:you|u|your)\b/, 'something will happen'],
  [/\bshow up at (?:your|ur) (?:house|home|office|door)\b/, 'show up at your home'],
];

// Legitimate recourse or coercion, kept apart from threats: "see you in court" is a right.
const PRESSURE_PATTERNS: [RegExp, string][] = [
  [/\b(?:see you in court|(?:my )?lawyers?|attorney|sue|suing|lawsuit|legal action|small claims)\b/, 'legal'],
  [/\b(?:charge ?back|dispute (?:the|this) (?:charge|payment|transaction)|call my bank|credit card company)\b/, 'chargeback'],
  [/\b(?:post (?:about )?(?:this|you|it) (?:everywhere|online|on (?:twitter|reddit|facebook|social media))|go (?:to the )?(?:press|media)|viral|tell everyone)\b/, 'public shaming'],
  [/\b(?:1|one)[- ]star reviews?\b|\bleave (?:bad|negative) reviews?\b|\breview[- ]bomb/, 'review threat'],
  [/\b(?:better business bureau|bbb|ftc|trading standards|consumer protection|attorney general)\b/, 'regulator'],
];

export function threatHits(text: string): Hit[] {
  const t = foldObfuscation(text).replace(/[’‘]/g, "'");
  const hits: Hit[] = [];
  for (const [re, name] of THREAT_PATTERNS) if (re.test(t)) hits.push({ kind: 'threat', phrase: name });
  return hits;
}

export function pressureHits(text: string): Hit[] {
  const t = text.toLowerCase().replace(/[’‘]/g, "'");
  const hits: Hit[] = [];
  for (const [re, name] of PRESSURE_PATTERNS) if (re.test(t)) hits.push({ kind: 'pressure', phrase: name });
  return hits;
}

// ---------------------------------------------------------------- claims

const NOT_RECEIVED = /\b(?:never (?:arrived|came|received|got|showed up|delivered)|(?:not|n't|never) (?:been )?(?:received|delivered|arrived)|didn't (?:arrive|come|get)|did not (?:arrive|come|get)|hasn't (?:arrived|come)|has not (?:arrived|come)|item not received|package (?:is )?(?:missing|lost|stolen)|missing (?:package|parcel|delivery)|where is my (?:order|package|parcel)|nothing (?:was )?delivered|empty box|no package)\b/;

/** The case claims the item never arrived. */
export function claimsNotReceived(text: string): boolean {
  return NOT_RECEIVED.test(text.toLowerCase().replace(/[’‘]/g, "'"));
}

// ---------------------------------------------------------------- one case

export interface NlpFunctions {
  /** Sentiment (-1..1) and entities of a text, e.g. from analysis/nlp's enricher. */
  analyse(text: string): { sentiment: number; products?: string[]; orderIds?: string[]; handles?: string[] };
}

export interface CaseTextSignals {
  sentiment: number;
  /** 1 when the text intimidates or threatens harm, else 0. */
  threat: number;
  /** Profane words per 100 words, capped at 1 (any profanity is ≥ 0.25). */
  profanity: number;
  /** Distinct kinds of pressure (legal, chargeback, public shaming, review threat, regulator). */
  pressure: number;
  notReceived: boolean;
  products: string[];
  orderIds: string[];
  handles: string[];
  phrases: string[];
}

export function caseTextSignals(text: string | undefined, nlp: NlpFunctions): CaseTextSignals {
  if (!text) {
    return { sentiment: 0, threat: 0, profanity: 0, pressure: 0, notReceived: false, products: [], orderIds: [], handles: [], phrases: [] };
  }
  const prof = profanityHits(text);
  const threats = threatHits(text);
  const pressure = pressureHits(text);
  const words = Math.max(1, text.split(/\s+/).length);
  const nl = nlp.analyse(text);
  return {
    sentiment: nl.sentiment,
    threat: threats.length > 0 ? 1 : 0,
    profanity: prof.length === 0 ? 0 : Math.min(1, Math.max(0.25, (prof.length * 100) / words / 10)),
    pressure: pressure.length,
    notReceived: claimsNotReceived(text),
    products: nl.products ?? [],
    orderIds: nl.orderIds ?? [],
    handles: nl.handles ?? [],
    phrases: [...threats, ...pressure, ...prof].map((h) => `${h.kind}:${h.phrase}`),
  };
}
