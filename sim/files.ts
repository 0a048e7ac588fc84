// Writes a world as the files a user would import: escalations.csv, orders.csv,
// reviews.csv (DESIGN.md §5 columns; dates only, as review sites export them), and the
// ground truth detection code must never read: truth.json and labels.csv (`account,label`
// per review-site account, like ../shared/datasets/yelpnyc/labels.csv).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { webAccountId } from './ids';
import type { World } from './world';

export const ESCALATION_COLUMNS = ['case_id', 'opened_at', 'region', 'channel', 'customer_id', 'customer_handle', 'order_id', 'product', 'category', 'text', 'refund_amount', 'status', 'resolved_at', 'abusive'] as const;
export const ORDER_COLUMNS = ['order_id', 'region', 'ordered_at', 'promised_at', 'delivered_at', 'delivery_attempts', 'first_attempt_success'] as const;
export const REVIEW_COLUMNS = ['author', 'product', 'created_at', 'id', 'platform', 'rating', 'title', 'text', 'url', 'community'] as const;
export const REVIEW_COLUMNS_TEXTLESS = ['author', 'product', 'created_at', 'id', 'platform', 'rating', 'url', 'community'] as const;

export interface WriteOptions {
  /** Also write reviews-textless.csv (no title/text): detection must work from ratings and timing alone. */
  textlessReviews?: boolean;
  /** Base URL the review pages are served at, for the url column (default https://<webDomain>). */
  webBaseUrl?: string;
}

export interface WrittenFiles {
  escalations: string;
  orders: string;
  reviews: string;
  reviewsTextless?: string;
  truth: string;
  labels: string;
}

export function reviewRows(world: World, webBaseUrl?: string): Record<string, string | number>[] {
  const base = (webBaseUrl ?? `https://${world.webDomain}`).replace(/\/$/, '');
  return world.web.reviews.map((r) => ({
    author: r.reviewer,
    product: r.productId,
    created_at: new Date(r.createdAt).toISOString().slice(0, 10),
    id: r.id,
    platform: 'web',
    rating: r.rating,
    title: r.title,
    text: r.text,
    url: `${base}/products/${r.productId}#review-${r.id}`,
    community: world.webDomain,
  }));
}

/** Reviewer names of the review site's fake accounts: ring members there and solo fakes. */
export function fakeReviewers(world: World): Set<string> {
  const prefix = webAccountId(world.webDomain, '');
  const ids = [...world.truth.rings.flatMap((r) => r.members), ...world.truth.fakeReviewers];
  return new Set(ids.filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length)));
}

/**
 * One `account,label` row per review-site account (1 = fake). Account ids default to what
 * `ringwatch import reviews` makes of reviews.csv (`web:<author>`); pass `accountId` for the
 * crawled ids (`web:<host>:<reviewer>`).
 */
export function labelRows(world: World, accountId = (reviewer: string) => `web:${reviewer}`): { account: string; label: number }[] {
  const fake = fakeReviewers(world);
  const rows = new Map<string, number>();
  for (const r of world.web.reviews) if (!rows.has(r.reviewer)) rows.set(r.reviewer, fake.has(r.reviewer) ? 1 : 0);
  return [...rows].map(([reviewer, label]) => ({ account: accountId(reviewer), label }));
}

function csv(rows: object[], columns: readonly string[]): string {
  return stringify(rows as Record<string, unknown>[], {
    header: true,
    columns: columns as string[],
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
}

export async function writeWorldFiles(world: World, dir: string, options: WriteOptions = {}): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const files: WrittenFiles = {
    escalations: join(dir, 'escalations.csv'),
    orders: join(dir, 'orders.csv'),
    reviews: join(dir, 'reviews.csv'),
    truth: join(dir, 'truth.json'),
    labels: join(dir, 'labels.csv'),
  };
  await writeFile(files.escalations, csv(world.escalations, ESCALATION_COLUMNS));
  await writeFile(files.orders, csv(world.orders, ORDER_COLUMNS));
  const reviews = reviewRows(world, options.webBaseUrl);
  await writeFile(files.reviews, csv(reviews, REVIEW_COLUMNS));
  if (options.textlessReviews) {
    files.reviewsTextless = join(dir, 'reviews-textless.csv');
    await writeFile(files.reviewsTextless, csv(reviews, REVIEW_COLUMNS_TEXTLESS));
  }
  await writeFile(files.truth, `${JSON.stringify(world.truth, null, 2)}\n`);
  await writeFile(files.labels, csv(labelRows(world), ['account', 'label']));
  return files;
}
