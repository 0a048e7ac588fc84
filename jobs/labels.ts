// Label files (`account,label` CSV): what `evaluate` measures against and what `detect`
// can learn from beside the policy team's decisions.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { type LabelRow, parseLabel } from '../analysis/rings/evaluate';
import type { Store } from '../storage/store';

/** Parses `account,label` CSV text; errors name the line. */
export function parseLabelsCsv(text: string): LabelRow[] {
  const rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (rows.length > 0 && (!('account' in rows[0]) || !('label' in rows[0]))) throw new Error('label file needs a header with "account" and "label" columns');
  return rows.map((r, i) => {
    if (!r.account) throw new Error(`line ${i + 2}: empty account`);
    try {
      return { account: r.account, label: parseLabel(r.label ?? '') };
    } catch (err) {
      throw new Error(`line ${i + 2}: ${(err as Error).message}`);
    }
  });
}

/**
 * Labels to learn from: members of confirmed rings are suspicious, members of dismissed
 * rings not (a confirmed ring wins when an account was in both), then a label file's rows.
 */
export async function decisionLabels(store: Store, file?: string): Promise<Map<string, boolean>> {
  const labels = new Map<string, boolean>();
  for await (const r of store.rings.stream({}, { projection: { _id: 1, members: 1, status: 1 } })) {
    if (r.status !== 'confirmed' && r.status !== 'dismissed') continue;
    for (const m of r.members) if (labels.get(m) !== true) labels.set(m, r.status === 'confirmed');
  }
  if (file) for (const l of parseLabelsCsv(await readFile(file, 'utf8'))) labels.set(l.account, l.label);
  return labels;
}
