// Everything a ring report shows (read from the store by queries/ring-report.ts, in one
// place so that the API, the dashboard and every report format agree).
import type { AuditEntry, Escalation, Post, Ring } from '../storage/types';
import type { RingGraph } from './ring-graph';

export interface MemberFacts {
  _id: string;
  platform: string;
  handle: string;
  displayName?: string;
  createdAt?: Date;
  firstSeenAt?: Date;
  karma?: number;
  followers?: number;
  score: number;
  posts: number;
  products: string[];
  firstPostAt?: Date;
  lastPostAt?: Date;
  /** The account's own strongest indicators. */
  indicators: { name: string; value: number; score: number; explanation: string }[];
}

export interface RingReportData {
  ring: Ring;
  members: MemberFacts[];
  /** Strongest evidence posts first (the ring's evidence, then the posts behind its strongest edges). */
  evidence: Post[];
  escalations: Escalation[];
  /** Review actions, each with who did it and what changed in words. */
  history: (AuditEntry & { who: string; text: string })[];
  /** Product id → the name people know it by (catalogue name, or a readable candidate). */
  productNames: Record<string, string>;
  /** Member posts per day. */
  timeline: { day: string; posts: number }[];
  graph: RingGraph;
  generatedAt: Date;
}

export class NotFound extends Error {
  readonly statusCode = 404;
}

/** Posts per day from the first to the last day with posts, quiet days as 0 (a chart must show the gaps). */
export function everyDay(perDay: Map<string, number>): { day: string; posts: number }[] {
  const days = [...perDay.keys()].sort();
  if (days.length === 0) return [];
  const out: { day: string; posts: number }[] = [];
  const last = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
  // Bounded: a ring is active for weeks, not decades.
  for (let t = Date.parse(`${days[0]}T00:00:00Z`); t <= last && out.length < 3660; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ day, posts: perDay.get(day) ?? 0 });
  }
  return out;
}

/** A post without its MinHash signature and band keys (internal, bulky). */
export function withoutSignatures(p: Post): Post {
  if (!p.enrichment) return p;
  const { minhash: _m, lshBands: _l, ...rest } = p.enrichment;
  return { ...p, enrichment: rest as Post['enrichment'] };
}
