// `ringwatch accounts list|show <id>|export [--min-score X] [--format csv|json]`.
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { csvSafe } from '../../importers/clean';
import { platformIds } from '../../crawlers/platforms/registry';
import { withoutSignatures } from '../../reports/ring-data';
import type { Store } from '../../storage/store';
import type { Account } from '../../storage/types';
import type { CliDeps } from '../context';
import { UsageError } from '../errors';
import { output, printTable } from '../output';
import { indicatorLabel, indicatorValue } from '../../reports/labels';

const score = (v: string) => {
  const n = Number.parseFloat(v);
  if (!(n >= 0 && n <= 1)) throw new Error(`a score is a number from 0 to 1, got "${v}"`);
  return n;
};

/** An account by id, else by handle (case-insensitive, "@" and "u/" ignored); several matches are listed. */
/** One account by id or handle, with its latest score. */
export async function findAccount(store: Store, given: string): Promise<Account> {
  const [account] = await store.scores.attach([await accountNamed(store, given)]);
  return account;
}

async function accountNamed(store: Store, given: string): Promise<Account> {
  const byId = await store.accounts.get(given);
  if (byId) return byId;
  const handle = given.trim().replace(/^(?:@|\/?u\/)/, '').toLowerCase();
  const matches: string[] = [];
  for await (const a of store.accounts.stream({}, { projection: { _id: 1, handle: 1 } })) if (a.handle?.toLowerCase() === handle) matches.push(a._id);
  const one = matches.length === 1 ? await store.accounts.get(matches[0]) : null;
  if (one) return one;
  if (matches.length > 1) throw new UsageError(`handle "${given}" is used by ${matches.length} accounts: ${matches.join(', ')}; give the id`);
  throw new UsageError(`no account "${given}" (give an id like reddit:u/name or twitter:<user id>, or a handle)`);
}

export const EXPORT_COLUMNS = ['account', 'platform', 'score', 'handle', 'ring_id', 'top_indicator', 'top_indicator_score', 'evidence_posts', 'detected_at', 'run_id'] as const;

export { csvSafe };

export function exportRow(a: Account): (string | number)[] {
  const s = a.suspicion;
  const top = [...(s?.indicators ?? [])].sort((x, y) => y.score - x.score)[0];
  return ([a._id, a.platform, s ? Math.round(s.score * 10_000) / 10_000 : 0, a.handle, s?.ringId ?? '', top?.name ?? '', top ? Math.round(top.score * 10_000) / 10_000 : '', (s?.evidencePosts ?? []).join(' '), s?.detectedAt?.toISOString() ?? '', s?.runId ?? ''] as (string | number)[]).map(csvSafe);
}

/**
 * Accounts keep the score of the last run whose window held their posts, so one export can
 * hold scores of several runs. Says so (null when all rows come from one run).
 */
export function mixedRunsWarning(list: readonly Pick<Account, 'suspicion'>[]): string | null {
  const runs = new Map<string, number>();
  for (const a of list) if (a.suspicion?.runId) runs.set(a.suspicion.runId, (runs.get(a.suspicion.runId) ?? 0) + 1);
  if (runs.size <= 1) return null;
  const parts = [...runs].sort((x, y) => y[1] - x[1]).map(([id, n]) => `${n} from ${id}`);
  return `these scores come from ${runs.size} detect runs (${parts.join(', ')}; see the run_id column): accounts outside a later run's window keep older scores. For one consistent set run \`ringwatch detect --all\`.`;
}

/** Accounts by latest score, highest first (ties by id), with their scores attached. */
async function scored(store: Store, minScore: number, platform?: string, limit?: number): Promise<Account[]> {
  const rows: { id: string; score: number }[] = [];
  for await (const s of store.scores.summaries()) if (s.score >= minScore) rows.push({ id: s.accountId, score: s.score });
  rows.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const out: Account[] = [];
  // Pages of ids until `limit` accounts exist and match the platform (deleted accounts are skipped).
  for (let i = 0; i < rows.length && (limit === undefined || out.length < limit); i += 500) {
    for (const a of await store.accounts.getMany(rows.slice(i, i + 500).map((r) => r.id))) {
      if (platform && a.platform !== platform) continue;
      if (limit !== undefined && out.length >= limit) break;
      out.push(a);
    }
  }
  return store.scores.attach(out);
}

function dateOption(name: string) {
  return (v: string) => {
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new UsageError(`${name} "${v}" is not a date (e.g. 2026-11-01)`);
    return d;
  };
}

