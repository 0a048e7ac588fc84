// SpEagle (ugfraud, bench/peers/speagle.py) and the 1 / review-count baseline on one reviews
// file, scored against an `account,label` file with the same metrics as `ringwatch evaluate`
// (analysis/rings/evaluate.ts over analysis/metrics.ts). Used by the yelpnyc quality bench and
// scripts/eval-detect.ts (simulator worlds).
//   npx tsx bench/speagle.ts REVIEWS LABELS [--iters N] [--json]
// REVIEWS and LABELS may be gzipped.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { type EvaluationReport, evaluateScores, type LabelRow } from '../analysis/rings/evaluate';
import { formatTable } from '../cli/output';
import { parseLabelsCsv } from '../jobs/labels';

const PEER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'speagle.py');

export interface SpeagleAccount {
  /** P(spammer) after belief propagation. */
  speagle: number;
  /** The user's feature prior before propagation. */
  prior: number;
  reviews: number;
}

export interface SpeagleRun {
  accounts: Map<string, SpeagleAccount>;
  /** The script's summary line: counts, seconds per phase, versions. */
  summary: { users: number; products: number; reviews: number; rejected: number; iters: number; seconds: Record<string, number>; versions: Record<string, string> };
  /** Wall time of the whole run including Python start-up, seconds. */
  wallSeconds: number;
}

/** Reads a text file, gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(file: string): string {
  const buf = readFileSync(file);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
}

/** Runs bench/peers/speagle.py on a reviews file (ringwatch's import format). */
export async function runSpeagle(reviews: string, opts: { iters?: number; timeoutMs?: number } = {}): Promise<SpeagleRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-speagle-'));
  const out = path.join(dir, 'scores.csv');
  const args = [PEER_SCRIPT, reviews, out, ...(opts.iters ? ['--iters', String(opts.iters)] : [])];
  const t = performance.now();
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 30 * 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr = (stderr + d).slice(-8192);
      });
      child.on('error', (err) => reject(new Error(`python3 failed to start: ${err.message}`)));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    if (code !== 0) throw new Error(`speagle.py exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as SpeagleRun['summary'];
    const rows = parse(readFileSync(out, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    const accounts = new Map<string, SpeagleAccount>();
    for (const r of rows) accounts.set(r.account, { speagle: Number(r.speagle), prior: Number(r.prior), reviews: Number(r.reviews) });
    return { accounts, summary, wallSeconds: (performance.now() - t) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PeerQuality {
  method: string;
  report: EvaluationReport;
}

/**
 * SpEagle, its prior alone and 1 / review count against the labels of the accounts in the
 * reviews file (labels of accounts the file does not contain are left out: a sample of a
 * data set is scored on itself), one report each.
 */
export function speagleQuality(run: SpeagleRun, labels: readonly LabelRow[]): PeerQuality[] {
  const inFile = labels.filter((l) => run.accounts.has(l.account));
  const pick = (f: (a: SpeagleAccount) => number) => new Map([...run.accounts].map(([id, a]) => [id, f(a)]));
  return [
    { method: 'SpEagle (ugfraud)', report: evaluateScores(pick((a) => a.speagle), inFile) },
    { method: 'SpEagle prior only', report: evaluateScores(pick((a) => a.prior), inFile) },
    { method: '1 / review count', report: evaluateScores(pick((a) => 1 / a.reviews), inFile) },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const iterIx = argv.indexOf('--iters');
  const iters = iterIx >= 0 ? Number(argv[iterIx + 1]) : undefined;
  const files = argv.filter((a, i) => !a.startsWith('--') && (iterIx < 0 || i !== iterIx + 1));
  if (argv.includes('--help') || files.length !== 2) {
    console.error('usage: npx tsx bench/speagle.ts REVIEWS LABELS [--iters N] [--json]\n  SpEagle (ugfraud) and 1 / review count vs an account,label file; files may be gzipped.');
    process.exit(files.length === 2 ? 0 : 2);
  }
  const labels = parseLabelsCsv(readMaybeGzip(files[1]));
  const load = os.loadavg()[0].toFixed(2);
  const run = await runSpeagle(files[0], { iters });
  const results = speagleQuality(run, labels);
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ load, summary: run.summary, wallSeconds: run.wallSeconds, results }));
  } else {
    const outside = labels.filter((l) => !run.accounts.has(l.account)).length;
    console.log(`${run.summary.users} accounts, ${run.summary.reviews} reviews, ${run.summary.products} products; SpEagle ${run.wallSeconds.toFixed(1)} s (BP ${run.summary.seconds.bp} s, ${run.summary.iters} iterations); load ${load}`);
    if (outside > 0) console.log(`${outside} labelled accounts are not in the reviews file and are left out`);
    console.log(
      formatTable(
        results.map(({ method, report: r }) => ({
          method,
          'ROC AUC': r.rocAuc.toFixed(3),
          AP: r.averagePrecision.toFixed(3),
          labelled: r.labelled,
          positives: r.positives,
        })),
      ),
    );
  }
}
