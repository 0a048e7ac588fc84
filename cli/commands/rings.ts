// `ringwatch rings list|show <id>|export <id> --format html|pdf|json|gexf`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { RING_FORMATS, type RingFormat, ringReportFile } from '../../reports/index';
import { loadRingReport, renderRingReport } from '../../queries/ring-report';
import { indicatorLabel, indicatorValue } from '../../reports/labels';
import { cliActor, writeAudit } from '../../queries/audit';
import { RING_STATUSES as STATUSES, type RingStatus } from '../../storage/types';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

export function register(program: Command, deps: CliDeps) {
  const rings = program.command('rings').description('detected review rings: list, show, export reports');

  rings
    .command('list')
    .description('rings by score, highest first')
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
    .option('--min-score <x>', 'only rings scoring at least x (0–1)', Number.parseFloat)
    .option('--limit <n>', 'at most n rings', (v) => Number.parseInt(v, 10), 50)
    .action(async (opts: { status?: string; minScore?: number; limit: number }) => {
      if (opts.status && !STATUSES.includes(opts.status as RingStatus)) throw new Error(`--status must be one of ${STATUSES.join(', ')}`);
      if (opts.minScore !== undefined && !(opts.minScore >= 0 && opts.minScore <= 1)) throw new Error('--min-score must be a number from 0 to 1');
      const filter: Record<string, unknown> = {};
      if (opts.status) filter.status = opts.status;
      if (opts.minScore !== undefined) filter.score = { $gte: opts.minScore };
      const list = await deps.withStore((store) =>
        store.rings.find(filter, { sort: { score: -1 }, limit: opts.limit, projection: { strongestEdges: 0, evidencePosts: 0, indicators: 0, notes: 0 } }),
      );
      const rows = list.map((r) => ({
        id: r._id, score: r.score, status: r.status, members: r.members.length, platforms: r.platforms.join(','), products: r.products.slice(0, 3).join(','),
        cases: r.links.length, first: r.firstPostAt.toISOString().slice(0, 10), last: r.lastPostAt.toISOString().slice(0, 10),
      }));
      output(program.opts().json, rows, () => printTable(rows));
    });

  rings
    .command('show <id>')
    .description('one ring: summary, indicators with explanations, members, linked cases, review state')
    .action(async (id: string) => {
      const d = await deps.withStore((store) => loadRingReport(store, id));
      output(program.opts().json, d, () => {
        const r = d.ring;
        const out = process.stdout;
        out.write(`ring ${r._id}  score ${r.score.toFixed(3)}  status ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}${r.assignee ? `  assignee ${r.assignee}` : ''}  version ${r.version}\n`);
        out.write(`${r.members.length} members on ${r.platforms.join(', ')}; products ${r.products.map((p) => d.productNames[p] ?? p).join(', ')}; active ${r.firstPostAt.toISOString()} → ${r.lastPostAt.toISOString()}\n\nwhy flagged:\n`);
        for (const i of [...r.indicators].sort((a, b) => b.score - a.score)) out.write(`  ${indicatorLabel(i.name).padEnd(36)} ${indicatorValue(i.name, i.value).padStart(14)}  strength ${i.score.toFixed(2)}  ${i.explanation}\n`);
        out.write('\nmembers:\n');
        printTable(d.members.map((m) => ({ account: m._id, handle: m.handle, score: m.score, posts: m.posts, created: m.createdAt })));
        out.write(`\nlinked cases: ${r.links.map((l) => `${l.caseId} (${l.strength.toFixed(2)})`).join(', ') || 'none'}\n`);
        out.write(`review history:${d.history.length ? '' : ' none'}\n`);
        for (const e of d.history) out.write(`  ${e.at.toISOString().slice(0, 16).replace('T', ' ')}  ${e.who}: ${e.text}\n`);
      });
    });

  rings
    .command('export <id>')
    .description('write a ring report: html, pdf (Chromium), json or gexf (Gephi)')
    .requiredOption('--format <format>', RING_FORMATS.join('|'))
    .option('--out <file>', 'output file ("-" for stdout; default <reports.outDir>/<id>.<format>)')
    .action(async (id: string, opts: { format: string; out?: string }) => {
      if (!RING_FORMATS.includes(opts.format as RingFormat)) throw new Error(`--format must be one of ${RING_FORMATS.join(', ')}, got "${opts.format}"`);
      const format = opts.format as RingFormat;
      const config = deps.config();
      const bytes = await deps.withStore(async (store) => {
        const b = await renderRingReport(store, id, format, { chromiumPath: config.web.chromiumPath });
        await writeAudit(store, { actor: cliActor(), action: 'ring.export', target: `ring:${id}`, after: { format } });
        return b;
      });
      if (opts.out === '-') {
        process.stdout.write(bytes);
        return;
      }
      const file = path.resolve(opts.out ?? ringReportFile(config.reports.outDir, id, format));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      output(program.opts().json, { file, bytes: bytes.length, format }, () => process.stdout.write(`${file}\n`));
    });
}