/** Accounts with posts about `product` (id or catalogue name/alias) and within the dates. */
async function accountsPosting(store: Store, f: { product?: string; since?: Date; until?: Date }): Promise<Set<string>> {
  let products: Set<string> | undefined;
  if (f.product) {
    const wanted = f.product.trim().toLowerCase();
    const named = (await store.products.find({}, { projection: { _id: 1, name: 1, aliases: 1 } }))
      .filter((p) => p._id.toLowerCase() === wanted || p.name?.toLowerCase() === wanted || (p.aliases ?? []).some((a) => a.toLowerCase() === wanted))
      .map((p) => p._id);
    products = new Set([f.product, ...named]);
  }
  const out = new Set<string>();
  const co = products ? [] : (await store.coactions.view()).posts; // co-action posts name no product
  async function* every() {
    yield* store.posts.stream({}, { projection: { accountId: 1, product: 1, createdAt: 1, 'enrichment.products': 1 } });
    yield* co;
  }
  for await (const p of every()) {
    if (f.since && p.createdAt < f.since) continue;
    if (f.until && p.createdAt > f.until) continue;
    if (products) {
      const mentioned = [p.product, ...(p.enrichment?.products ?? []).map((m) => m.productId)];
      if (!mentioned.some((id) => id && products.has(id))) continue;
    }
    out.add(p.accountId);
  }
  return out;
}

export function register(program: Command, deps: CliDeps) {
  const accounts = program.command('accounts').description('suspicious accounts: list, show, export');

  accounts
    .command('list')
    .description('accounts by suspicion score, highest first')
    .option('--min-score <x>', 'only accounts scoring at least x (0–1)', score, 0)
    .option('--platform <platform>', 'only this platform')
    .option('--limit <n>', 'at most n accounts', (v) => Number.parseInt(v, 10), 50)
    .action(async (opts: { minScore: number; platform?: string; limit: number }) => {
      const list = await deps.withStore((store) => scored(store, opts.minScore, opts.platform, opts.limit));
      const warning = mixedRunsWarning(list);
      if (warning) process.stderr.write(`warning: ${warning}\n`);
      const rows = list.map((a) => ({ account: a._id, platform: a.platform, handle: a.handle, score: a.suspicion?.score ?? 0, ring: a.suspicion?.ringId ?? '' }));
      output(program.opts().json, rows, () => printTable(rows));
    });

  accounts
    .command('show <account>')
    .description('one account by id (reddit:u/name, twitter:<user id>) or handle: facts, score, indicators with explanations, evidence posts')
    .action(async (id: string) => {
      const data = await deps.withStore(async (store) => {
        const account = await findAccount(store, id);
        const evidence = (await store.postsById(account.suspicion?.evidencePosts ?? [])).map(withoutSignatures);
        return { account, evidence };
      });
      output(program.opts().json, data, () => {
        const a = data.account;
        const out = process.stdout;
        out.write(`${a._id}  handle ${a.handle.replace(/[\r\n\t]/g, ' ')}  platform ${a.platform}  created ${a.createdAt?.toISOString() ?? 'unknown'}\n`);
        if (!a.suspicion) {
          out.write('not scored yet (run ringwatch detect)\n');
          return;
        }
        out.write(`score ${a.suspicion.score.toFixed(3)}${a.suspicion.ringId ? `  ring ${a.suspicion.ringId}` : ''}\n\nindicators:\n`);
        for (const i of [...a.suspicion.indicators].sort((x, y) => y.score - x.score)) out.write(`  ${indicatorLabel(i.name).padEnd(36)} ${indicatorValue(i.name, i.value).padStart(14)}  strength ${i.score.toFixed(2)}  ${i.explanation}\n`);
        out.write('\nevidence:\n');
        for (const p of data.evidence) out.write(`  ${p._id} ${p.createdAt.toISOString()}  ${(p.text ?? p.title ?? '').replace(/\s+/g, ' ').slice(0, 120)}\n`);
      });
    });

  accounts
    .command('export')
    .description('one row per scored account: CSV header account,platform,score,… (score 0–1), or JSON')
    .option('--min-score <x>', 'only accounts scoring at least x (0–1)', score, 0)
    .option('--format <format>', 'csv or json', 'csv')
    .option('--platform <platform>', `only this platform (${platformIds().join(', ')} or an import source)`)
    .option('--product <product>', 'only accounts that posted about this product (id or catalogue name)')
    .option('--since <date>', 'only accounts with posts on or after this date', dateOption('--since'))
    .option('--until <date>', 'only accounts with posts on or before this date', dateOption('--until'))
    .action(async (opts: { minScore: number; format: string; platform?: string; product?: string; since?: Date; until?: Date }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') throw new UsageError(`--format must be csv or json, got "${opts.format}"`);
      if (opts.since && opts.until && opts.since > opts.until) throw new UsageError('--since is after --until: nothing can match');
      const list = await deps.withStore(async (store) => {
        const all = await scored(store, opts.minScore, opts.platform);
        if (!opts.product && !opts.since && !opts.until) return all;
        const posting = await accountsPosting(store, opts);
        return all.filter((a) => posting.has(a._id));
      });
      const warning = mixedRunsWarning(list);
      if (warning) process.stderr.write(`warning: ${warning}\n`);
      if (opts.format === 'json' || program.opts().json) {
        const rows = list.map((a) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, exportRow(a)[i]])));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      process.stdout.write(stringify([[...EXPORT_COLUMNS], ...list.map(exportRow)]));
    });
}
