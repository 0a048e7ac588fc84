// Words for people, one table for every surface: the dashboard (served as /labels.json),
// the CLI and the PDF reports name indicators, model features, products, review actions
// and actors the same way, with units.
import { platforms } from '../crawlers/platforms/registry';
import { type AuditEntry, type Product, RING_TRANSITIONS } from '../storage/types';

export interface IndicatorLabel {
  label: string;
  /** What the value counts, shown after it ("134.4 days"); none for 0..1 shares and scores. */
  unit?: string;
}

/** Ring indicators (analysis/rings/indicators.ts) and account indicators (analysis/rings/accounts.ts). */
export const INDICATORS: Record<string, IndicatorLabel> = {
  support_count: { label: 'Products reviewed together', unit: 'products' },
  time_window: { label: 'Posting in lock-step' },
  rating_deviation: { label: 'Ratings far from everyone else' },
  sentiment_deviation: { label: 'Tone far from everyone else' },
  content_similarity: { label: 'Near-identical texts' },
  early_time_frame: { label: "Timing in the products' life (1 = first reviews)" },
  group_size: { label: 'Group size', unit: 'accounts' },
  account_age: { label: 'Young accounts (mean age)', unit: 'days' },
  creation_burst: { label: 'Accounts created together' },
  focus: { label: 'Narrow product focus' },
  cohesion: { label: 'Tightly connected' },
  co_shared_objects: { label: 'Same links or posts shared', unit: 'objects' },
  co_share_lockstep: { label: 'Sharing in lock-step' },
  max_posts_per_day: { label: 'Most posts in one day', unit: 'posts' },
  positive_ratio: { label: 'Share of 4–5 star ratings' },
  negative_ratio: { label: 'Share of 1–2 star ratings' },
  early_rating_deviation: { label: 'Early ratings far from the mean', unit: 'stars' },
  active_span: { label: 'Active span (first to last post)', unit: 'days' },
  post_count: { label: 'Reviews written', unit: 'reviews' },
  rating_entropy: { label: 'Variety of ratings', unit: 'bits' },
  gap_entropy: { label: 'Regularity of posting', unit: 'bits' },
  duplicate_text: { label: 'Near-duplicate texts', unit: 'pairs per post' },
  extreme_ratings: { label: 'Share of 1 or 5 star ratings' },
  early_reviews: { label: "Posts in the products' first weeks", unit: 'posts' },
  single_post: { label: 'Single post' },
  review_evidence: { label: 'Evidence from its posts' },
  neighbourhood: { label: 'Linked accounts' },
  ring_membership: { label: 'Ring membership' },
};

export function indicatorLabel(name: string): string {
  return INDICATORS[name]?.label ?? name.replace(/_/g, ' ');
}

/** An indicator's value with its unit: "134.4 days", "0.82". */
export function indicatorValue(name: string, value: number): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
  const unit = INDICATORS[name]?.unit;
  return unit ? `${shown} ${unit}` : shown;
}

/** Abuse-model features (analysis/escalations/features.ts). Channel and term features are named by pattern. */
export const FEATURES: Record<string, string> = {
  prior_escalations: 'Earlier escalations by the customer',
  refunds_30d: 'Refunds in the last 30 days',
  refund_amount_30d: 'Refunded amount, last 30 days',
  refunds_90d: 'Refunds in the last 90 days',
  refund_amount_90d: 'Refunded amount, last 90 days',
  refund_amount: 'Refund asked for',
  not_received_claim: '"Not received" claim',
  inr_first_attempt: '"Not received" although delivered at the first attempt',
  prior_inr_first_attempt: 'Earlier "not received" claims on first-attempt deliveries',
  claim_to_order_ratio: 'Claims per order',
  days_since_order: 'Days since the order',
  order_missing: 'No matching order',
  days_since_delivery: 'Days since delivery',
  undelivered: 'Order not delivered',
  sentiment: 'Tone of the case text',
  threat: 'Threats in the text',
  profanity: 'Profanity in the text',
  pressure: 'Pressure in the text ("now", "immediately")',
  ring_member: 'Customer is a review-ring member',
  handle_suspicion: "Customer's account looks fake",
  text_length_log: 'Length of the case text',
};

export function featureLabel(name: string): string {
  if (FEATURES[name]) return FEATURES[name];
  if (name.startsWith('channel_')) return `Came in by ${name.slice('channel_'.length).replace(/_/g, ' ')}`;
  if (name.startsWith('term_')) return `Text uses the word "${name.slice('term_'.length)}"`;
  return name.replace(/_/g, ' ');
}

/** A product as people know it: the catalogue name, or a candidate key made readable. */
export function productLabel(id: string, catalogue?: Map<string, Pick<Product, 'name' | 'candidate'>>): string {
  const p = catalogue?.get(id);
  if (p && !p.candidate) return p.name;
  if (id.startsWith('cand:')) return `${id.slice(5).replace(/[-_]+/g, ' ')} (unconfirmed product)`;
  return p?.name ?? id;
}

/** "pat (API key b83862bf…)" for "key:b83862bffcb1(pat)"; "cli:demo" stays. */
export function actorLabel(actor: string): string {
  const m = /^key:([a-z0-9]+)\((.*)\)$/.exec(actor);
  return m ? `${m[2]} (API key ${m[1].slice(0, 8)}…)` : actor;
}

const FIELD_WORDS: Record<string, string> = { status: 'status', statusReason: 'reason', assignee: 'assignee', note: 'note' };

const HIDDEN_FIELDS = new Set(['version', 'updatedAt', '_rev']);

/** One review action as a sentence: "status new → in review; assignee – → ana". */
export function reviewChangeText(e: Pick<AuditEntry, 'action' | 'before' | 'after'>): string {
  const before = (e.before ?? {}) as Record<string, unknown>;
  const after = (e.after ?? {}) as Record<string, unknown>;
  const show = (k: string, v: unknown): string => {
    if (v === undefined || v === null || v === '') return '–';
    if (k === 'status') return String(v).replace('_', ' ');
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    // The version number and timestamps change with every save: not news.
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !HIDDEN_FIELDS.has(k));
  const parts = keys.map((k) => {
    if (k === 'notes' || k === 'note') {
      // Notes are appended: say the new one.
      const list = Array.isArray(after[k]) ? (after[k] as { text?: string }[]) : [{ text: String(after[k]) }];
      return `note "${list[list.length - 1]?.text ?? ''}"`;
    }
    return k in before ? `${FIELD_WORDS[k] ?? k} ${show(k, before[k])} → ${show(k, after[k])}` : `${FIELD_WORDS[k] ?? k}: ${show(k, after[k])}`;
  });
  const action = e.action === 'ring.review' ? '' : `${e.action.replace(/^ring\./, '')}: `;
  return `${action}${parts.join('; ') || 'no change'}`;
}

/** Everything the dashboard needs to say things the same way (GET /labels.json). */
export function labelTables() {
  // The platforms as the dashboard names and colours them (their descriptors, crawlers/platforms/).
  const platformTable = Object.fromEntries(platforms().map((p) => [p.id, { label: p.label, colour: p.colour }]));
  return { indicators: INDICATORS, features: FEATURES, ringTransitions: RING_TRANSITIONS, platforms: platformTable };
}
