// Writes a world as the files a user would import: escalations.csv, orders.csv,
// reviews.csv (DESIGN.md §5 columns) and truth.json, the ground truth that detection
// code must never read.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
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
}

export function reviewRows(world: World, webBaseUrl?: string): Record<string, string | number>[] {
  const base = (webBaseUrl ?? `https://${world.webDomain}`).replace(/\/$/, '');
  return world.web.reviews.map((r) => ({
    author: r.reviewer,
    product: r.productId,
    created_at: new Date(r.createdAt).toISOString(),
    id: r.id,
    platform: 'web',
    rating: r.rating,
    title: r.title,
    text: r.text,
    url: `${base}/products/${r.productId}#review-${r.id}`,
    community: world.webDomain,
  }));
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
  return files;
}
