// Links from rings to escalation cases. Reasons and strengths:
//   handle   0.9  the case's customer handle is a member's handle (normalised across platforms)
//   mention  0.7  the case text or its analysis mentions a member's handle
//   product  0.3  the case is about one of the ring's products (field or text analysis)
//   time     ≤0.25 the case was opened near the ring's activity (full inside [first−1d, last+14d],
//                 fading to 0 at 60 days outside); only counted with a handle/mention/product reason
// strength = 1 − Π(1 − s_i); links below `minStrength` (0.5) are dropped, so product + time
// alone never links a ring to a case: a popular product has many honest complaints.
import type { Escalation, EscalationLink } from '../../storage/types';
import { normaliseHandle } from '../graph/handles';
import { DAY_MS, round } from './context';

export type LinkableEscalation = Pick<Escalation, '_id' | 'openedAt'> &
  Partial<Pick<Escalation, 'customerHandle' | 'product' | 'text' | 'analysis'>>;

export interface LinkableRing {
  memberHandles: string[];
  products: string[];
  firstPostAt: Date;
  lastPostAt: Date;
}

export interface LinkOptions {
  minStrength: number;
  maxLinks: number;
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = { minStrength: 0.5, maxLinks: 50 };

const HANDLE_IN_TEXT = /(?:^|[^a-z0-9_])(?:@|\/?u\/)([a-z0-9_-]{3,})/gi;

export function handlesInText(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(HANDLE_IN_TEXT)) out.add(normaliseHandle(m[1]));
  return [...out];
}

export interface EscalationIndex {
  byHandle: Map<string, LinkableEscalation[]>;
  byMention: Map<string, LinkableEscalation[]>;
  byProduct: Map<string, LinkableEscalation[]>;
}

function push(m: Map<string, LinkableEscalation[]>, k: string, e: LinkableEscalation): void {
  const l = m.get(k);
  if (l) {
    if (!l.includes(e)) l.push(e);
  } else m.set(k, [e]);
}

export function indexEscalations(escalations: readonly LinkableEscalation[]): EscalationIndex {
  const idx: EscalationIndex = { byHandle: new Map(), byMention: new Map(), byProduct: new Map() };
  for (const e of escalations) {
    if (e.customerHandle) {
      const h = normaliseHandle(e.customerHandle);
      if (h) push(idx.byHandle, h, e);
    }
    const mentioned = new Set([...(e.analysis?.handles ?? []).map(normaliseHandle), ...(e.text ? handlesInText(e.text) : [])]);
    for (const h of mentioned) if (h) push(idx.byMention, h, e);
    const prods = new Set([...(e.product ? [e.product] : []), ...(e.analysis?.products ?? [])]);
    for (const p of prods) push(idx.byProduct, p, e);
  }
  return idx;
}

function timeCloseness(at: Date, ring: LinkableRing): number {
  const t = at.getTime();
  const lo = ring.firstPostAt.getTime() - DAY_MS;
  const hi = ring.lastPostAt.getTime() + 14 * DAY_MS;
  const outside = t < lo ? lo - t : t > hi ? t - hi : 0;
  return Math.max(0, 1 - outside / (60 * DAY_MS));
}

export function linkRing(ring: LinkableRing, index: EscalationIndex, options: Partial<LinkOptions> = {}): EscalationLink[] {
  const opts = { ...DEFAULT_LINK_OPTIONS, ...options };
  const reasons = new Map<string, { esc: LinkableEscalation; list: EscalationLink['reasons'] }>();
  const add = (e: LinkableEscalation, kind: string, detail: string, strength: number) => {
    let r = reasons.get(e._id);
    if (!r) {
      r = { esc: e, list: [] };
      reasons.set(e._id, r);
    }
    if (!r.list.some((x) => x.kind === kind)) r.list.push({ kind, detail, strength });
  };
  const handles = new Map<string, string>();
  for (const h of ring.memberHandles) {
    const n = normaliseHandle(h);
    if (n.length >= 3) handles.set(n, h);
  }
  for (const [n, h] of handles) {
    for (const e of index.byHandle.get(n) ?? []) add(e, 'handle', `customer handle "${e.customerHandle}" is ring member "${h}"`, 0.9);
    for (const e of index.byMention.get(n) ?? []) add(e, 'mention', `case text mentions ring member "${h}"`, 0.7);
  }
  for (const p of ring.products) {
    for (const e of index.byProduct.get(p) ?? []) add(e, 'product', `case is about ring product ${p}`, 0.3);
  }
  const links: EscalationLink[] = [];
  for (const { esc, list } of reasons.values()) {
    const c = timeCloseness(esc.openedAt, ring);
    if (c > 0) list.push({ kind: 'time', detail: `opened ${esc.openedAt.toISOString().slice(0, 10)}, near the ring's activity`, strength: round(0.25 * c) });
    const strength = 1 - list.reduce((acc, r) => acc * (1 - r.strength), 1);
    if (strength >= opts.minStrength) links.push({ caseId: esc._id, reasons: list, strength: round(strength) });
  }
  links.sort((a, b) => b.strength - a.strength || (a.caseId < b.caseId ? -1 : 1));
  return links.slice(0, opts.maxLinks);
}
